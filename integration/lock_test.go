package integration

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/distill-build/distill/internal/aptsources"
)

// cliBinary builds the distill CLI, static so it can serve as the in-build
// helper: once per run, shared by every test.
func cliBinary(t testing.TB) string {
	t.Helper()
	b := needBed(t)
	b.cli.once.Do(func() {
		b.cli.path = filepath.Join(b.dir, "distill")
		cmd := exec.Command("go", "build", "-o", b.cli.path, "./cmd/distill")
		cmd.Dir = b.RepoRoot
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.cli.err = fmt.Errorf("go build ./cmd/distill: %w\n%s", err, out)
		}
	})
	if b.cli.err != nil {
		t.Fatal(b.cli.err)
	}
	return b.cli.path
}

// distillCLI runs the CLI binary's commands against the daemon at addr,
// with plain progress and extra flags after the command's name, and
// returns their standard error.
func distillCLI(t *testing.T, cli, addr string, extra ...string) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		all := append(append([]string{args[0], "--addr", addr, "--progress", "plain"}, extra...), args[1:]...)
		_, stderr, err := run(t, exec.CommandContext(t.Context(), cli, all...))
		return stderr, err
	}
}

const smallDefinition = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "small" {
  platforms = ["linux/amd64", "linux/arm64"]
  packages  = ["netbase", "media-types"]
}
`

// TestLockfile locks a definition with the CLI, builds from the lock without
// fetching any index, and checks that a tampered .deb hash and a package the
// lock lacks both fail, naming what is wrong and writing nothing.
func TestLockfile(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	dir := definition(t, b, smallDefinition, nil)
	def := filepath.Join(dir, "distill.hcl")
	distill := distillCLI(t, cli, b.BuildkitAddr)
	stderr, err := distill("lock", def)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"amd64 netbase 6.4 (added)", "arm64 media-types", "lockfile written to " + filepath.Join(dir, "distill.lock.json")} {
		if !strings.Contains(stderr, w) {
			t.Errorf("lock output lacks %q:\n%s", w, stderr)
		}
	}
	if stderr, err = distill("lock", def); err != nil || !strings.Contains(stderr, "no changes") {
		t.Errorf("a second lock changed something (%v):\n%s", err, stderr)
	}

	out := filepath.Join(t.TempDir(), "small.tar")
	stderr, err = distill("build", "-o", "type=oci,dest="+out, def)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, "InRelease") || strings.Contains(stderr, "Packages") {
		t.Errorf("a build with a lockfile fetched indexes:\n%s", stderr)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.Images[0].File("/etc/services"); !ok || len(l.Images) != 2 {
		t.Errorf("built from the lock: %d images, /etc/services present %v", len(l.Images), ok)
	}

	// The frontend image reads the lockfile too, through buildx.
	_, stderr, err = b.Buildx(t, dir, "build", "-f", "distill.hcl", "--progress", "plain", mirrorArgs(t)[0], mirrorArgs(t)[1],
		"-o", "type=oci,dest="+filepath.Join(t.TempDir(), "buildx.tar"), ".")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stderr, "InRelease") || !regexp.MustCompile(`unpack .*netbase 6\.4`).MatchString(stderr) {
		t.Errorf("buildx with a lockfile fetched indexes, or installed no netbase:\n%s", stderr)
	}

	lockPath := filepath.Join(dir, "distill.lock.json")
	lock, err := os.ReadFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func([]byte) []byte
		want   []string
	}{
		{"changed .deb hash", func(l []byte) []byte {
			i := bytes.Index(l, []byte(`"sha256": "`)) + len(`"sha256": "`)
			out := append([]byte(nil), l...)
			if out[i] == '0' { // change one hex digit
				out[i] = '1'
			} else {
				out[i] = '0'
			}
			return out
		}, []string{"digest mismatch", ".deb", "the archive's .deb is not the one distill.lock.json pins by its sha256", "run distill lock to refresh it"}},
		{"truncated lockfile", func(l []byte) []byte {
			return l[:len(l)/2]
		}, []string{"distill.lock.json: lockfile: the JSON ends early (a truncated or half-edited file?); run distill lock to rewrite it"}},
		{"package not locked", func(l []byte) []byte {
			// The definition asks for more than was locked.
			src, err := os.ReadFile(def)
			if err != nil {
				t.Fatal(err)
			}
			more := strings.Replace(string(src), `"netbase", "media-types"`, `"netbase", "media-types", "tzdata"`, 1)
			if err := os.WriteFile(def, []byte(more), 0o644); err != nil {
				t.Fatal(err)
			}
			return l
		}, []string{"distill.hcl:10", "Lockfile out of date", `the lockfile's image small was solved from packages ["netbase" "media-types"]`, "run `distill lock`"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(lockPath, tc.mutate(lock), 0o644); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "img.tar")
			stderr, err := distill("build", "-o", "type=oci,dest="+dest, def)
			if err == nil {
				t.Fatal("the build succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("output lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(dest); !os.IsNotExist(err) {
				t.Errorf("a failed build wrote %s", dest)
			}
			// The frontend image says the same through buildx.
			_, stderr, err = b.Buildx(t, dir, "build", "-f", "distill.hcl", "--progress", "plain", mirrorArgs(t)[0], mirrorArgs(t)[1],
				"-o", "type=oci,dest="+dest, ".")
			if err == nil {
				t.Fatal("the buildx build succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("buildx output lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestTamperedArchive serves the mirror through a proxy that alters one
// file, and expects the build to stop at the first check that fails: the
// InRelease signature, its suite, then the Packages hash that InRelease
// lists.
func TestTamperedArchive(t *testing.T) {
	b := needBed(t)
	mirror := aptsources.Mirrors("/")["debian"]
	for _, tc := range []struct {
		name, suite, suffix string
		tamper              func([]byte) []byte
		want                []string
	}{
		{"signature", "bookworm", "/dists/bookworm/InRelease", func(d []byte) []byte {
			return bytes.Replace(d, []byte("Codename: bookworm"), []byte("Codename: bookwerm"), 1)
		}, []string{`repository "debian"`, "InRelease", "signature"}},
		// bookworm's InRelease, validly signed, served as bookworm-security's.
		{"suite", "bookworm-security", "/dists/bookworm-security/InRelease", nil,
			[]string{`repository "debian"`, `(codename "bookworm"), not "bookworm-security"`}},
		{"index hash", "bookworm", "/main/binary-amd64/", func(d []byte) []byte {
			return append(d[:len(d)-1], d[len(d)-1]^0xff)
		}, []string{"digest mismatch", "Packages.gz"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				path := r.URL.Path
				if tc.tamper == nil && path == tc.suffix {
					path = "/dists/bookworm/InRelease"
				}
				resp, err := http.Get(mirror + path)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				data, _ := io.ReadAll(resp.Body)
				if tc.tamper != nil && strings.Contains(r.URL.Path, tc.suffix) {
					data = tc.tamper(data)
				}
				w.WriteHeader(resp.StatusCode)
				_, _ = w.Write(data) // the client sees a short body
			}))
			defer proxy.Close()
			dir := definition(t, b, strings.Replace(smallDefinition, `"bookworm"`, `"`+tc.suite+`"`, 1), nil)
			// --no-cache: BuildKit would otherwise reuse the index it
			// fetched before by its hash, without asking the proxy.
			_, stderr, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--platform", "linux/amd64", "--no-cache",
				"--build-arg", "MIRROR="+proxy.URL, "-o", "type=oci,dest="+filepath.Join(t.TempDir(), "x.tar"), ".")
			if err == nil {
				t.Fatal("the build succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("output lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
