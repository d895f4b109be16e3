package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLISignalWhileReading: a definition that never finishes (a FIFO no
// one writes) is given up on at SIGINT or SIGTERM, with a message, not only
// at SIGKILL. The test opens the FIFO's writing end, which returns once the
// CLI has opened the reading end: the signal then reaches a CLI blocked in
// reading, with no sleep to guess when.
func TestCLISignalWhileReading(t *testing.T) {
	cli := cliBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			fifo := filepath.Join(t.TempDir(), "distill.hcl")
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), cli, "build", "--addr", "unix:///nonexistent.sock", fifo)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 ||
				!strings.Contains(stderr.String(), "error: reading the definition: interrupted: "+sig.String()+" signal received") {
				t.Errorf("exit %v (code %d), stderr:\n%s", err, code, stderr.String())
			}
		})
	}
}

// TestCLIFileSourceErrors: the CLI names the context it was given when a
// file's source is not in it.
func TestCLIFileSourceErrors(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	dir := definition(t, b, "image \"x\" {\n  file \"/etc/motd\" { source = \"missing.txt\" }\n}\n", nil)
	dest := filepath.Join(t.TempDir(), "x.tar")
	_, stderr, err := run(t, exec.CommandContext(t.Context(), cli, "build", "--addr", b.BuildkitAddr, "--progress", "plain",
		"--context", dir, "-o", "type=oci,dest="+dest, filepath.Join(dir, "distill.hcl")))
	want := "distill.hcl:3,31-44: Bad file source; missing.txt is not in the build context " + dir + ": add it there"
	if err == nil || !strings.Contains(stderr, want) || !strings.Contains(stderr, `>>>   file "/etc/motd" { source = "missing.txt" }`) {
		t.Errorf("error %v, want %q:\n%s", err, want, stderr)
	}
	if _, err := os.Stat(dest); !os.IsNotExist(err) {
		t.Errorf("a failed build wrote %s", dest)
	}
}

// TestLockWarnsUnknownExclude: distill lock reads the archive's indexes,
// and warns at the exclude line of a name no package has.
func TestLockWarnsUnknownExclude(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	body := strings.Replace(smallDefinition, `packages  = ["netbase", "media-types"]`,
		`packages  = ["netbase", "media-types"]
  exclude   = ["mawkk"]`, 1)
	dir := definition(t, b, body, nil)
	_, stderr, err := run(t, exec.CommandContext(t.Context(), cli, "lock", "--addr", b.BuildkitAddr, "--progress", "plain", filepath.Join(dir, "distill.hcl")))
	want := "1 warning found:\n - Unknown excluded package: \"mawkk\" is no package of the archive for amd64, so excluding it excludes nothing: check the name. (line 11)\n"
	if err != nil || !strings.Contains(stderr, want) {
		t.Errorf("lock: %v; want the warning %q:\n%s", err, want, stderr)
	}
}
