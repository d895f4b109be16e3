package integration

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildxExampleMultiPlatform builds examples/base-files through
// `docker buildx build -f` and its # syntax= line, for two platforms, and
// checks the index, each config and each file.
func TestBuildxExampleMultiPlatform(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "base-files")
	out := filepath.Join(t.TempDir(), "img.tar")
	if _, _, err := b.Buildx(t, dir, "build", "-f", "distill.hcl",
		"--platform", "linux/amd64,linux/arm64", "-o", "type=oci,dest="+out, "."); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 2 {
		t.Fatalf("got %d platform images, want 2", len(l.Images))
	}
	epoch := time.Unix(0, 0).UTC()
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		img, err := l.Image(p)
		if err != nil {
			t.Fatal(err)
		}
		c := img.Config
		if got := c.OS + "/" + c.Architecture; got != p {
			t.Errorf("%s: config platform %s", p, got)
		}
		if c.Created == nil || !c.Created.Equal(epoch) {
			t.Errorf("%s: created %v, want %v", p, c.Created, epoch)
		}
		if c.Config.User != "65532" || c.Config.WorkingDir != "/home/nonroot" {
			t.Errorf("%s: user %q workdir %q", p, c.Config.User, c.Config.WorkingDir)
		}
		if got := strings.Join(c.Config.Env, " "); got != "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" {
			t.Errorf("%s: env %q", p, got)
		}
		if c.Config.Labels["org.opencontainers.image.title"] != "base-files" || len(c.Config.Entrypoint) != 0 {
			t.Errorf("%s: labels %v entrypoint %v", p, c.Config.Labels, c.Config.Entrypoint)
		}
		if len(img.Layers) != 1 || len(c.History) != 1 {
			t.Errorf("%s: %d layers, %d history entries; want one of each", p, len(img.Layers), len(c.History))
		}
		if img.Manifest.Annotations["org.opencontainers.image.title"] != "base-files" {
			t.Errorf("%s: manifest annotations %v", p, img.Manifest.Annotations)
		}
		checkEntries(t, p, img, epoch, []wantEntry{
			{"/etc/passwd", tar.TypeReg, 0o644, 0, 0, "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"},
			{"/etc/group", tar.TypeReg, 0o644, 0, 0, "nonroot:x:65532:\n"},
			{"/etc/nsswitch.conf", tar.TypeReg, 0o644, 0, 0, "hosts: files dns\n"},
			{"/etc/os-release", tar.TypeSymlink, 0o777, 0, 0, "../usr/lib/os-release"},
			{"/usr/lib/os-release", tar.TypeReg, 0o644, 0, 0, `PRETTY_NAME="Distroless base-files"`},
			{"/etc", tar.TypeDir, 0o755, 0, 0, ""},
			{"/root", tar.TypeDir, 0o700, 0, 0, ""},
			{"/home/nonroot", tar.TypeDir, 0o700, 65532, 65532, ""},
			{"/tmp", tar.TypeDir, 0o1777, 0, 0, ""},
		})
		if n := len(img.Files()); n != 12 {
			t.Errorf("%s: %d paths in the image, want 12: %v", p, n, keys(img.Files()))
		}
	}
}

// manifestDigests lists each platform's manifest digest: what a runtime pulls.
// The index itself also lists buildx's provenance attestations, which record
// when and how each build ran and so differ between builds.
func manifestDigests(t *testing.T, l *OCILayout) string {
	t.Helper()
	var out []string
	for _, img := range l.Images {
		out = append(out, img.Platform.Architecture+"@"+img.Descriptor.Digest.String())
	}
	if len(out) == 0 {
		t.Fatal("no images in the layout")
	}
	return strings.Join(out, " ")
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestBuildxReproducible builds the same definition twice, the second time
// without cache and with a build argument, and expects identical digests when
// the inputs are equal and the epoch to follow SOURCE_DATE_EPOCH.
func TestBuildxReproducible(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "base-files")
	digests := map[string]string{}
	for _, run := range []struct {
		name string
		args []string
	}{
		{"first", nil},
		{"no-cache", []string{"--no-cache"}},
		{"epoch", []string{"--build-arg", "SOURCE_DATE_EPOCH=1700000000"}},
	} {
		out := filepath.Join(t.TempDir(), "img.tar")
		args := append([]string{"build", "-f", "distill.hcl", "--platform", "linux/amd64,linux/arm64",
			"-o", "type=oci,dest=" + out}, run.args...)
		if _, _, err := b.Buildx(t, dir, append(args, ".")...); err != nil {
			t.Fatal(err)
		}
		l, err := ReadOCILayout(out)
		if err != nil {
			t.Fatal(err)
		}
		digests[run.name] = manifestDigests(t, l)
		if run.name == "epoch" {
			img, err := l.Image("linux/arm64")
			if err != nil {
				t.Fatal(err)
			}
			want := time.Unix(1700000000, 0).UTC()
			if !img.Config.Created.Equal(want) {
				t.Errorf("created %v, want %v", img.Config.Created, want)
			}
			checkEntries(t, "epoch", img, want, []wantEntry{{"/etc/nsswitch.conf", tar.TypeReg, 0o644, 0, 0, "dns"}})
		}
	}
	if digests["first"] != digests["no-cache"] {
		t.Errorf("rebuilding without cache changed the digest: %s then %s", digests["first"], digests["no-cache"])
	}
	if digests["first"] == digests["epoch"] {
		t.Errorf("a different SOURCE_DATE_EPOCH gave the same digest %s", digests["first"])
	}
}

// TestBuildxSourceFiles copies files from the build context with the mode
// and owner the definition gives, and platform and target selection.
func TestBuildxSourceFiles(t *testing.T) {
	b := needBed(t)
	dir := definition(t, b, `
image "unused" {}
image "app" {
  platforms  = ["linux/amd64", "linux/arm64"]
  entrypoint = ["/usr/local/bin/app.sh"]
  cmd        = ["--help"]
  file "/usr/local/bin/app.sh" {
    source = "app.sh"
    mode   = "0750"
    owner  = "1000:2000"
  }
}
`, map[string]string{"app.sh": "#!/bin/sh\necho app\n"})
	if err := os.Chmod(filepath.Join(dir, "app.sh"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "img.tar")
	if _, _, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--target", "app",
		"--platform", "linux/arm64", "-o", "type=oci,dest="+out, "."); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 1 {
		t.Fatalf("got %d images, want only linux/arm64", len(l.Images))
	}
	img := l.Images[0]
	if img.Config.Architecture != "arm64" || strings.Join(img.Config.Config.Entrypoint, " ") != "/usr/local/bin/app.sh" ||
		strings.Join(img.Config.Config.Cmd, " ") != "--help" {
		t.Errorf("config %+v", img.Config)
	}
	checkEntries(t, "app", img, time.Unix(0, 0).UTC(), []wantEntry{
		{"/usr/local/bin/app.sh", tar.TypeReg, 0o750, 1000, 2000, "echo app"},
		{"/usr/local/bin", tar.TypeDir, 0o755, 0, 0, ""},
	})
}

// TestBuildxFollowsContextSymlink: a file source that is a symlink inside
// the context is copied as the file it names, as Dockerfile COPY does, and
// a platform given twice is built once.
func TestBuildxFollowsContextSymlink(t *testing.T) {
	b := needBed(t)
	dir := definition(t, b, `
image "app" {
  file "/etc/motd" { source = "motd" }
}
`, nil)
	if err := os.MkdirAll(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "real", "motd.txt"), []byte("welcome\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real/motd.txt", filepath.Join(dir, "motd")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "img.tar")
	if _, _, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--platform", "linux/amd64,linux/amd64",
		"-o", "type=oci,dest="+out, "."); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 1 {
		t.Fatalf("got %d images for linux/amd64 given twice, want 1", len(l.Images))
	}
	checkEntries(t, "app", l.Images[0], time.Unix(0, 0).UTC(), []wantEntry{
		{"/etc/motd", tar.TypeReg, 0o644, 0, 0, "welcome"},
	})
}
