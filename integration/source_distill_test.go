package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestHelloFromSource builds examples/hello — GNU hello from its upstream
// tarball, in a sandbox made from Debian packages — runs it in the image,
// then checks the per-step cache: a rebuild with nothing changed runs no
// step, and a changed last step reruns alone.
func TestHelloFromSource(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "hello")
	ref := fmt.Sprintf("%s/distill/hello:test", b.Registry)
	build := func(args ...string) string {
		t.Helper()
		args = append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain"}, mirrorArgs(t)...), args...)
		_, stderr, err := b.Buildx(t, dir, append(args, ".")...)
		if err != nil {
			t.Fatal(err)
		}
		return stderr
	}
	build("-o", "type=image,name="+ref+",push=true,registry.insecure=true")

	work := t.TempDir()
	df := filepath.Join(work, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM "+ref+"\nRUN [\"/usr/bin/hello\", \"--greeting=hello from source\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := b.Buildx(t, work, "build", "-f", df, "--progress", "plain", "--no-cache", ".")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "hello from source") {
		t.Errorf("hello did not greet:\n%s", stderr)
	}

	// Nothing changed: every step comes from the cache.
	steps := stepStates(build("-o", "type=cacheonly"))
	if len(steps) != 3 {
		t.Fatalf("steps %v, want the example's 3", steps)
	}
	for name, cached := range steps {
		if !cached {
			t.Errorf("step %q ran again with nothing changed", name)
		}
	}
	// The last step changed: it alone reruns.
	src, err := os.ReadFile(filepath.Join(dir, "distill.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), `"make install-strip DESTDIR=$DESTDIR"`, `"make install DESTDIR=$DESTDIR"`, 1)
	if changed == string(src) {
		t.Fatal("examples/hello has no install-strip step to change")
	}
	if err := os.WriteFile(filepath.Join(dir, "distill.hcl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	steps = stepStates(build("-o", "type=cacheonly"))
	for name, cached := range steps {
		if last := strings.Contains(name, "make install DESTDIR"); cached == last {
			t.Errorf("step %q: cached %v after the last step changed", name, cached)
		}
	}
}

// stepStates reads buildx's plain progress: for each build step of hello
// (named "[hello 2.10 PLATFORM] COMMAND"), whether it came from the cache.
func stepStates(progress string) map[string]bool {
	name := map[string]string{} // vertex number -> step
	out := map[string]bool{}
	vertex := regexp.MustCompile(`^#(\d+) (\[hello 2\.10 linux/[^\]]+\] (?:\./configure|make).*)$`)
	for _, line := range strings.Split(progress, "\n") {
		if m := vertex.FindStringSubmatch(line); m != nil {
			name[m[1]] = m[2]
			if _, ok := out[m[2]]; !ok {
				out[m[2]] = false
			}
			continue
		}
		if n, rest, ok := strings.Cut(strings.TrimPrefix(line, "#"), " "); ok && rest == "CACHED" && name[n] != "" {
			out[name[n]] = true
		}
	}
	return out
}
