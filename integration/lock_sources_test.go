package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distill-build/distill/internal/aptsources"
)

// sourcesDefinition builds a package from an http source under the
// repository's URL and a git source elsewhere; locking reads neither.
const sourcesDefinition = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
package "pinned" {
  version = "1"
  source "http" {
    url    = "${MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz"
    sha256 = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b"
  }
  source "git" {
    url    = "http://127.0.0.1:9/src.git"
    commit = "0123456789abcdef0123456789abcdef01234567"
    tag    = "v1"
    dest   = "git"
  }
  build { steps = ["true"] }
}
image "pinned" {
  platforms = ["linux/amd64"]
  packages  = [package.pinned]
}
`

// TestLockSources locks a package's http and git sources with the CLI: the
// lock pins them without the mirror's host, a definition whose source moved
// fails to build at that source's line, through the CLI and buildx, and
// the next lock shows the change.
func TestLockSources(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	dir := definition(t, b, sourcesDefinition, nil)
	def := filepath.Join(dir, "distill.hcl")
	distill := distillCLI(t, cli, b.BuildkitAddr)
	stderr, err := distill("lock", def)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		"package pinned: source http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:31e066137a96 (added)",
		"package pinned: source git http://127.0.0.1:9/src.git 0123456789ab (tag v1) (added)",
	} {
		if !strings.Contains(stderr, w) {
			t.Errorf("lock output lacks %q:\n%s", w, stderr)
		}
	}
	lock, err := os.ReadFile(filepath.Join(dir, "distill.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	mirror := aptsources.Mirrors("/")["debian"]
	if mirror == "" || strings.Contains(string(lock), mirror) || !strings.Contains(string(lock), `"package_sources"`) {
		t.Errorf("the lock names the mirror %q, or pins no package sources:\n%s", mirror, lock)
	}

	src, err := os.ReadFile(def)
	if err != nil {
		t.Fatal(err)
	}
	moved := strings.Replace(string(src), `sha256 = "31e0`, `sha256 = "41e0`, 1)
	if err := os.WriteFile(def, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	line := 1 + strings.Count(moved[:strings.Index(moved, `source "http"`)], "\n")
	want := []string{fmt.Sprintf("distill.hcl:%d", line), "Lockfile out of date", "the definition has http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:41e066137a96", "run `distill lock`"}
	stderr, err = distill("build", "-o", "type=oci,dest="+filepath.Join(t.TempDir(), "x.tar"), def)
	if err == nil {
		t.Fatal("the CLI built a definition whose source moved away from its lock")
	}
	_, bxStderr, bxErr := b.Buildx(t, dir, append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "-o", "type=cacheonly"}, mirrorArgs(t)...), ".")...)
	if bxErr == nil {
		t.Fatal("buildx built a definition whose source moved away from its lock")
	}
	for _, out := range []string{stderr, bxStderr} {
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("output lacks %q:\n%s", w, out)
			}
		}
	}

	stderr, err = distill("lock", def)
	if err != nil {
		t.Fatal(err)
	}
	if w := "sha256:31e066137a96 -> http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:41e066137a96 (changed)"; !strings.Contains(stderr, w) {
		t.Errorf("lock output lacks %q:\n%s", w, stderr)
	}
}
