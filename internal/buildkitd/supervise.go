package buildkitd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"time"
)

// Supervise runs the shared daemon and stops it once no client has used
// it for idle: buildkitd has no idle exit of its own. daemon says which
// daemon to run (Binary, Embedded) and where it logs; Supervise sets its
// Root and Socket. Clients hold the users lock shared while they build and
// touch it when they start and finish; the supervisor takes it exclusively
// to stop the daemon, so no client starts a build on a daemon going away.
// When the daemon dies (killed, crashed), the supervisor cleans up after it
// and returns an error.
func (s Shared) Supervise(ctx context.Context, daemon Config, idle time.Duration) error {
	daemon.Root, daemon.Socket = s.Root(), s.Socket()
	log := cmp.Or[io.Writer](daemon.Log, io.Discard)
	d, err := Start(ctx, daemon)
	if err != nil {
		return err
	}
	if err := os.WriteFile(s.PidFile(), []byte(strconv.Itoa(d.Pid())+"\n"), 0o600); err != nil {
		return errors.Join(fmt.Errorf("the local buildkitd's pid file: %w", err), d.Stop())
	}
	tick := time.NewTicker(max(min(idle/4, 30*time.Second), 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-d.exited:
			return errors.Join(fmt.Errorf("buildkitd (pid %d) exited: %w", d.Pid(), cmp.Or(d.waitErr, errors.New("exit status 0"))), s.cleanAfter())
		case <-ctx.Done():
			return errors.Join(d.Stop(), s.cleanAfter())
		case <-tick.C:
		}
		if s.idleFor() < idle {
			continue
		}
		users, err := os.OpenFile(s.usersLock(), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return errors.Join(err, d.Stop(), s.Clean())
		}
		if syscall.Flock(int(users.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil || s.idleFor() < idle {
			_ = users.Close() // someone builds: not idle
			continue
		}
		_, _ = fmt.Fprintf(log, "distill: no build for %s: stopping buildkitd\n", idle)
		err = errors.Join(d.Stop(), s.Clean())
		_ = users.Close() // drops the lock, once the daemon is gone
		return err
	}
}

// idleFor is how long since a client last started or finished a build.
func (s Shared) idleFor() time.Duration {
	fi, err := os.Stat(s.usersLock())
	if err != nil {
		return 0 // cannot tell: not idle
	}
	return time.Since(fi.ModTime())
}

// cleanAfter cleans up after the supervisor's own daemon died, unless a run
// has started another since: by the time the daemon is found dead (its
// runc children may hold its output open a while), a run that found no
// daemon may have started a new one, whose socket, pid file, mounts and
// process this clean-up would otherwise take. Runs start daemons under
// the start-up lock, so the supervisor takes it too, and cleans only when
// no daemon answers.
func (s Shared) cleanAfter() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout+time.Minute)
	defer cancel()
	lock, err := flock(ctx, s.startLock(), syscall.LOCK_EX)
	if err != nil {
		return err
	}
	defer lock.Close()
	if answers(ctx, s.Addr(), 2*time.Second) {
		return nil // another run's daemon: it is not ours to clean
	}
	return s.Clean()
}
