package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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

// crossCC compiles a C or C++ program for linux/arch, with Debian's cross
// compiler when arch is not this machine's (.ci/run installs the arm64 one).
func crossCC(t *testing.T, dir, src, out, arch string, flags ...string) {
	t.Helper()
	compiler := "cc"
	if arch != runtime.GOARCH {
		triplet := map[string]string{"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}[arch]
		compiler = triplet + "-gcc"
	}
	args := append([]string{"-O2", "-o", filepath.Join(dir, out), filepath.Join(dir, src)}, flags...)
	if b, err := exec.Command(compiler, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s (install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu): %v\n%s", compiler, src, err, b)
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
