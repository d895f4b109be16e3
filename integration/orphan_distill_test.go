package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/internal/buildkitd"
	bolt "go.etcd.io/bbolt"
)

// TestCLIDaemonOrphanSnapshot leaves, in the CLI's shared daemon's state,
// exactly what a daemon killed between containerd's rename of a new
// snapshot directory and the commit of its ID leaves: the next ID's
// directory. A plain buildkitd on that state fails its first build in the
// overlay snapshotter ("failed to rename …: file exists"), which is the
// failure seen after killing a daemon mid-build. The CLI cleans up before
// it starts its daemon, so its next build succeeds on its first try, with
// the digest of the build before the kill.
func TestCLIDaemonOrphanSnapshot(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	src := exampleWithLock(t, b, "distroless-debian12")
	env, shared := cliOwnDaemon(t)
	build := func(out string, more ...string) *exec.Cmd {
		args := append([]string{"build", "--progress", "plain", "--target", "static", "--platform", "linux/amd64",
			"-o", "type=oci,dest=" + out}, more...)
		cmd := exec.CommandContext(t.Context(), cli, append(append(args, mirrorArgs(t)...), filepath.Join(src, "distill.hcl"))...)
		cmd.Env = env
		return cmd
	}

	first := filepath.Join(t.TempDir(), "first.tar")
	if _, stderr, err := run(t, build(first)); err != nil {
		t.Fatalf("the first build: %v\n%s", err, stderr)
	}
	killUnder(shared.Dir) // the supervisor and its daemon at once, as a crash would
	waitGone(t, shared.PidFile())
	plantOrphan(t, shared.Root())

	// The cause: a plain buildkitd on that state fails in the snapshotter.
	// Its garbage collection is off: a collection that removes a snapshot
	// also runs containerd's Cleanup, which removes the orphan too, and
	// buildkitd's first comes a second after start, racing the build.
	plain, err := buildkitd.Start(t.Context(), buildkitd.Config{
		Binary: b.Tools.Buildkitd, Root: shared.Root(), Socket: filepath.Join(shared.Dir, "plain.sock"),
		ConfigTOML: "[worker.oci]\n  gc = false\n",
	})
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, err := run(t, build(filepath.Join(t.TempDir(), "plain.tar"), "--addr", plain.Addr(), "--no-cache"))
	if stopErr := plain.Stop(); stopErr != nil {
		t.Fatal(stopErr)
	}
	if err == nil || !strings.Contains(stderr, "failed to rename") || !strings.Contains(stderr, "file exists") {
		t.Errorf("a plain buildkitd over an orphaned snapshot: %v, want the snapshotter's rename failure (if BuildKit now recovers, docs/buildkitd.md can say so)\n%s", err, stderr)
	}

	// The CLI: its first build after the crash succeeds.
	plantOrphan(t, shared.Root()) // the failed Prepare removed it
	rerun := filepath.Join(t.TempDir(), "rerun.tar")
	if _, stderr, err := run(t, build(rerun, "--no-cache")); err != nil {
		t.Fatalf("the CLI's first build after the crash: %v\n%s", err, stderr)
	}
	if g, w := manifestDigests(t, readLayout(t, rerun)), manifestDigests(t, readLayout(t, first)); g != w {
		t.Errorf("the rebuild gave %s, the build before the kill %s", g, w)
	}
}

// plantOrphan makes the directory of the next snapshot ID the overlay
// snapshotter under root will hand out, as a kill between its rename and
// its commit leaves it.
func plantOrphan(t *testing.T, root string) {
	t.Helper()
	dir := buildkitd.OverlaySnapshots(root)
	db, err := bolt.Open(filepath.Join(dir, "metadata.db"), 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var next uint64
	err = db.View(func(tx *bolt.Tx) error {
		next = tx.Bucket([]byte("v1")).Bucket([]byte("snapshots")).Sequence() + 1
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "snapshots", strconv.FormatUint(next, 10), "fs"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// waitGone waits until the process the pid file names has exited.
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	dt, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the daemon's pid file: %v", err)
	}
	pid := strings.TrimSpace(string(dt))
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		// Gone, or a zombie nobody has reaped yet: either way it holds nothing.
		if os.IsNotExist(err) || err == nil && strings.Contains(string(stat), ") Z ") {
			return
		}
	}
	t.Fatalf("buildkitd (pid %s) still runs 30 s after SIGKILL", pid)
}
