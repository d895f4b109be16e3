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

// TestCacheExportImport builds GNU hello (built from source, on Debian's
// packages, from the example's lock) with its cache exported, to a local
// directory and to the bed's registry, then builds it on a fresh buildkitd
// that imports that cache: nothing is built again, counted from the
// progress stream. (The pinned downloads are fetched again: see below.)
func TestCacheExportImport(t *testing.T) {
	b := needBed(t)
	src := exampleWithLock(t, b, "hello")
	cacheDir := t.TempDir()
	cacheRef := b.Registry + "/distill/cache:hello"
	for _, tc := range []struct{ name, to, from string }{
		{"local", "type=local,dest=" + cacheDir + ",mode=max", "type=local,src=" + cacheDir},
		{"registry", "type=registry,ref=" + cacheRef + ",mode=max", "type=registry,ref=" + cacheRef},
	} {
		t.Run(tc.name, func(t *testing.T) {
			build := func(addr string, args ...string) string {
				t.Helper()
				all := []string{"--addr", addr, "build", "--progress", "plain", "--frontend", "gateway.v0",
					"--opt", "source=" + b.FrontendImage, "--opt", "filename=distill.hcl", "--opt", "platform=linux/amd64",
					"--local", "context=" + src, "--local", "dockerfile=" + src,
					"--output", "type=oci,dest=" + filepath.Join(t.TempDir(), "hello.tar")}
				for i := 0; i+1 < len(mirrorArgs(t)); i += 2 {
					all = append(all, "--opt", "build-arg:"+mirrorArgs(t)[i+1])
				}
				_, stderr, err := run(t, exec.CommandContext(t.Context(), b.Tools.Buildctl, append(all, args...)...))
				if err != nil {
					t.Fatalf("%v\n%s", err, stderr)
				}
				return stderr
			}
			build(b.BuildkitAddr, "--export-cache", tc.to)

			fresh := freshBuildkitd(t, b, "")
			progress := build(fresh.Addr(), "--import-cache", tc.from)
			// BuildKit downloads the pinned files again: it checksums what a
			// step mounts or copies before it matches a cache record, so it
			// needs the bytes, though no step runs. That, the empty base the
			// sandbox's files are copied onto, and the merge that assembles
			// the cached layers into the image are all that may run.
			var ran, downloads []string
			for _, v := range executed(progress, b.FrontendImage) {
				switch {
				case strings.HasPrefix(v, "fetch ") || strings.Contains(v, "] fetch "):
					downloads = append(downloads, v)
				case strings.HasSuffix(v, "] merged /usr and an empty dpkg database"),
					regexp.MustCompile(`\] merge \d+ layers$`).MatchString(v): // assembling the cached layers
				default:
					ran = append(ran, v)
				}
			}
			t.Logf("%d files downloaded again", len(downloads))
			if len(ran) > 0 {
				t.Errorf("with the cache imported, a fresh daemon ran %d steps again: %q", len(ran), ran)
			}
			if !strings.Contains(progress, "CACHED") {
				t.Errorf("nothing came from the cache:\n%s", progress)
			}
		})
	}
}

// freshBuildkitd starts a buildkitd that shares nothing with the bed's but
// its registry, stopped when the test ends: with more configuration, and
// more addresses to listen on, when given.
func freshBuildkitd(t *testing.T, b *Bed, moreTOML string, listen ...string) *buildkitd.Daemon {
	t.Helper()
	dir, err := os.MkdirTemp("", "bk-") // t.TempDir can exceed a socket path's limit
	if err != nil {
		t.Fatal(err)
	}
	d, err := buildkitd.Start(t.Context(), buildkitd.Config{
		Binary: b.Tools.Buildkitd, Root: filepath.Join(dir, "root"), Socket: filepath.Join(dir, "bk.sock"),
		ConfigTOML: buildkitdConfig(b.Registry) + moreTOML, Listen: listen,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Stop(); err != nil {
			t.Errorf("stopping the fresh buildkitd: %v", err)
		}
		_ = os.RemoveAll(dir) // best effort, as t.TempDir's would be
	})
	return d
}

// bookkeeping are the vertices every build runs, cache or not: reading the
// definition and context, fetching the frontend and the cache, exporting.
var bookkeeping = regexp.MustCompile(`^(\[internal\]|\[auth\]|importing cache manifest|resolve image config|load metadata|exporting|sending tarball|load build definition|load the distill helper)`)

// executed names the vertices of a plain progress stream that ran rather
// than came from the cache, bookkeeping and the frontend image's own pull
// aside.
func executed(progress, frontendImage string) []string {
	var out []string
	for _, v := range progressVertices(progress) {
		if v.done && !v.cached && !bookkeeping.MatchString(v.name) && !strings.Contains(v.name, frontendImage) {
			out = append(out, v.name)
		}
	}
	return out
}

// TestNoCacheFilterAndLabels: --no-cache-filter naming a package built
// from source runs its steps again and takes the rest from the cache, and
// --label reaches the image config, as for a Dockerfile.
func TestNoCacheFilterAndLabels(t *testing.T) {
	b := needBed(t)
	src := exampleWithLock(t, b, "hello")
	build := func(args ...string) (string, *OCILayout) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "hello.tar")
		all := append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "--platform", "linux/amd64",
			"-o", "type=oci,dest=" + out}, mirrorArgs(t)...), args...)
		_, stderr, err := b.Buildx(t, src, append(all, ".")...)
		if err != nil {
			t.Fatal(err)
		}
		l, err := ReadOCILayout(out)
		if err != nil {
			t.Fatal(err)
		}
		return stderr, l
	}
	build()
	progress, l := build("--no-cache-filter", "package.hello", "--label", "org.example.team=distill")
	steps := stepStates(progress)
	if len(steps) != 3 {
		t.Fatalf("steps %v, want the example's 3", steps)
	}
	for step, cached := range steps {
		if cached {
			t.Errorf("step %q came from the cache under --no-cache-filter package.hello", step)
		}
	}
	if !regexp.MustCompile(`(?m)^#\d+ CACHED$`).MatchString(progress) {
		t.Errorf("nothing came from the cache: the filter reached more than the package:\n%s", progress)
	}
	if got := l.Images[0].Config.Config.Labels["org.example.team"]; got != "distill" {
		t.Errorf("label org.example.team = %q, want distill", got)
	}
}
