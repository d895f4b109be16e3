// Package buildkitd starts and stops a local buildkitd with an OCI (runc)
// worker: a buildkitd binary, or distill's own binary serving BuildKit
// in-process (internal/bkserver). The integration tests use it, and so does
// the distill CLI when no BUILDKIT_HOST is configured.
package buildkitd

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"
)

// EmbeddedCmd is distill's hidden command that serves BuildKit in-process
// (internal/bkserver). It takes buildkitd's --root and --addr.
const EmbeddedCmd = "buildkitd"

// Config says which buildkitd to run and where it keeps its state.
type Config struct {
	Binary string // path to buildkitd; "buildkitd" (looked up on PATH) if empty
	// Embedded says Binary is distill, run as `distill buildkitd`: it has
	// the one OCI worker and reads no buildkitd.toml (ConfigTOML must be
	// empty).
	Embedded   bool
	Root       string    // state directory (--root); created if missing
	Socket     string    // unix socket path the daemon listens on (--addr unix://…)
	ConfigTOML string    // contents of buildkitd.toml; none if empty
	Log        io.Writer // receives the daemon's stdout and stderr; may be nil
	// Listen are more addresses to serve besides Socket, such as
	// tcp://127.0.0.1:1234, whose TLS [grpc.tls] in ConfigTOML sets.
	Listen []string
}

const (
	// startTimeout bounds the wait for the daemon to answer when ctx has no
	// earlier deadline.
	startTimeout = time.Minute
	// stopGrace is how long buildkitd gets after SIGTERM to unmount and exit.
	stopGrace = 10 * time.Second
	// maxSocketPath is sun_path's size on Linux minus the terminating NUL.
	maxSocketPath = 107
)

// Daemon is a running buildkitd started by Start.
type Daemon struct {
	cmd        *exec.Cmd
	addr       string
	configPath string
	tail       *tailBuffer
	exited     chan struct{} // closed when the process has been reaped
	waitErr    error         // valid after exited is closed

	stopOnce sync.Once
	stopErr  error
}

// Start runs buildkitd in its own process group and returns once it lists
// its workers. ctx bounds only the start-up wait: the daemon runs until Stop
// (or until the calling process dies: it gets SIGTERM then).
func Start(ctx context.Context, cfg Config) (*Daemon, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return nil, fmt.Errorf("buildkitd's OCI worker needs runc on PATH: install runc (apt-get install runc): %w", err)
	}
	bin := cfg.Binary
	if bin == "" {
		bin = "buildkitd"
	}
	bin, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("find buildkitd: %w", err)
	}
	if err := os.MkdirAll(cfg.Root, 0o700); err != nil {
		return nil, fmt.Errorf("create buildkitd root: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.Socket), 0o700); err != nil {
		return nil, fmt.Errorf("create buildkitd socket directory: %w", err)
	}

	d := &Daemon{
		addr:   "unix://" + cfg.Socket,
		tail:   newTailBuffer(8 << 10),
		exited: make(chan struct{}),
	}
	if cfg.ConfigTOML != "" {
		// A temp file rather than a file next to Root: Root's parent may be
		// shared, and buildkitd reads its config once, at start-up.
		f, err := os.CreateTemp("", "buildkitd-*.toml")
		if err != nil {
			return nil, fmt.Errorf("write buildkitd.toml: %w", err)
		}
		d.configPath = f.Name()
		_, err = f.WriteString(cfg.ConfigTOML)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(d.configPath) // best effort: a stray temp file
			return nil, fmt.Errorf("write buildkitd.toml: %w", err)
		}
	}

	var out io.Writer = d.tail
	if cfg.Log != nil {
		out = io.MultiWriter(d.tail, lenientWriter{cfg.Log})
	}
	d.cmd = exec.Command(bin, cfg.args(d.configPath)...)
	d.cmd.Stdout = out
	d.cmd.Stderr = out
	d.cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // signals to our process group (Ctrl-C) don't hit it
		Pdeathsig: syscall.SIGTERM, // but it doesn't outlive us either
	}
	// Children (runc, shims) may inherit the output pipe; don't let them
	// keep Wait from returning.
	d.cmd.WaitDelay = time.Second
	if err := d.cmd.Start(); err != nil {
		d.removeConfig()
		return nil, fmt.Errorf("start buildkitd: %w", err)
	}
	go func() {
		d.waitErr = d.cmd.Wait()
		close(d.exited)
	}()

	if err := d.waitReady(ctx); err != nil {
		_ = d.Stop() // the start-up error and the log tail say more
		return nil, fmt.Errorf("%w\nbuildkitd log (tail):\n%s", err, d.tail.String())
	}
	return d, nil
}

// Addr is the daemon's address for client.New and --addr flags.
func (d *Daemon) Addr() string { return d.addr }

// Pid is the daemon's process id.
func (d *Daemon) Pid() int { return d.cmd.Process.Pid }

// LogTail returns the last few KiB the daemon wrote, for error messages.
func (d *Daemon) LogTail() string { return d.tail.String() }

// Stop sends SIGTERM, gives the daemon stopGrace to unmount and exit, then
// kills its process group. It is safe to call more than once.
func (d *Daemon) Stop() error {
	d.stopOnce.Do(func() {
		defer d.removeConfig()
		select {
		case <-d.exited:
			return // already gone; Start reports unexpected exits
		default:
		}
		if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
			d.stopErr = fmt.Errorf("stop buildkitd (pid %d): %w", d.Pid(), err)
		}
		select {
		case <-d.exited:
			return
		case <-time.After(stopGrace):
		}
		// Negative pid: the whole group, runc children included. An error
		// means the group is already gone.
		_ = syscall.Kill(-d.Pid(), syscall.SIGKILL)
		<-d.exited
		d.stopErr = fmt.Errorf("buildkitd (pid %d) ignored SIGTERM for %s and was killed; its root may hold stale mounts", d.Pid(), stopGrace)
	})
	return d.stopErr
}

// waitReady waits until the daemon lists at least one worker, it exits, or
// the start-up deadline passes.
func (d *Daemon) waitReady(ctx context.Context) error {
	err := waitWorkers(ctx, d.addr, d.exited)
	switch {
	case errors.Is(err, errExited):
		// Wait returns nil for a clean exit.
		return fmt.Errorf("buildkitd exited during start-up: %w", cmp.Or(d.waitErr, errors.New("exit status 0")))
	case err != nil:
		return fmt.Errorf("buildkitd did not answer on %s: %w", d.addr, err)
	}
	return nil
}

// errExited is waitWorkers' answer when the daemon's process has exited.
var errExited = errors.New("the daemon exited")

// waitWorkers polls the daemon at addr until it lists a worker, within
// startTimeout; a close of exited, the daemon's process having exited,
// ends the wait with errExited (nil: a daemon not this process's child).
func waitWorkers(ctx context.Context, addr string, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	lastErr := errors.New("no answer yet")
	for {
		select {
		case <-exited:
			return errExited
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %w)", ctx.Err(), lastErr)
		case <-tick.C:
		}
		pctx, pcancel := context.WithTimeout(ctx, 2*time.Second)
		lastErr = listsWorkers(pctx, addr)
		pcancel()
		if lastErr == nil {
			return nil
		}
	}
}

// listsWorkers asks the daemon at addr for its workers with a client of
// its own: a gRPC client whose dial found no socket yet waits a second or
// more before it dials again, longer than the daemon takes to start.
func listsWorkers(ctx context.Context, addr string) error {
	c, err := client.New(ctx, addr)
	if err != nil {
		return fmt.Errorf("buildkitd client for %s: %w", addr, err)
	}
	defer c.Close()
	workers, err := c.ListWorkers(ctx)
	switch {
	case err != nil:
		return err
	case len(workers) == 0:
		return errors.New("no workers")
	}
	return nil
}

func (d *Daemon) removeConfig() {
	if d.configPath != "" {
		_ = os.Remove(d.configPath) // best effort: a stray temp file
	}
}

func (cfg Config) validate() error {
	switch {
	case cfg.Root == "":
		return errors.New("buildkitd: Config.Root is empty")
	case cfg.Socket == "":
		return errors.New("buildkitd: Config.Socket is empty")
	case !filepath.IsAbs(cfg.Socket):
		return fmt.Errorf("buildkitd: socket path %q is not absolute", cfg.Socket)
	case len(cfg.Socket) > maxSocketPath:
		return fmt.Errorf("buildkitd: socket path %q is %d bytes, longer than a unix socket allows (%d)", cfg.Socket, len(cfg.Socket), maxSocketPath)
	case cfg.Embedded && cfg.Binary == "":
		return errors.New("buildkitd: the embedded daemon needs Config.Binary, the distill binary to run")
	case cfg.Embedded && cfg.ConfigTOML != "":
		return errors.New("buildkitd: the embedded daemon reads no buildkitd.toml; Config.ConfigTOML must be empty")
	}
	return nil
}

// args are buildkitd's flags, or the embedded command and its flags;
// configPath is empty when there is no config.
func (cfg Config) args(configPath string) []string {
	args := []string{"--oci-worker=true", "--containerd-worker=false"}
	if cfg.Embedded {
		args = []string{EmbeddedCmd}
	}
	args = append(args, "--root", cfg.Root, "--addr", "unix://"+cfg.Socket)
	for _, a := range cfg.Listen {
		args = append(args, "--addr", a)
	}
	if configPath != "" {
		args = append(args, "--config", configPath)
	}
	return args
}

// lenientWriter drops its writer's errors: a failing Log must neither stop
// the tail buffer nor block the daemon on a full pipe.
type lenientWriter struct{ w io.Writer }

func (l lenientWriter) Write(p []byte) (int, error) {
	_, _ = l.w.Write(p)
	return len(p), nil
}
