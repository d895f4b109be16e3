package plan

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/lockfile"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestLockKeep locks against a loopback archive holding two versions of
// each package: a plain refresh takes the newest, Keep holds the named
// ones back (distill lock --update), and the diff of the two is what
// distill lock --check reports.
func TestLockKeep(t *testing.T) {
	pkg := func(name, version string) string {
		return fmt.Sprintf("Package: %s\nVersion: %s\nArchitecture: amd64\nFilename: pool/%s_%s.deb\nSize: 1\nSHA256: %s\n\n", name, version, name, version, strings.Repeat("1", 64))
	}
	url, kr := signedMirrorOf(t, "bookworm", "bookworm", time.Now().Add(-time.Hour), "", map[string]string{
		"amd64": pkg("liba", "1") + pkg("liba", "2") + pkg("libb", "1") + pkg("libb", "2"),
	})
	def := mustParse(t, fmt.Sprintf("repository \"debian\" {\n  url   = %q\n  suite = \"bookworm\"\n}\nimage \"a\" {\n  platforms = [\"linux/amd64\"]\n  packages  = [\"liba\", \"libb\"]\n}\n", url))
	lock := func(keep map[string]map[string]string) *lockfile.Lockfile {
		l, err := Lock(t.Context(), def, nil, ocispecs.Platform{}, Options{Fetcher: archive.HTTPFetcher{}, Keyring: kr, Keep: keep})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	versions := func(l *lockfile.Lockfile) string {
		var out []string
		for _, p := range l.Architectures["amd64"].Packages {
			out = append(out, p.Name+"="+p.Version)
		}
		return strings.Join(out, " ")
	}
	old := lock(map[string]map[string]string{"amd64": {"liba": "1", "libb": "1"}})
	for _, tc := range []struct {
		name   string
		update []string // nil: a plain refresh
		want   string
	}{
		{"refresh", nil, "liba=2 libb=2"},
		{"update one", []string{"libb"}, "liba=1 libb=2"},
		{"update none", []string{}, "liba=1 libb=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var keep map[string]map[string]string
			if tc.update != nil {
				keep = old.Keep(tc.update)
			}
			if got := versions(lock(keep)); got != tc.want {
				t.Errorf("locked %s, want %s", got, tc.want)
			}
		})
	}
	fresh := lock(nil)
	changes := lockfile.Diff(old, fresh)
	got := lockfile.FormatCheck(lockfile.Updates(changes, old, fresh), changes, nil)
	if want := "updates (2):\n  liba 1 -> 2 (amd64): images a\n  libb 1 -> 2 (amd64): images a\n"; got != want {
		t.Errorf("check report\n%s\nwant\n%s", got, want)
	}
}
