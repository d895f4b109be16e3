package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Shared is the layout of one user's long-lived buildkitd under a state
// directory: the daemon's root, its socket, its log, and the locks that
// let concurrent clients share it. A supervisor (Supervise) owns the
// daemon and stops it once no client has used it for a while.
type Shared struct{ Dir string }

func (s Shared) Root() string    { return filepath.Join(s.Dir, "root") }
func (s Shared) Socket() string  { return filepath.Join(s.Dir, "buildkitd.sock") }
func (s Shared) Addr() string    { return "unix://" + s.Socket() }
func (s Shared) Log() string     { return filepath.Join(s.Dir, "buildkitd.log") }
func (s Shared) PidFile() string { return filepath.Join(s.Dir, "buildkitd.pid") }

// startLock serializes start-up, so that two clients never start two
// daemons; usersLock is held shared by every client for as long as it
// builds, and exclusively by the supervisor while it stops the daemon.
func (s Shared) startLock() string { return filepath.Join(s.Dir, "start.lock") }
func (s Shared) usersLock() string { return filepath.Join(s.Dir, "users.lock") }

// Client is a client's hold on the shared daemon; Release it when the
// build is over.
type Client struct{ users *os.File }

// Release lets the supervisor count the daemon idle from now.
func (c *Client) Release() {
	now := time.Now()
	_ = os.Chtimes(c.users.Name(), now, now) // best effort: a missed touch only shortens the idle wait
	_ = c.users.Close()                      // closing drops the flock
}

// Use returns a hold on the shared daemon, starting it with start (which
// runs the supervisor, detached) when none answers. A daemon that does not
// answer is one that crashed or was killed: what it left (its processes,
// mounts, socket) is cleaned up first, so the next start succeeds.
func (s Shared) Use(ctx context.Context, start func() error) (*Client, bool, error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("the local buildkitd's directory: %w", err)
	}
	if len(s.Socket()) > maxSocketPath {
		return nil, false, fmt.Errorf("the local buildkitd's socket %s is longer than a unix socket allows (%d bytes): set DISTILL_CACHE_DIR to a shorter directory", s.Socket(), maxSocketPath)
	}
	lock, err := flock(ctx, s.startLock(), syscall.LOCK_EX)
	if err != nil {
		return nil, false, err
	}
	defer lock.Close() // drops the start-up lock
	users, err := flock(ctx, s.usersLock(), syscall.LOCK_SH)
	if err != nil {
		return nil, false, err
	}
	c := &Client{users: users}
	now := time.Now()
	_ = os.Chtimes(users.Name(), now, now) // a use, for the idle count: best effort
	if answers(ctx, s.Addr(), 2*time.Second) {
		return c, false, nil
	}
	if err := s.Clean(); err != nil {
		c.Release()
		return nil, false, err
	}
	if err := start(); err != nil {
		c.Release()
		return nil, false, err
	}
	// The supervisor started the daemon, detached: no exit to wait for.
	if err := waitWorkers(ctx, s.Addr(), nil); err != nil {
		c.Release()
		return nil, false, fmt.Errorf("the local buildkitd did not answer on %s: %w\n%s (tail):\n%s", s.Addr(), err, s.Log(), fileTail(s.Log(), 3<<10))
	}
	return c, true, nil
}

// answers reports whether a daemon at addr lists a worker within wait.
func answers(ctx context.Context, addr string, wait time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return listsWorkers(ctx, addr) == nil
}

// Clean removes what a daemon that died without stopping left behind: its
// process if it still runs (hung), the runc containers it ran, the mounts
// under its root, the snapshot directories its metadata never recorded,
// its socket and pid file. Without this, the next daemon's first build can
// fail in the overlay snapshotter (see docs/buildkitd.md).
func (s Shared) Clean() error {
	var errs []error
	if pid, err := readPid(s.PidFile()); err == nil && pid > 1 {
		killGroup(pid, s.Root())
	}
	errs = append(errs, Unmount(s.Root()))
	errs = append(errs, dropOrphanSnapshots(context.Background(), s.Root()))
	for _, p := range []string{s.Socket(), s.PidFile()} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleaning up after the last local buildkitd (under %s): %w", s.Dir, err)
	}
	return nil
}

// killGroup kills the daemon's process group: the daemon, if it still runs
// (hung), and the runc children it started, which outlive a SIGKILLed
// daemon. While pid runs, it must be a buildkitd of root (the pid file
// may be stale and the pid reused); once it is gone, no new process can
// take pid while its group lives, so a group -pid is still the daemon's.
func killGroup(pid int, root string) {
	if syscall.Kill(pid, 0) == nil && !isDaemonOf(pid, root) {
		return
	}
	_ = syscall.Kill(-pid, syscall.SIGKILL) // an error: the group is gone already
	for i := 0; i < 50 && syscall.Kill(-pid, 0) == nil; i++ {
		time.Sleep(100 * time.Millisecond)
	}
}

func readPid(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

// isDaemonOf reports whether pid is a buildkitd with root as its --root:
// a pid file can outlive its process, and the pid be reused.
func isDaemonOf(pid int, root string) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return false
	}
	args := strings.Split(string(b), "\x00")
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--root" && args[i+1] == root {
			return true
		}
	}
	return false
}

// flock opens path and locks it, waiting until ctx ends.
func flock(ctx context.Context, path string, how int) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the local buildkitd's lock: %w", err)
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("waiting for %s (another distill is starting or stopping the local buildkitd): %w", path, context.Cause(ctx))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// fileTail is the last n bytes of a file, for error messages.
func fileTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return err.Error()
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > n {
		_, _ = f.Seek(-n, io.SeekEnd) // on failure the whole file shows
	}
	b, _ := io.ReadAll(f) // what was read is what there is to show
	return string(b)
}
