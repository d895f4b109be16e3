package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/distill-build/distill/lockfile"
	"github.com/hashicorp/hcl/v2"
)

// pinnedSrc has an http source under the repository's URL, a git one
// elsewhere, and sources the lock has no pin for.
const pinnedSrc = `
repository "debian" {
  url   = "http://mirror.invalid/debian/"
  suite = "bookworm"
}
package "hello" {
  version = "2.10"
  source "inline" {
    files = { "a.txt" = "a" }
  }
  source "http" {
    url    = "http://mirror.invalid/debian/pool/main/h/hello/hello_2.10.orig.tar.gz"
    sha256 = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b"
  }
  source "git" {
    url    = "http://127.0.0.1:9/src.git"
    commit = "0123456789abcdef0123456789abcdef01234567"
    tag    = "v1"
    dest   = "git"
  }
  build { steps = ["make"] }
}
image "hello" {
  packages = [package.hello]
}
`

// TestPinnedSources: http and git sources are pinned in the definition's
// order, a URL under a repository relative to it (no mirror in the lock),
// and a build whose definition moved away from the lock fails at the line
// of the source that moved.
func TestPinnedSources(t *testing.T) {
	def := mustParse(t, pinnedSrc)
	p := def.Package("hello")
	pins, from := pinnedSources(def, p)
	want := []lockfile.PinnedSource{
		{Kind: "http", Repository: "debian", URL: "pool/main/h/hello/hello_2.10.orig.tar.gz", Digest: "sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b"},
		{Kind: "git", URL: "http://127.0.0.1:9/src.git", Commit: "0123456789abcdef0123456789abcdef01234567", Tag: "v1"},
	}
	if len(pins) != len(want) || len(from) != len(want) || pins[0] != want[0] || pins[1] != want[1] {
		t.Fatalf("pins %+v, want %+v", pins, want)
	}

	for _, tc := range []struct {
		name     string
		edit     func(string) string // the definition, changed after locking
		wantLine int                 // 0: the build takes the lock
		wantErr  string
	}{
		{"unchanged", func(s string) string { return s }, 0, ""},
		{"another digest", func(s string) string {
			return strings.Replace(s, "31e066137a96", "41e066137a96", 1)
		}, 11, "the definition has http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:41e066137a96"},
		{"another commit", func(s string) string {
			return strings.Replace(s, `commit = "0123`, `commit = "1123`, 1)
		}, 15, "the definition has git http://127.0.0.1:9/src.git 1123456789ab (tag v1)"},
		{"a source dropped", func(s string) string {
			i, j := strings.Index(s, `  source "git"`), strings.Index(s, "  build {")
			return s[:i] + s[j:]
		}, 6, "which the definition no longer has"},
		{"another mirror", func(s string) string {
			return strings.ReplaceAll(s, "http://mirror.invalid/debian", "http://other.invalid/debian")
		}, 0, ""},
		{"an inline source changed", func(s string) string {
			return strings.Replace(s, `"a.txt" = "a"`, `"a.txt" = "b"`, 1)
		}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lock := lockfile.New()
			lock.SetPackageSources("hello", pins)
			changed := mustParse(t, tc.edit(pinnedSrc))
			err := checkPinned(lock, changed, changed.Package("hello"))
			if tc.wantLine == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var diag *hcl.Diagnostic
			if !errors.As(err, &diag) || diag.Summary != "Lockfile out of date" || diag.Subject == nil {
				t.Fatalf("error %v, want a Lockfile out of date diagnostic with a range", err)
			}
			if diag.Subject.Start.Line != tc.wantLine {
				t.Errorf("reported at line %d, want %d", diag.Subject.Start.Line, tc.wantLine)
			}
			for _, w := range []string{tc.wantErr, "run `distill lock`"} {
				if !strings.Contains(diag.Detail, w) {
					t.Errorf("detail %q lacks %q", diag.Detail, w)
				}
			}
		})
	}
}
