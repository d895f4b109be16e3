package lockfile

import (
	"errors"
	"strings"
	"testing"
)

var (
	pinHTTP = PinnedSource{Kind: PinnedHTTP, Repository: "debian", URL: "pool/main/h/hello/hello_2.10.orig.tar.gz", Digest: "sha256:" + strings.Repeat("a", 64)}
	pinGit  = PinnedSource{Kind: PinnedGit, URL: "http://127.0.0.1/src.git", Commit: strings.Repeat("c", 40), Tag: "v1"}
)

// TestPackageSourcesRoundTrip: pins survive Marshal and Parse, and a
// malformed one is refused with what is wrong.
func TestPackageSourcesRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sources []PinnedSource
		wantErr string // "" when valid
	}{
		{"http and git", []PinnedSource{pinHTTP, pinGit}, ""},
		{"sha512", []PinnedSource{{Kind: PinnedHTTP, URL: "http://127.0.0.1/a", Digest: "sha512:" + strings.Repeat("b", 128)}}, ""},
		{"sha256 git", []PinnedSource{{Kind: PinnedGit, URL: "http://127.0.0.1/a.git", Commit: strings.Repeat("d", 64)}}, ""},
		{"no url", []PinnedSource{{Kind: PinnedHTTP, Digest: pinHTTP.Digest}}, "no url"},
		{"short digest", []PinnedSource{{Kind: PinnedHTTP, URL: "u", Digest: "sha256:abc"}}, `digest "sha256:abc"`},
		{"md5", []PinnedSource{{Kind: PinnedHTTP, URL: "u", Digest: "md5:" + strings.Repeat("a", 32)}}, "is not sha256: or sha512:"},
		{"upper-case digest", []PinnedSource{{Kind: PinnedHTTP, URL: "u", Digest: "sha256:" + strings.Repeat("A", 64)}}, "lower-case"},
		{"http with a commit", []PinnedSource{{Kind: PinnedHTTP, URL: "u", Digest: pinHTTP.Digest, Commit: pinGit.Commit}}, "no commit or tag"},
		{"short commit", []PinnedSource{{Kind: PinnedGit, URL: "u", Commit: "abc123"}}, "not a full commit"},
		{"git with a digest", []PinnedSource{{Kind: PinnedGit, URL: "u", Commit: pinGit.Commit, Digest: pinHTTP.Digest}}, "no digest"},
		{"context", []PinnedSource{{Kind: "context", URL: "u"}}, `kind "context"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New()
			l.SetPackageSources("hello", tc.sources)
			data, err := l.Marshal()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "package hello: source 1") {
					t.Fatalf("Marshal: %v, want an error naming the source and %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			back, err := Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			if err := back.CheckPackageSources("hello", tc.sources); err != nil {
				t.Errorf("after a round trip: %v", err)
			}
		})
	}
	l := New()
	l.SetPackageSources("hello", []PinnedSource{pinHTTP})
	l.SetPackageSources("hello", nil)
	if _, ok := l.PackageSources["hello"]; ok {
		t.Error("setting no sources kept the entry")
	}
}

// TestCheckPackageSources: any difference from the lock, in the order of
// the sources, is a StaleSourceError that says which source and how.
func TestCheckPackageSources(t *testing.T) {
	moved := pinHTTP
	moved.Digest = "sha256:" + strings.Repeat("b", 64)
	retagged := pinGit
	retagged.Tag = "v2"
	for _, tc := range []struct {
		name      string
		locked    []PinnedSource
		want      []PinnedSource
		wantIndex int    // -1: no error
		wantErr   string // a substring of the message
	}{
		{"same", []PinnedSource{pinHTTP, pinGit}, []PinnedSource{pinHTTP, pinGit}, -1, ""},
		{"none on either side", nil, nil, -1, ""},
		{"another digest", []PinnedSource{pinHTTP}, []PinnedSource{moved}, 0, "pins package hello's source as http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:aaaaaaaaaaaa; the definition has http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:bbbbbbbbbbbb"},
		{"another tag", []PinnedSource{pinHTTP, pinGit}, []PinnedSource{pinHTTP, retagged}, 1, "(tag v2)"},
		{"reordered", []PinnedSource{pinHTTP, pinGit}, []PinnedSource{pinGit, pinHTTP}, 0, "the definition has git"},
		{"not locked", nil, []PinnedSource{pinGit}, 0, "the lockfile does not pin package hello's source git http://127.0.0.1/src.git cccccccccccc (tag v1)"},
		{"dropped", []PinnedSource{pinHTTP, pinGit}, []PinnedSource{pinHTTP}, 1, "which the definition no longer has"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := New()
			l.SetPackageSources("hello", tc.locked)
			err := l.CheckPackageSources("hello", tc.want)
			var stale *StaleSourceError
			if tc.wantIndex < 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if !errors.As(err, &stale) || stale.Index != tc.wantIndex || stale.Package != "hello" {
				t.Fatalf("error %#v, want a StaleSourceError at source %d", err, tc.wantIndex)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q lacks %q", err, tc.wantErr)
			}
		})
	}
}

// TestSourceChanges: `distill lock` reports each changed pin on a line of
// its own, Debian source packages and package sources alike, sorted.
func TestSourceChanges(t *testing.T) {
	moved := pinHTTP
	moved.URL = "pool/main/h/hello/hello_2.12.orig.tar.gz"
	moved.Digest = "sha256:" + strings.Repeat("b", 64)
	dsc := func(sum string) LockedSource {
		return LockedSource{Repository: "debian", Directory: "pool/main/t/tini", Files: []LockedSourceFile{{Name: "tini_0.19.0-1.dsc", SHA256: strings.Repeat(sum, 64), Size: 1}}}
	}
	lock := func(sources map[string]LockedSource, pins map[string][]PinnedSource) *Lockfile {
		l := New()
		l.Sources = sources
		l.PackageSources = pins
		return l
	}
	for _, tc := range []struct {
		name     string
		old, new *Lockfile
		want     []string
	}{
		{"nothing", nil, nil, nil},
		{"unchanged", lock(map[string]LockedSource{"tini 0.19.0-1": dsc("a")}, map[string][]PinnedSource{"hello": {pinHTTP}}),
			lock(map[string]LockedSource{"tini 0.19.0-1": dsc("a")}, map[string][]PinnedSource{"hello": {pinHTTP}}), nil},
		{"first lock", nil, lock(map[string]LockedSource{"tini 0.19.0-1": dsc("a")}, map[string][]PinnedSource{"hello": {pinHTTP, pinGit}}), []string{
			"source tini 0.19.0-1 (added)",
			"package hello: source http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:aaaaaaaaaaaa (added)",
			"package hello: source git http://127.0.0.1/src.git cccccccccccc (tag v1) (added)",
		}},
		{"changed", lock(map[string]LockedSource{"tini 0.19.0-1": dsc("a"), "dash 1": dsc("a")}, map[string][]PinnedSource{"hello": {pinHTTP, pinGit}, "zlib": {pinHTTP}}),
			lock(map[string]LockedSource{"tini 0.19.0-1": dsc("b")}, map[string][]PinnedSource{"hello": {moved}}), []string{
				"source dash 1 (removed)",
				"source tini 0.19.0-1 (files changed)",
				"package hello: source http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:aaaaaaaaaaaa -> http debian:pool/main/h/hello/hello_2.12.orig.tar.gz sha256:bbbbbbbbbbbb (changed)",
				"package hello: source git http://127.0.0.1/src.git cccccccccccc (tag v1) (removed)",
				"package zlib: source http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:aaaaaaaaaaaa (removed)",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := SourceChanges(tc.old, tc.new)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}
