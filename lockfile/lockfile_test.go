package lockfile

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/archive/archivetest"
	"github.com/distill-build/distill/debian/resolve"
)

func lockOf(t *testing.T, ix *archive.Index, o resolve.Options, requests ...string) *Lockfile {
	t.Helper()
	sel, err := resolve.Resolve(ix, reqs(t, requests...), o)
	if err != nil {
		t.Fatal(err)
	}
	l := New()
	if err := l.Add(sel); err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLockfileRoundTrip(t *testing.T) {
	ix := archivetest.Synthetic(t)
	l := lockOf(t, ix, resolve.Options{Arch: "amd64"}, "python3")
	sel, err := resolve.Resolve(ix, reqs(t, "base-files", "libc6:i386"), resolve.Options{Arch: "amd64", ForeignArchs: []string{"i386"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(sel); err != nil {
		t.Fatal(err)
	}
	arm := &resolve.Selection{Arch: "arm64"}
	if err := l.Add(arm); err != nil {
		t.Fatal(err)
	}

	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.Marshal()
	if err != nil || !bytes.Equal(data, again) {
		t.Fatal("Marshal is not deterministic")
	}
	l2, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	data2, err := l2.Marshal()
	if err != nil || !bytes.Equal(data, data2) {
		t.Fatalf("round trip differs:\n%s\n%s", data, data2)
	}
	if len(Diff(l, l2)) != 0 {
		t.Error("Diff of a round trip is not empty")
	}

	// The file itself: one field per line, sorted, ending in a newline.
	s := string(data)
	for _, want := range []string{
		"{\n  \"version\": 2,\n  \"architectures\": {\n    \"amd64\": {\n      \"packages\": [\n        {\n          \"name\": \"base-files\",",
		`"name": "libc6",
          "version": "2.36-9+deb12u4",
          "architecture": "i386",
          "repository": "debian",
          "filename": "pool/main/g/glibc/libc6_2.36-9+deb12u4_i386.deb",
          "sha256": "1111111111111111111111111111111111111111111111111111111111113333",
          "size": 2700000,
          "source": "glibc",
          "depends": [
            "gcc-12-base:i386",
            "libgcc-s1:i386"
          ]`,
		`"name": "python3",
          "version": "3.11.2-1+b1",
          "architecture": "amd64",
          "repository": "debian",
          "filename": "pool/main/p/python3-defaults/python3_3.11.2-1+b1_amd64.deb",
          "sha256": "8888888888888888888888888888888888888888888888888888888888888888",
          "size": 26000,
          "source": "python3-defaults",
          "source_version": "3.11.2-1",`,
		"\"arm64\": {\n      \"packages\": []\n    }",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("lockfile lacks\n%s\nin\n%s", want, s)
		}
	}
	if !strings.HasSuffix(s, "}\n") {
		t.Error("no final newline")
	}
	if strings.Index(s, `"name": "base-files"`) > strings.Index(s, `"name": "zlib1g"`) {
		t.Error("packages are not sorted")
	}

	// Closure from the lockfile alone.
	got, err := l2.Closure("amd64", []string{"python3"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.Name+"="+p.Version)
	}
	// The same closure as the solver's.
	py, err := resolve.Resolve(ix, reqs(t, "python3"), resolve.Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range py.Packages {
		want = append(want, p.Name+"="+p.Version)
	}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("Closure(python3) = %s, want %s", names, want)
	}
	got, err = l2.Closure("amd64", []string{"libc6:i386"})
	if err != nil || len(got) != 3 || got[0].Key("amd64") != "gcc-12-base:i386" {
		t.Errorf("Closure(libc6:i386) = %v, %v", got, err)
	}
	var nl *NotLockedError
	if _, err := l2.Closure("amd64", []string{"python3", "nodejs"}); !errors.As(err, &nl) || nl.Key != "nodejs" ||
		err.Error() != "the lockfile has no package nodejs for amd64: the definition asks for more than was locked" {
		t.Errorf("Closure of an unlocked package: %v", err)
	}
	if _, err := l2.Closure("s390x", []string{"python3"}); !errors.As(err, &nl) {
		t.Errorf("Closure for an unlocked architecture: %v", err)
	}
	if p := l2.Lookup("amd64", "libc6:i386"); p == nil || p.Architecture != "i386" {
		t.Errorf("Lookup(libc6:i386) = %v", p)
	}
	if p := l2.Lookup("amd64", "nope"); p != nil {
		t.Errorf("Lookup(nope) = %v", p)
	}
}

func TestLockfileAddConflict(t *testing.T) {
	ix := archivetest.Synthetic(t)
	l := lockOf(t, ix, resolve.Options{Arch: "amd64"}, "libc6")
	sel, err := resolve.Resolve(ix, reqs(t, "libc6=2.36-9"), resolve.Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Add(sel); err == nil || !strings.Contains(err.Error(), "libc6 for amd64 selected as 2.36-9+deb12u4 and as 2.36-9") {
		t.Errorf("Add of another version: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	pkg := func(fields string) string {
		return `{"version":2,"architectures":{"amd64":{"packages":[{` + fields + `}]}}}`
	}
	good := `"name":"a","version":"1","architecture":"amd64","filename":"pool/a.deb","sha256":"` + strings.Repeat("a", 64) + `","size":1,"source":"a"`
	if _, err := Parse([]byte(pkg(good))); err != nil {
		t.Fatalf("good lockfile: %v", err)
	}
	for _, tt := range []struct{ in, err string }{
		{`{"version":1,"architectures":{}}`, "version 1, want 2: an older distill wrote it; run distill lock to rewrite it"},
		// A file cut short says so, and what to do.
		{pkg(good)[:60], "lockfile: the JSON ends early (a truncated or half-edited file?); run distill lock to rewrite it: unexpected EOF"},
		{`{"version":2,"images":{"a":null},"architectures":{}}`, "image a is null"},
		{`{"version":2,"architectures":{},"extra":1}`, `unknown field "extra"`},
		{`{"version":2,"architectures":{}} {}`, "data after the JSON object"},
		{`[]`, "cannot unmarshal"},
		{`{"version":2,"architectures":{"amd64":null}}`, "architecture amd64 is null"},
		{pkg(strings.Replace(good, `"version":"1"`, `"version":"x"`, 1)), `invalid version "x"`},
		{pkg(strings.Replace(good, strings.Repeat("a", 64), strings.Repeat("A", 64), 1)), "is not 64 lower-case hex digits"},
		{pkg(strings.Replace(good, strings.Repeat("a", 64), "abc", 1)), "is not 64 lower-case hex digits"},
		{pkg(strings.Replace(good, `"pool/a.deb"`, `"../etc/passwd"`, 1)), "must be a relative path inside the archive"},
		{pkg(strings.Replace(good, `"pool/a.deb"`, `"/pool/a.deb"`, 1)), "must be a relative path inside the archive"},
		{pkg(strings.Replace(good, `"size":1`, `"size":-1`, 1)), "negative size"},
		{pkg(strings.Replace(good, `"name":"a"`, `"name":""`, 1)), "name, version, architecture and filename are required"},
		{pkg(good + `,"depends":["b"]`), "a depends on b, which is not locked"},
		{pkg(good + `},{` + good), "amd64: a is locked twice"},
	} {
		_, err := Parse([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Parse(%s): %v, want %q", tt.in, err, tt.err)
		}
	}
}

func TestDiff(t *testing.T) {
	ix := archivetest.Synthetic(t)
	old := lockOf(t, ix, resolve.Options{Arch: "amd64"}, "python3", "libc6 (= 2.36-9)")
	new := lockOf(t, ix, resolve.Options{Arch: "amd64"}, "python3", "base-files")
	// Remove one package from the new lock, and "rebuild" another.
	la := new.Architectures["amd64"]
	for i := range la.Packages {
		if la.Packages[i].Name == "media-types" {
			la.Packages[i].SHA256 = strings.Repeat("9", 64)
		}
	}
	old.Architectures["amd64"].Packages = append(old.Architectures["amd64"].Packages, LockedPackage{
		Name: "oldpkg", Version: "1.0", Architecture: "all", Filename: "pool/o.deb", SHA256: strings.Repeat("1", 64), Source: "oldpkg"})
	arm := lockOf(t, ix, resolve.Options{Arch: "amd64"}, "tar")
	for i := range arm.Architectures["amd64"].Packages {
		arm.Architectures["amd64"].Packages[i].Architecture = "arm64"
	}
	arm.Architectures["arm64"] = arm.Architectures["amd64"]
	delete(arm.Architectures, "amd64")
	new.Architectures["arm64"] = arm.Architectures["arm64"]

	changes := Diff(old, new)
	got := FormatChanges(changes)
	want := `amd64 base-files 12.4+deb12u5 (added)
amd64 libc6 2.36-9 -> 2.36-9+deb12u4 (upgraded)
amd64 mawk 1.3.4.20200120-3.1 (added)
amd64 media-types 10.0.0 (rebuilt: sha256 0000cccccccc -> 999999999999)
amd64 oldpkg 1.0 (removed)
arm64 gcc-12-base 12.2.0-14 (added)
arm64 libc6 2.36-9+deb12u4 (added)
arm64 libgcc-s1 12.2.0-14 (added)
arm64 tar 1.34+dfsg-1.2 (added)
1 upgraded, 6 added, 1 removed, 1 rebuilt
`
	if got != want {
		t.Errorf("changes:\n%s\nwant:\n%s", got, want)
	}
	back := FormatChanges(Diff(new, old))
	if !strings.Contains(back, "amd64 libc6 2.36-9+deb12u4 -> 2.36-9 (downgraded)") {
		t.Errorf("reverse diff:\n%s", back)
	}
	if FormatChanges(Diff(nil, nil)) != "" {
		t.Error("diff of nothing")
	}
	if n := len(Diff(nil, old)); n != len(old.Architectures["amd64"].Packages) {
		t.Errorf("diff from nil: %d changes", n)
	}
}

// TestLockedImages checks that an image's locked closure is its own, not the
// union of every image's, and that changed inputs make the lock stale.
func TestLockedImages(t *testing.T) {
	ix := archivetest.Synthetic(t)
	l := New()
	lock := func(name string, in LockInputs, o resolve.Options) {
		t.Helper()
		sel, err := resolve.Resolve(ix, reqs(t, in.Packages...), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Add(sel); err != nil {
			t.Fatal(err)
		}
		l.SetImage(name, in, sel, nil)
	}
	small := LockInputs{Packages: []string{"libc6"}, Exclude: []string{"libgcc-s1"}, Repositories: []string{"debian bookworm main"}}
	big := LockInputs{Packages: []string{"libc6"}, Repositories: []string{"debian bookworm main"}}
	lock("small", small, resolve.Options{Arch: "amd64", Exclude: small.Exclude})
	lock("big", big, resolve.Options{Arch: "amd64"})
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	l2, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	sp, _, err := l2.ImagePackages("small", small, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	bp, _, err := l2.ImagePackages("big", big, "amd64")
	if err != nil {
		t.Fatal(err)
	}
	if len(sp) >= len(bp) {
		t.Errorf("small has %d packages, big %d: the exclusion was lost", len(sp), len(bp))
	}
	for _, p := range sp {
		if p.Name == "libgcc-s1" {
			t.Error("small got its excluded package from the lock")
		}
	}
	var stale *StaleLockError
	if _, _, err := l2.ImagePackages("small", big, "amd64"); !errors.As(err, &stale) {
		t.Errorf("changed inputs: %v", err)
	}
	var nl *NotLockedError
	if _, _, err := l2.ImagePackages("small", small, "arm64"); !errors.As(err, &nl) {
		t.Errorf("unlocked architecture: %v", err)
	}
	if _, _, err := l2.ImagePackages("other", small, "amd64"); !errors.As(err, &nl) ||
		err.Error() != "the lockfile has no record of image other for amd64: it was locked before that was added, or for other platforms" {
		t.Errorf("unlocked image: %v", err)
	}

	// A record naming a package the lock lacks (a hand edit) fails the
	// image it belongs to, naming the package, and no other image.
	l2.Images["big"].Closure["amd64"] = append(l2.Images["big"].Closure["amd64"], "ghost")
	data, err = l2.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	l3, err := Parse(data)
	if err != nil {
		t.Fatalf("one broken record refused the whole lock: %v", err)
	}
	if _, _, err := l3.ImagePackages("small", small, "amd64"); err != nil {
		t.Errorf("small, intact: %v", err)
	}
	if _, _, err := l3.ImagePackages("big", big, "amd64"); !errors.As(err, &nl) || nl.Key != "ghost" {
		t.Errorf("big, broken: %v", err)
	}
}

func reqs(t testing.TB, ss ...string) []resolve.Request {
	t.Helper()
	var out []resolve.Request
	for _, s := range ss {
		r, err := resolve.ParseRequest(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"distill.hcl":    "distill.lock.json",
		"dir/images.hcl": "dir/images.lock.json",
		"no-extension":   "no-extension.lock.json",
	} {
		if got := Name(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

// TestSourcesRoundTrip: pinned source packages survive Marshal and Parse,
// and a pin without a .dsc is refused.
func TestSourcesRoundTrip(t *testing.T) {
	l := New()
	s := LockedSource{Repository: "debian", Directory: "pool/main/d/dash", Files: []LockedSourceFile{
		{Name: "dash_0.5.12-2.dsc", SHA256: strings.Repeat("a", 64), Size: 10},
		{Name: "dash_0.5.12.orig.tar.gz", SHA256: strings.Repeat("b", 64), Size: 20},
	}}
	l.SetSource(SourceKey("dash", "0.5.12-2"), s)
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := back.Source("dash 0.5.12-2"); err != nil || got.Directory != s.Directory || len(got.Files) != 2 {
		t.Errorf("source %+v, %v", got, err)
	}
	if _, err := back.Source("dash 1"); err == nil {
		t.Error("an unpinned source was found")
	}
	bad := strings.Replace(string(data), "dash_0.5.12-2.dsc", "dash_0.5.12-2.txt", 1)
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "no .dsc") {
		t.Errorf("a pin without a .dsc: %v", err)
	}
}

func TestLockedAt(t *testing.T) {
	l := New()
	data, err := l.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte("locked_at")) {
		t.Errorf("a lock without a time writes one:\n%s", data)
	}
	l.LockedAt = time.Date(2026, 11, 30, 15, 25, 51, 0, time.UTC)
	if data, err = l.Marshal(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"locked_at": "2026-11-30T15:25:51Z"`)) {
		t.Errorf("locked_at missing:\n%s", data)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !back.LockedAt.Equal(l.LockedAt) {
		t.Errorf("locked_at read back as %v", back.LockedAt)
	}
}
