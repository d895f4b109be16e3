package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/distill-build/distill/internal/buildkitd"
)

// TestCLIEmbeddedDaemon runs the CLI as a user who installed runc and
// nothing else: no buildkitd on PATH, no BUILDKIT_HOST. The CLI starts its
// shared daemon from its own binary (distill buildkitd), builds base-debug
// for amd64 and arm64 from the committed lockfile with the digests buildx
// gets on the bed's buildkitd, and distill version reports that daemon as
// the BuildKit go.mod pins.
func TestCLIEmbeddedDaemon(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	src := exampleWithLock(t, b, "distroless-debian12")
	env, shared := cliOwnDaemon(t)
	const target, plats = "base-debug", "linux/amd64,linux/arm64"

	out := filepath.Join(t.TempDir(), "cli.tar")
	build := exec.CommandContext(t.Context(), cli, append([]string{"build", "--progress", "plain", "--target", target,
		"--platform", plats, "-o", "type=oci,dest=" + out}, append(mirrorArgs(t), filepath.Join(src, "distill.hcl"))...)...)
	build.Env = env
	_, stderr, err := run(t, build)
	if err != nil {
		t.Fatalf("the build on the CLI's own daemon: %v\n%s", err, stderr)
	}
	// The daemon is the CLI's own binary: it serves that as the in-build
	// helper, and the CLI uploads nothing.
	if !strings.Contains(stderr, "the distill helper, from the daemon") || strings.Contains(stderr, "load the distill helper") {
		t.Errorf("the in-build helper did not come from the daemon's own binary:\n%s", stderr)
	}
	if args := daemonArgs(t, shared); len(args) < 2 || args[0] != cli || args[1] != buildkitd.EmbeddedCmd {
		t.Errorf("the CLI's daemon runs %q, want %s %s", args, cli, buildkitd.EmbeddedCmd)
	}

	mod, err := os.ReadFile(filepath.Join(mustRepoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	gm, err := parseGoMod(mod)
	if err != nil {
		t.Fatal(err)
	}
	pinned := gm.requires["github.com/moby/buildkit"]
	version := exec.CommandContext(t.Context(), cli, "version")
	version.Env = env
	want := regexp.MustCompile(`(?m)^buildkit daemon  github\.com/moby/buildkit ` + regexp.QuoteMeta(pinned) + ` at ` + regexp.QuoteMeta(shared.Addr()) + `$`)
	if stdout, _, err := run(t, version); err != nil || pinned == "" || !want.MatchString(stdout) {
		t.Errorf("distill version: %v\n%s\nwant a line matching %s", err, stdout, want)
	}

	ref := filepath.Join(t.TempDir(), "ref.tar")
	args := append([]string{"build", "-f", "distill.hcl", "--target", target, "--platform", plats,
		"-o", "type=oci,dest=" + ref}, mirrorArgs(t)...)
	if _, stderr, err := b.Buildx(t, src, append(args, ".")...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	got, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	wantImg, err := ReadOCILayout(ref)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := manifestDigests(t, got), manifestDigests(t, wantImg); g != w {
		t.Errorf("the CLI's embedded daemon built %s, the bed's buildkitd %s", g, w)
		diffLayers(t, got, wantImg, plats)
	}
}
