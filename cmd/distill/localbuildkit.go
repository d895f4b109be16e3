package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"

	"github.com/distill-build/distill/internal/buildkitd"
)

// startLocalBuildkit starts a buildkitd for this build. Its root persists in
// the user's cache directory so later builds reuse the cache.
func startLocalBuildkit(ctx context.Context, stderr io.Writer) (*buildkitd.Daemon, error) {
	bin, err := buildkitdBinary(ctx, stderr)
	if err != nil {
		return nil, err
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return nil, err
	}
	root := filepath.Join(cache, "distill", "buildkitd")
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	logPath := filepath.Join(cache, "distill", "buildkitd.log")
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	sockDir, err := os.MkdirTemp("", "distill-")
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stderr, "BUILDKIT_HOST is not set: starting buildkitd (root %s, log %s)\n", root, logPath)
	d, err := buildkitd.Start(ctx, buildkitd.Config{
		Binary: bin,
		Root:   root,
		Socket: filepath.Join(sockDir, "buildkitd.sock"),
		Log:    log,
	})
	if err != nil {
		return nil, fmt.Errorf("starting a local BuildKit (or set BUILDKIT_HOST): %w", err)
	}
	return d, nil
}

// buildkitdBinary finds buildkitd: $DISTILL_BUILDKITD, then PATH, then a copy
// built once into the cache at the BuildKit version distill is built with.
func buildkitdBinary(ctx context.Context, stderr io.Writer) (string, error) {
	if p := os.Getenv("DISTILL_BUILDKITD"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("buildkitd"); err == nil {
		return p, nil
	}
	v := dependencyVersion("github.com/moby/buildkit")
	if v == "" {
		return "", fmt.Errorf("no buildkitd on PATH and no BuildKit version known to build one: set BUILDKIT_HOST or install buildkitd")
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "distill", "tools", "buildkit-"+v)
	bin := filepath.Join(dir, "buildkitd")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	fmt.Fprintf(stderr, "building buildkitd %s into %s (once; this takes a few minutes)\n", v, dir)
	cmd := exec.CommandContext(ctx, "go", "install", "github.com/moby/buildkit/cmd/buildkitd@"+v)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building buildkitd %s (needs Go; or install buildkitd, or set BUILDKIT_HOST): %w", v, err)
	}
	return bin, nil
}

func dependencyVersion(path string) string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range info.Deps {
		if d.Path == path {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" {
		return "dev"
	}
	return info.Main.Version
}
