package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestCLIConcurrentBuilds starts two `distill build` runs at once, with no
// daemon yet: they start one daemon between them (the start-up lock), both
// succeed, and they give the same digest.
func TestCLIConcurrentBuilds(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	src := exampleWithLock(t, b, "distroless-debian12")
	env, shared := cliOwnDaemon(t)

	outs := []string{filepath.Join(t.TempDir(), "one.tar"), filepath.Join(t.TempDir(), "two.tar")}
	errs := make([]error, len(outs))
	stderrs := make([]string, len(outs))
	var wg sync.WaitGroup
	for i, out := range outs {
		cmd := exec.CommandContext(t.Context(), cli, append([]string{"build", "--progress", "plain", "--target", "static",
			"--platform", "linux/amd64", "-o", "type=oci,dest=" + out}, append(mirrorArgs(t), filepath.Join(src, "distill.hcl"))...)...)
		cmd.Env = env
		wg.Go(func() { _, stderrs[i], errs[i] = run(t, cmd) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("build %d of 2: %v\n%s", i+1, err, stderrs[i])
		}
	}
	if started := strings.Count(stderrs[0]+stderrs[1], "started a local buildkitd"); started != 1 {
		t.Errorf("%d runs said they started the local daemon, want 1:\n%s\n%s", started, stderrs[0], stderrs[1])
	}
	if n := daemonsOf(t, shared.Root()); n != 1 {
		t.Errorf("%d daemons run on %s, want 1", n, shared.Root())
	}
	if one, two := manifestDigests(t, readLayout(t, outs[0])), manifestDigests(t, readLayout(t, outs[1])); one != two {
		t.Errorf("the two builds gave %s and %s", one, two)
	}
}

// daemonsOf counts the processes serving BuildKit on root: `distill
// buildkitd --root root` or a buildkitd with that root.
func daemonsOf(t *testing.T, root string) int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range procs {
		cmdline, err := os.ReadFile(p)
		if err != nil {
			continue // gone meanwhile
		}
		args := strings.Split(strings.TrimSuffix(string(cmdline), "\x00"), "\x00")
		for i, a := range args {
			if (a == "--root" && i+1 < len(args) && args[i+1] == root) || a == "--root="+root {
				n++
				break
			}
		}
	}
	return n
}
