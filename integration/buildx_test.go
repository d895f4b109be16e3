package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// builderName is the buildx builder the bed creates (remote driver).
const builderName = "distill-test"

// setUpBuildx creates the remote-driver builder in a private config dir. With
// the docker CLI on PATH, buildx runs as its plugin (how users run it);
// without it, standalone.
func (b *Bed) setUpBuildx(ctx context.Context, logf func(string, ...any)) error {
	b.dockerConfig = filepath.Join(b.dir, "docker")
	if docker, err := exec.LookPath("docker"); err == nil {
		plugin := filepath.Join(b.dockerConfig, "cli-plugins", "docker-buildx")
		if err := copyFile(b.Tools.Buildx, plugin, 0o755); err != nil {
			return fmt.Errorf("install buildx plugin: %w", err)
		}
		b.buildx = []string{docker, "buildx"}
		logf("buildx: as a plugin of %s", docker)
	} else {
		b.buildx = []string{b.Tools.Buildx}
		logf("buildx: standalone (no docker CLI on PATH)")
	}
	for _, args := range [][]string{
		{"create", "--name", builderName, "--driver", "remote", b.BuildkitAddr},
		{"inspect", "--bootstrap", builderName},
	} {
		cmd := b.buildxCommand(ctx, "", args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("buildx %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// buildxCommand is buildx with the bed's config; it doesn't select the
// builder, so create and inspect can use it too.
func (b *Bed) buildxCommand(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, b.buildx[0], append(b.buildx[1:], args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"DOCKER_CONFIG="+b.dockerConfig,
		"BUILDX_CONFIG="+filepath.Join(b.dockerConfig, "buildx"),
	)
	return cmd
}

// Buildx runs `[docker] buildx --builder distill-test args...` in dir.
func (b *Bed) Buildx(t testing.TB, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	args = append([]string{"--builder", builderName}, args...)
	return run(t, b.buildxCommand(t.Context(), dir, args...))
}

// Buildctl runs `buildctl --addr <bed's buildkitd> args...`.
func (b *Bed) Buildctl(t testing.TB, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	args = append([]string{"--addr", b.BuildkitAddr}, args...)
	return run(t, exec.CommandContext(t.Context(), b.Tools.Buildctl, args...))
}

// run logs the command and returns its output; a failure's error carries the
// end of stderr, so t.Fatal(err) says why.
func run(t testing.TB, cmd *exec.Cmd) (string, string, error) {
	t.Helper()
	t.Logf("run: %s", strings.Join(cmd.Args, " "))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		tail := stderr.String()
		if len(tail) > 4<<10 {
			tail = "…" + tail[len(tail)-4<<10:]
		}
		err = fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Args[0]), err, tail)
	}
	return stdout.String(), stderr.String(), err
}

func copyFile(src, dst string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close() // the copy's error is the one to report
		return err
	}
	return out.Close()
}
