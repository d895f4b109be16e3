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

// binfmtHelp says how to provide what ensureBinfmt couldn't.
const binfmtHelp = "running arm64 binaries needs binfmt_misc with QEMU: apt-get install qemu-user-static binfmt-support, then mount -t binfmt_misc binfmt_misc " + binfmtDir + " and update-binfmts --enable qemu-aarch64"

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

// ensureBinfmt makes the kernel run aarch64 ELF binaries with QEMU: it
// mounts binfmt_misc if needed and enables Debian's qemu-aarch64 entry.
func ensureBinfmt(logf func(string, ...any)) error {
	if ok, flags, _ := binfmtEntry("qemu-aarch64"); ok {
		logf("binfmt: qemu-aarch64 enabled (flags %q)", flags)
		return nil
	}
	if _, err := os.Stat(filepath.Join(binfmtDir, "register")); err != nil {
		if err := syscall.Mount("binfmt_misc", binfmtDir, "binfmt_misc", 0, ""); err != nil {
			return fmt.Errorf("mount binfmt_misc on %s: %w; %s", binfmtDir, err, binfmtHelp)
		}
		logf("binfmt: mounted binfmt_misc on %s", binfmtDir)
	}
	for _, bin := range []string{"update-binfmts", "qemu-aarch64-static"} {
		if _, err := exec.LookPath(bin); err != nil {
			return fmt.Errorf("%s not found; %s", bin, binfmtHelp)
		}
	}
	if out, err := exec.Command("update-binfmts", "--enable", "qemu-aarch64").CombinedOutput(); err != nil {
		return fmt.Errorf("update-binfmts --enable qemu-aarch64: %w: %s; %s", err, strings.TrimSpace(string(out)), binfmtHelp)
	}
	ok, flags, err := binfmtEntry("qemu-aarch64")
	if !ok {
		return fmt.Errorf("qemu-aarch64 still not enabled (%v); %s", err, binfmtHelp)
	}
	logf("binfmt: enabled qemu-aarch64 (flags %q)", flags)
	return nil
}
