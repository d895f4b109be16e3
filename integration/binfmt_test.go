package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

const binfmtDir = "/proc/sys/fs/binfmt_misc"

// emulators are the binfmt_misc entries the tests run foreign programs
// with: arm64 for the catalogue, and arm, ppc64le and s390x for
// TestForeignArchitectures.
var emulators = []string{"qemu-aarch64", "qemu-arm", "qemu-ppc64le", "qemu-s390x"}

// binfmtHelp says how to provide what ensureBinfmt couldn't.
const binfmtHelp = "running foreign binaries needs binfmt_misc with QEMU: apt-get install qemu-user-static binfmt-support, then mount -t binfmt_misc binfmt_misc " + binfmtDir + " and update-binfmts --enable qemu-aarch64 (and qemu-arm, qemu-ppc64le, qemu-s390x)"

// binfmtEntry reads a binfmt_misc registration: whether it is enabled and
// its flags (F: the interpreter is opened at registration, so it works in
// containers whose rootfs lacks it, as under buildkitd).
func binfmtEntry(name string) (enabled bool, flags string, err error) {
	b, err := os.ReadFile(filepath.Join(binfmtDir, name))
	if err != nil {
		return false, "", err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "flags: "); ok {
			flags = v
		}
	}
	return strings.HasPrefix(string(b), "enabled"), flags, nil
}

// ensureBinfmt makes the kernel run the emulated architectures' ELF binaries
// with QEMU: it mounts binfmt_misc if needed and enables Debian's entries.
func ensureBinfmt(logf func(string, ...any)) error {
	for _, name := range emulators {
		if err := enableEmulator(name, logf); err != nil {
			return err
		}
	}
	return nil
}

func enableEmulator(name string, logf func(string, ...any)) error {
	if ok, flags, _ := binfmtEntry(name); ok {
		logf("binfmt: %s enabled (flags %q)", name, flags)
		return nil
	}
	if _, err := os.Stat(filepath.Join(binfmtDir, "register")); err != nil {
		if err := syscall.Mount("binfmt_misc", binfmtDir, "binfmt_misc", 0, ""); err != nil {
			return fmt.Errorf("mount binfmt_misc on %s: %w; %s", binfmtDir, err, binfmtHelp)
		}
		logf("binfmt: mounted binfmt_misc on %s", binfmtDir)
	}
	for _, bin := range []string{"update-binfmts", name + "-static"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found; %s", bin, binfmtHelp)
		}
	}
	if out, err := exec.Command("update-binfmts", "--enable", name).CombinedOutput(); err != nil {
		return fmt.Errorf("update-binfmts --enable %s: %w: %s; %s", name, err, strings.TrimSpace(string(out)), binfmtHelp)
	}
	ok, flags, err := binfmtEntry(name)
	if err != nil {
		return fmt.Errorf("%s still not enabled (%w); %s", name, err, binfmtHelp)
	}
	if !ok {
		return fmt.Errorf("%s still not enabled; %s", name, binfmtHelp)
	}
	logf("binfmt: enabled %s (flags %q)", name, flags)
	return nil
}
