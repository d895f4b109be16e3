package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// goBuild builds a static Go program for linux/arch.
func goBuild(t *testing.T, dir, arch, src, out string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", out, src)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GO111MODULE=off")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build for %s: %v\n%s", arch, err, b)
	}
}

// cc compiles a C or C++ program for this machine, linked against its glibc.
func cc(t *testing.T, dir, src, out string, flags ...string) {
	t.Helper()
	args := append([]string{"-O2", "-o", filepath.Join(dir, out), filepath.Join(dir, src)}, flags...)
	cmd := exec.Command("cc", args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cc %s (install gcc): %v\n%s", src, err, b)
	}
}
