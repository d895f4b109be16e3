package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/distill-build/distill/internal/buildkitd"
	"github.com/spf13/cobra"
)

const (
	// supervisorCmd is the hidden command that runs the local buildkitd,
	// detached from the distill that started it.
	supervisorCmd = "buildkitd-supervisor"
	// defaultIdle is how long the local buildkitd waits for a build before
	// it exits: long enough for an edit-build loop, short enough not to
	// hold memory all day.
	defaultIdle = 10 * time.Minute
)

// localBuildkit is the user's shared buildkitd: under $DISTILL_CACHE_DIR
// (tests point it at a temporary directory), else the user's cache
// directory, in daemon/.
func localBuildkit() (buildkitd.Shared, error) {
	dir := os.Getenv("DISTILL_CACHE_DIR")
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return buildkitd.Shared{}, fmt.Errorf("a directory for the local buildkitd (or set DISTILL_CACHE_DIR or BUILDKIT_HOST): %w", err)
		}
		dir = filepath.Join(cache, "distill")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return buildkitd.Shared{}, fmt.Errorf("DISTILL_CACHE_DIR: %w", err)
	}
	return buildkitd.Shared{Dir: filepath.Join(abs, "daemon")}, nil
}

// useLocalBuildkit returns the address of the user's buildkitd, started
// (detached, under a supervisor) if none runs, and what ends this
// command's use of it. The daemon outlives the command, and later builds
// reuse it and its cache; it exits after idleTime without builds.
func useLocalBuildkit(ctx context.Context, stderr io.Writer) (string, func(), error) {
	s, err := localBuildkit()
	if err != nil {
		return "", nil, err
	}
	idle, err := idleTime()
	if err != nil {
		return "", nil, err
	}
	if err := canRunLocalDaemon(os.Geteuid(), os.Getenv("DISTILL_BUILDKITD")); err != nil {
		return "", nil, err
	}
	c, started, err := s.Use(ctx, func() error { return startSupervisor(s, idle) })
	if err != nil {
		return "", nil, fmt.Errorf("the local buildkitd (or set BUILDKIT_HOST): %w", err)
	}
	if started {
		fmt.Fprintf(stderr, "started a local buildkitd on %s (log %s); it exits after %s without builds\n", s.Addr(), s.Log(), idle)
	}
	return s.Addr(), c.Release, nil
}

// canRunLocalDaemon says at once why the embedded daemon would refuse to
// start, rather than after the start-up wait: it runs as root (external,
// $DISTILL_BUILDKITD, is another binary, which may know better).
func canRunLocalDaemon(euid int, external string) error {
	if euid != 0 && external == "" {
		return fmt.Errorf("the local BuildKit daemon built into distill runs as root (uid 0, not %d): run distill as root, or point BUILDKIT_HOST or --addr at a buildkitd (a rootless one, say)", euid)
	}
	return nil
}

// idleTime is $DISTILL_BUILDKITD_IDLE, else defaultIdle.
func idleTime() (time.Duration, error) {
	v := os.Getenv("DISTILL_BUILDKITD_IDLE")
	if v == "" {
		return defaultIdle, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("DISTILL_BUILDKITD_IDLE=%s: want a positive duration, like 10m", v)
	}
	return d, nil
}

// startSupervisor runs this binary's supervisorCmd in a session of its
// own, so that it and the daemon outlive this command and its terminal.
// The daemon is this binary's embedded one, or $DISTILL_BUILDKITD's.
func startSupervisor(s buildkitd.Shared, idle time.Duration) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding distill's own binary to run the local buildkitd: %w", err)
	}
	// Appending: a supervisor whose daemon died may still write its last
	// words through its own descriptor after this truncates the log; at
	// an offset of its own it would leave a hole of NULs.
	log, err := os.OpenFile(s.Log(), os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("the local buildkitd's log: %w", err)
	}
	defer log.Close() // the supervisor has its own descriptor
	args := []string{supervisorCmd, "--dir", s.Dir, "--idle", idle.String()}
	if bin := os.Getenv("DISTILL_BUILDKITD"); bin != "" {
		args = append(args, "--buildkitd", bin)
	}
	cmd := exec.Command(self, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting the local buildkitd's supervisor: %w", err)
	}
	go func() { _ = cmd.Wait() }() // reaps it should it exit while this command runs
	return nil
}

// supervisorCommand runs the local buildkitd until it has been idle (see
// buildkitd.Shared.Supervise). Hidden: distill starts it.
func supervisorCommand() *cobra.Command {
	var dir, bin string
	var idle time.Duration
	cmd := &cobra.Command{
		Use:    supervisorCmd,
		Short:  "Run the local buildkitd until it has been idle (started by distill, not by hand)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			daemon, err := localDaemon(bin)
			if err != nil {
				return err
			}
			daemon.Log = cmd.ErrOrStderr()
			return buildkitd.Shared{Dir: dir}.Supervise(cmd.Context(), daemon, idle)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "the daemon's state `DIR`")
	cmd.Flags().StringVar(&bin, "buildkitd", "", "run the buildkitd `BINARY` (default: this binary's embedded BuildKit)")
	cmd.Flags().DurationVar(&idle, "idle", defaultIdle, "exit after `DURATION` without builds")
	return cmd
}

// localDaemon is the daemon the supervisor runs: the buildkitd binary bin,
// else this very binary serving BuildKit in-process (embeddedBuildkitdCmd),
// which needs nothing installed but runc.
func localDaemon(bin string) (buildkitd.Config, error) {
	if bin != "" {
		return buildkitd.Config{Binary: bin}, nil
	}
	self, err := os.Executable()
	if err != nil {
		return buildkitd.Config{}, fmt.Errorf("finding distill's own binary to serve BuildKit: %w", err)
	}
	return buildkitd.Config{Binary: self, Embedded: true}, nil
}
