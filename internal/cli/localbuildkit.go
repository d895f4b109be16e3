package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/distill-build/distill/internal/buildkitd"
)

// startLocalBuildkit starts a buildkitd for this build and returns its
// address and what stops it. Its root persists in the user's cache
// directory so later builds reuse the cache.
func startLocalBuildkit(ctx context.Context, stderr io.Writer) (string, func(), error) {
	bin, err := buildkitdBinary(ctx, stderr)
	if err != nil {
		return "", nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", nil, fmt.Errorf("a root for the local buildkitd: %w", err)
	}
	root := filepath.Join(cache, "distill", "buildkitd")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return "", nil, fmt.Errorf("a root for the local buildkitd: %w", err)
	}
	logPath := filepath.Join(cache, "distill", "buildkitd.log")
	log, err := os.Create(logPath)
	if err != nil {
		return "", nil, fmt.Errorf("the local buildkitd's log: %w", err)
	}
	sockDir, err := os.MkdirTemp("", "distill-")
	if err != nil {
		_ = log.Close() // nothing was written to it yet
		return "", nil, fmt.Errorf("a directory for the local buildkitd's socket: %w", err)
	}
	fmt.Fprintf(stderr, "BUILDKIT_HOST is not set: starting buildkitd (root %s, log %s)\n", root, logPath)
	d, err := buildkitd.Start(ctx, buildkitd.Config{
		Binary: bin,
		Root:   root,
		Socket: filepath.Join(sockDir, "buildkitd.sock"),
		Log:    log,
	})
	if err != nil {
		// Best effort: the start-up error (with the log's tail) is the one
		// to report.
		_ = log.Close()
		_ = os.RemoveAll(sockDir)
		return "", nil, fmt.Errorf("starting a local BuildKit (or set BUILDKIT_HOST; another distill build may hold %s): %w", root, err)
	}
	return d.Addr(), func() {
		// Best effort, once the build is over: its result is what the
		// caller reports, and the socket directory is temporary.
		_ = d.Stop()
		_ = log.Close()
		_ = os.RemoveAll(sockDir)
	}, nil
}

// buildkitdBinary finds buildkitd: $DISTILL_BUILDKITD, then PATH, then the
// tool go.mod pins, built with the go command.
func buildkitdBinary(ctx context.Context, stderr io.Writer) (string, error) {
	if p := os.Getenv("DISTILL_BUILDKITD"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("buildkitd"); err == nil {
		return p, nil
	}
	// Inside distill's own module, go.mod pins buildkitd as a tool: build
	// that. (go install pkg@version refuses BuildKit: its go.mod has excludes.)
	fmt.Fprintln(stderr, "buildkitd is not on PATH: building the version go.mod pins (once; this takes a few minutes)")
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "github.com/moby/buildkit/cmd/buildkitd")
	cmd.Stderr = stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("no buildkitd on PATH, and building it failed (run from distill's source tree with Go, install buildkitd, or set BUILDKIT_HOST): %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
