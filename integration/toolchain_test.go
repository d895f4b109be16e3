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

// javac compiles one Java source file for release 17.
func javac(t *testing.T, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("javac", "--release", "17", name)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("javac %s (install a JDK: apt-get install default-jdk-headless): %v\n%s", name, err, b)
	}
}
