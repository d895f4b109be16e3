package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestBedBuildsScratchImage proves buildx → buildkitd → OCI output works
// without the distill frontend.
func TestBedBuildsScratchImage(t *testing.T) {
	b := needBed(t)
	dir := t.TempDir()
	files := map[string]string{
		"Dockerfile": "FROM scratch\nCOPY hello.txt /\n",
		"hello.txt":  "hello from the test bed\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "out.tar")
	if _, _, err := b.Buildx(t, dir, "build", "--platform", "linux/amd64,linux/arm64",
		"-o", "type=oci,dest="+out, "."); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 2 {
		t.Errorf("got %d platform images, want 2", len(l.Images))
	}
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		img, err := l.Image(p)
		if err != nil {
			t.Error(err)
			continue
		}
		if got := img.Config.OS + "/" + img.Config.Architecture; got != p {
			t.Errorf("%s: config platform = %s", p, got)
		}
		e, ok := img.File("/hello.txt")
		if !ok {
			t.Errorf("%s: /hello.txt missing", p)
			continue
		}
		if string(e.Data) != files["hello.txt"] || e.Header.Mode&0o777 != 0o644 {
			t.Errorf("%s: /hello.txt = %q mode %o, want %q mode 644", p, e.Data, e.Header.Mode, files["hello.txt"])
		}
	}
}

// TestForeignBinaryRunsUnderQEMU checks binfmt_misc runs the arm64 frontend
// binary, as builds from source for arm64 will need.
func TestForeignBinaryRunsUnderQEMU(t *testing.T) {
	b := needBed(t)
	if runtime.GOARCH == "arm64" {
		t.Skip("host is arm64: nothing foreign to run")
	}
	bin := filepath.Join(b.FrontendBinaries, "linux", "arm64", "distill-frontend")
	out, err := exec.CommandContext(t.Context(), bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s\n%s", bin, err, out, binfmtHelp)
	}
	if got := strings.TrimSpace(string(out)); !strings.HasPrefix(got, "distill-frontend ") {
		t.Errorf("%s --version printed %q, want \"distill-frontend <version>\"", bin, got)
	}
}

// TestBedRunsContainers runs a static binary in a RUN step for both
// platforms: runc, the snapshotter's mounts and, for arm64, QEMU inside a
// container (binfmt's F flag) all have to work.
func TestBedRunsContainers(t *testing.T) {
	b := needBed(t)
	dir := t.TempDir()
	dockerfile := `FROM scratch
ARG TARGETARCH
COPY --from=binaries /linux/${TARGETARCH}/distill-frontend /distill-frontend
RUN ["/distill-frontend", "--version"]
`
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Buildx(t, dir, "build", "--platform", "linux/amd64,linux/arm64",
		"--build-context", "binaries="+b.FrontendBinaries, "--progress", "plain", "."); err != nil {
		t.Fatal(err)
	}
}
