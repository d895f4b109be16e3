package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// frontendPlatforms are the platforms the frontend image is built for.
var frontendPlatforms = []string{"linux/amd64", "linux/arm64"}

// buildFrontendBinaries cross-compiles cmd/distill-frontend into
// dir/<os>/<arch>/distill-frontend, the layout the Dockerfile's "binaries"
// stage has.
func buildFrontendBinaries(ctx context.Context, repo, dir string) error {
	for _, p := range frontendPlatforms {
		goos, goarch, _ := strings.Cut(p, "/")
		out := filepath.Join(dir, goos, goarch, "distill-frontend")
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/distill-frontend")
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/distill-frontend for %s: %w\n%s", p, err, b)
		}
	}
	return nil
}

// buildFrontendImage builds the Dockerfile's "frontend" target with
// BuildKit's built-in Dockerfile frontend from the prebuilt binaries
// (BINARIES=prebuilt), so no base image is pulled, and pushes it to the
// bed's registry.
func (b *Bed) buildFrontendImage(ctx context.Context) error {
	logPath := filepath.Join(b.dir, "frontend-image.log")
	args := []string{
		"--addr", b.BuildkitAddr, "build", "--progress", "plain",
		"--frontend", "dockerfile.v0",
		"--local", "context=" + b.RepoRoot,
		"--local", "dockerfile=" + b.RepoRoot,
		"--local", "binaries=" + b.FrontendBinaries,
		"--opt", "target=frontend",
		"--opt", "platform=" + strings.Join(frontendPlatforms, ","),
		// The Dockerfile takes prebuilt binaries this way without reaching
		// its golang stage, so no base image is resolved.
		"--opt", "build-arg:BINARIES=prebuilt",
		"--opt", "context:prebuilt=local:binaries",
		"--output", "type=image,name=" + b.FrontendImage + ",push=true,registry.insecure=true",
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.CommandContext(ctx, b.Tools.Buildctl, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("buildctl build of the frontend image: %w\n%s", err, fileTail(logPath, 4<<10))
	}

	idx, err := fetchIndex(ctx, b.Registry, "distill/frontend", "test")
	if err != nil {
		return fmt.Errorf("frontend image was not pushed: %w", err)
	}
	var got []string
	for _, m := range idx.Manifests {
		if m.Platform != nil {
			got = append(got, m.Platform.OS+"/"+m.Platform.Architecture)
		}
	}
	for _, p := range frontendPlatforms {
		if !slices.Contains(got, p) {
			return fmt.Errorf("pushed frontend image has platforms %q, lacks %s", got, p)
		}
	}
	return nil
}
