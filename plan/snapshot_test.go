package plan

import (
	"testing"
	"time"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
)

func TestSnapshotURL(t *testing.T) {
	src := `repository "debian" {
  url      = "http://mirror.invalid/debian/"
  suite    = "bookworm"
  snapshot = "http://snapshot.invalid/archive/debian/"
}
repository "security" {
  url   = "http://mirror.invalid/debian-security"
  suite = "bookworm-security"
}
image "a" {}
`
	def, diags := parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	at := &lockfile.Lockfile{LockedAt: time.Date(2026, 11, 30, 15, 25, 51, 0, time.UTC)}
	for _, tc := range []struct {
		name, url string
		lock      *lockfile.Lockfile
		want      string
	}{
		{"pool file", "http://mirror.invalid/debian/pool/main/h/hello/hello_2.10-3_amd64.deb", at,
			"http://snapshot.invalid/archive/debian/20261130T152551Z/pool/main/h/hello/hello_2.10-3_amd64.deb"},
		{"lock time in UTC", "http://mirror.invalid/debian/pool/x.deb", &lockfile.Lockfile{LockedAt: time.Date(2026, 12, 1, 1, 0, 0, 0, time.FixedZone("", 3600))},
			"http://snapshot.invalid/archive/debian/20261201T000000Z/pool/x.deb"},
		{"repository without snapshot", "http://mirror.invalid/debian-security/pool/x.deb", at, ""},
		{"a prefix that is not the repository", "http://mirror.invalid/debianx/pool/x.deb", at, ""},
		{"other host", "http://elsewhere.invalid/x.tar.gz", at, ""},
		{"lock without a time", "http://mirror.invalid/debian/pool/x.deb", &lockfile.Lockfile{}, ""},
		{"no lock", "http://mirror.invalid/debian/pool/x.deb", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := SnapshotURL(def, tc.lock, tc.url)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("SnapshotURL(%s) = %q, %v; want %q", tc.url, got, ok, tc.want)
			}
		})
	}
}
