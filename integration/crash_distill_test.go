package integration

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/distill-build/distill/internal/buildkitd"
)

// TestCLIDaemonKilledMidBuild runs the CLI with its own shared daemon (no
// --addr; the default, BuildKit built into distill, with no buildkitd on
// PATH), kills that daemon with SIGKILL in the middle of a cold python3
// build, and runs the build again: the rerun succeeds on its first try,
// with the digest an uninterrupted build on the bed's daemon gives.
func TestCLIDaemonKilledMidBuild(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	src := exampleWithLock(t, b, "distroless-debian12")
	env, shared := cliOwnDaemon(t)
	build := func(out string) *exec.Cmd {
		cmd := exec.CommandContext(t.Context(), cli, append([]string{"build", "--progress", "plain", "--target", "python3",
			"--platform", "linux/amd64", "-o", "type=oci,dest=" + out}, append(mirrorArgs(t), filepath.Join(src, "distill.hcl"))...)...)
		cmd.Env = env
		return cmd
	}

	// The first build: kill the daemon once it is unpacking packages.
	first := build(filepath.Join(t.TempDir(), "killed.tar"))
	stderr, err := first.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	var seen []string
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		seen = append(seen, sc.Text())
		if !killed && strings.Contains(sc.Text(), "unpack ") {
			// The supervisor writes the pid file once the daemon answers,
			// which may be just after the client saw it answer.
			pid, err := os.ReadFile(shared.PidFile())
			for deadline := time.Now().Add(10 * time.Second); err != nil && time.Now().Before(deadline); {
				time.Sleep(100 * time.Millisecond)
				pid, err = os.ReadFile(shared.PidFile())
			}
			if err != nil {
				t.Fatalf("the daemon's pid file: %v\n%s", err, strings.Join(seen, "\n"))
			}
			n, err := strconv.Atoi(strings.TrimSpace(string(pid)))
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(500 * time.Millisecond) // mid-unpack
			if err := syscall.Kill(n, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	if err := first.Wait(); err == nil || !killed {
		t.Fatalf("the interrupted build: killed %v, error %v\n%s", killed, err, strings.Join(seen, "\n"))
	}

	// The rerun, on its first try.
	out := filepath.Join(t.TempDir(), "rerun.tar")
	if _, stderr, err := run(t, build(out)); err != nil {
		t.Fatalf("the first rerun after the kill failed: %v\n%s", err, stderr)
	}
	// The killed daemon's mounts of its snapshots outside its root are
	// gone too; the new daemon, idle, holds none there.
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if strings.Contains(line, " "+shared.Root()+"/") && strings.Contains(line, " /tmp/buildkit-mount") {
			t.Errorf("left mounted after the rerun: %s", line)
		}
	}
	got, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if args := daemonArgs(t, shared); len(args) < 2 || args[0] != cli || args[1] != buildkitd.EmbeddedCmd {
		t.Errorf("the rerun's daemon runs %q, want %s %s", args, cli, buildkitd.EmbeddedCmd)
	}

	// The same build, uninterrupted, on the bed's daemon.
	ref := filepath.Join(t.TempDir(), "ref.tar")
	args := append([]string{"build", "-f", "distill.hcl", "--target", "python3", "--platform", "linux/amd64",
		"-o", "type=oci,dest=" + ref}, mirrorArgs(t)...)
	if _, _, err := b.Buildx(t, src, append(args, ".")...); err != nil {
		t.Fatal(err)
	}
	want, err := ReadOCILayout(ref)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := manifestDigests(t, got), manifestDigests(t, want); g != w {
		t.Errorf("the rerun gave %s, an uninterrupted build %s", g, w)
	}
}
