package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/distill-build/distill/internal/buildkitd"
)

// setUp checks prerequisites, builds or reuses the tools, then sets up
// binfmt and starts the registry, buildkitd, the frontend image and the
// buildx builder. On failure it stops what it started and returns an error
// with the logs' tails.
func setUp(ctx context.Context, logf func(string, ...any)) (*Bed, error) {
	if err := prerequisites(); err != nil {
		return nil, err
	}
	repo, err := repoRoot()
	if err != nil {
		return nil, err
	}
	b := &Bed{RepoRoot: repo}
	// Tools first: a run killed during their (long) build leaves no temp dir.
	if err := timed(logf, "tools", func() (err error) {
		b.Tools, err = ensureTools(ctx, repo, logf)
		return err
	}); err != nil {
		return nil, err
	}
	if b.dir, err = shortTempDir(); err != nil {
		return nil, err
	}
	b.FrontendBinaries = filepath.Join(b.dir, "binaries")
	steps := []struct {
		name string
		run  func() error
	}{
		{"binfmt", func() error { return ensureBinfmt(logf) }},
		{"registry", func() error { return b.startRegistry(ctx) }},
		{"buildkitd", func() error { return b.startBuildkitd(ctx) }},
		{"frontend binaries", func() error { return buildFrontendBinaries(ctx, repo, b.FrontendBinaries) }},
		{"frontend image", func() error { return b.buildFrontendImage(ctx) }},
		{"buildx", func() error { return b.setUpBuildx(ctx, logf) }},
	}
	for _, s := range steps {
		if err := timed(logf, s.name, s.run); err != nil {
			err = fmt.Errorf("%w%s", err, b.logTails())
			if terr := b.tearDown(); terr != nil {
				err = fmt.Errorf("%w\ntear-down: %w", err, terr)
			}
			return nil, err
		}
	}
	return b, nil
}

// timed runs one set-up step, logging how long it took.
func timed(logf func(string, ...any), name string, run func() error) error {
	t0 := time.Now()
	if err := run(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	logf("%s: done in %s", name, time.Since(t0).Round(time.Millisecond))
	return nil
}

func (b *Bed) startRegistry(ctx context.Context) (err error) {
	b.registry, b.Registry, err = startRegistry(ctx, b.Tools.Registry, b.dir)
	b.FrontendImage = b.Registry + "/distill/frontend:test"
	return err
}

// buildkitdConfig lets buildkitd push to and pull from the bed's registry
// over plain HTTP.
func buildkitdConfig(registry string) string {
	// No garbage collection: tests assert what comes from the cache, and
	// buildkitd's default rules prune down to its reserve whenever the
	// disk has less than a fifth free, which a busy machine may have. The
	// bed's root is removed when the run ends.
	return fmt.Sprintf("[registry.%q]\n  http = true\n  insecure = true\n[worker.oci]\n  gc = false\n", registry)
}

func (b *Bed) startBuildkitd(ctx context.Context) error {
	logPath := filepath.Join(b.dir, "buildkitd.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return err
	}
	b.buildkitdLog = logFile // written until the daemon stops; tearDown closes it
	d, err := buildkitd.Start(ctx, buildkitd.Config{
		Binary:     b.Tools.Buildkitd,
		Root:       filepath.Join(b.dir, "buildkitd"),
		Socket:     filepath.Join(b.dir, "buildkitd.sock"),
		ConfigTOML: buildkitdConfig(b.Registry),
		Log:        b.buildkitdLog,
	})
	if err != nil {
		return err
	}
	b.buildkitd = d
	b.BuildkitAddr = d.Addr()
	return nil
}

// prerequisites fails with what to install rather than letting a test skip.
func prerequisites() error {
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root (buildkitd's OCI worker runs runc and mounts; run go test as root)")
	}
	// QEMU and binfmt-support are checked by ensureBinfmt, and only when
	// aarch64 emulation isn't already registered.
	for bin, pkg := range map[string]string{
		"runc": "runc",
		"go":   "Go (to build the tools and the frontend)",
	} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, fmt.Sprintf("%s on PATH (install %s)", bin, pkg))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("prerequisites missing: %s; on Debian: apt-get install runc qemu-user-static binfmt-support",
		strings.Join(missing, "; "))
}

// shortTempDir makes the bed's directory; a unix socket path must stay short,
// so a long $TMPDIR falls back to /tmp.
func shortTempDir() (string, error) {
	parent := os.TempDir()
	if len(parent) > 40 {
		parent = "/tmp"
	}
	return os.MkdirTemp(parent, "distill-bed-")
}

// logTails formats the end of every daemon log, for set-up errors.
func (b *Bed) logTails() string {
	var s strings.Builder
	for _, name := range []string{"registry.log", "buildkitd.log", "frontend-image.log"} {
		p := filepath.Join(b.dir, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		fmt.Fprintf(&s, "\n--- %s (tail) ---\n%s", p, fileTail(p, 3<<10))
	}
	return s.String()
}

// tearDown stops the daemons by pid, unmounts anything left under the bed's
// directory and removes it. Safe to call more than once.
func (b *Bed) tearDown() error {
	b.stopOnce.Do(func() { b.stopErr = b.stop() })
	return b.stopErr
}

func (b *Bed) stop() error {
	var errs []error
	if b.buildkitd != nil {
		errs = append(errs, b.buildkitd.Stop())
	}
	if b.buildkitdLog != nil {
		errs = append(errs, b.buildkitdLog.Close())
	}
	if b.registry != nil {
		errs = append(errs, b.registry.stop())
	}
	errs = append(errs, buildkitd.Unmount(b.dir))
	if err := os.RemoveAll(b.dir); err != nil {
		errs = append(errs, fmt.Errorf("remove %s: %w", b.dir, err))
	}
	return errors.Join(errs...)
}
