package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/distill-build/distill/internal/buildkitd"
)

// cliOwnDaemon is the environment in which the CLI runs its own shared
// daemon, as it does for a user who installed runc and distill and nothing
// else: PATH without any directory holding a buildkitd, no BUILDKIT_HOST or
// DISTILL_BUILDKITD, and the daemon under a temporary cache directory
// (DISTILL_CACHE_DIR, short enough for its socket). The supervisor, the
// daemon and what they leave are removed when the test ends.
func cliOwnDaemon(t testing.TB) ([]string, buildkitd.Shared) {
	t.Helper()
	cache, err := os.MkdirTemp("", "dc-")
	if err != nil {
		t.Fatal(err)
	}
	shared := buildkitd.Shared{Dir: filepath.Join(cache, "daemon")}
	t.Cleanup(func() {
		killUnder(cache) // the supervisor, then what the daemon left
		if err := shared.Clean(); err != nil {
			t.Errorf("cleaning up the CLI's daemon: %v", err)
		}
		_ = os.RemoveAll(cache) // best effort, as t.TempDir's would be
	})
	var dirs []string
	runc := false
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if !executableIn(d, "buildkitd") {
			dirs = append(dirs, d)
			runc = runc || executableIn(d, "runc")
		}
	}
	path := strings.Join(dirs, string(filepath.ListSeparator))
	if !runc {
		t.Fatalf("no runc on PATH %s: the bed needs it", path)
	}
	env := withoutEnv(withoutEnv(withoutEnv(os.Environ(), "BUILDKIT_HOST"), "DISTILL_BUILDKITD"), "PATH")
	return append(env, "PATH="+path, "DISTILL_CACHE_DIR="+cache, "DISTILL_BUILDKITD_IDLE=2m"), shared
}

func executableIn(dir, name string) bool {
	fi, err := os.Stat(filepath.Join(dir, name))
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// daemonArgs is the command line of the shared daemon's process, read
// through its pid file.
func daemonArgs(t testing.TB, shared buildkitd.Shared) []string {
	t.Helper()
	pid, err := os.ReadFile(shared.PidFile())
	if err != nil {
		t.Fatalf("the daemon's pid file: %v", err)
	}
	cmdline, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/cmdline")
	if err != nil {
		t.Fatalf("the daemon's command line: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(cmdline), "\x00"), "\x00")
}

// withoutEnv is env without the variable name.
func withoutEnv(env []string, name string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, name+"=") {
			out = append(out, e)
		}
	}
	return out
}

// killUnder kills every process whose command line names dir: the CLI's
// supervisor and daemon of a test's own cache directory.
func killUnder(dir string) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil || !strings.Contains(string(cmdline), dir) {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(p))); err == nil && pid != os.Getpid() {
			_ = syscall.Kill(pid, syscall.SIGKILL) // best effort: it may be gone
		}
	}
}
