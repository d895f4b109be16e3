package resolve

import (
	"fmt"
	"strings"
	"testing"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/archive/archivetest"
)

func reqs(t testing.TB, ss ...string) []Request {
	t.Helper()
	var out []Request
	for _, s := range ss {
		r, err := ParseRequest(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// selected writes a selection as "key=version" words.
func selected(s *Selection) string {
	var parts []string
	for _, p := range s.Packages {
		parts = append(parts, s.Key(p.Package)+"="+p.Version)
	}
	return strings.Join(parts, " ")
}

const python3Closure = "dpkg=1.21.22 gcc-12-base=12.2.0-14 libc6=2.36-9+deb12u4 libexpat1=2.5.0-1 libffi8=3.4.4-1 " +
	"libgcc-s1=12.2.0-14 libpython3-stdlib=3.11.2-1+b1 libpython3.11-minimal=3.11.2-6 libpython3.11-stdlib=3.11.2-6 " +
	"libssl3=3.0.11-1~deb12u2 media-types=10.0.0 python3=3.11.2-1+b1 python3-minimal=3.11.2-1+b1 " +
	"python3.11=3.11.2-6 python3.11-minimal=3.11.2-6 tar=1.34+dfsg-1.2 zlib1g=1:1.2.13.dfsg-1"

const libc6Closure = "gcc-12-base=12.2.0-14 libc6=2.36-9+deb12u4 libgcc-s1=12.2.0-14"

// resolveCase is one solve over the synthetic index. TestResolveAgainstApt
// asks apt-get the same question of the same index: want holds apt's answer.
type resolveCase struct {
	name string
	reqs []string
	opts Options
	want string // selected(), or the error when err is set
	err  bool
	// apt holds apt-get install's arguments when the requests are relations
	// apt has no syntax for; prefs, apt_preferences(5) paragraphs standing
	// for pins and Options.Prefer.
	apt   []string
	prefs string
	// notApt says why apt is not asked: a deliberate difference.
	notApt string
}

// forbid is an apt_preferences(5) paragraph per version that no candidate
// may have: apt's spelling of a request's version relation.
func forbid(name string, versions ...string) string {
	var b strings.Builder
	for _, v := range versions {
		fmt.Fprintf(&b, "Package: %s\nPin: version %s\nPin-Priority: -1\n\n", name, v)
	}
	return b.String()
}

func resolveCases() []resolveCase {
	return []resolveCase{
		{name: "leaf with versioned provides and pre-depends", reqs: []string{"libc6"}, want: libc6Closure},
		{name: "python3 closure", reqs: []string{"python3"}, want: python3Closure},
		{name: "virtual: best provider by priority", reqs: []string{"base-files"},
			want: "base-files=12.4+deb12u5 " + libc6Closure[:len("gcc-12-base=12.2.0-14")] + " libc6=2.36-9+deb12u4 libgcc-s1=12.2.0-14 mawk=1.3.4.20200120-3.1"},
		{name: "virtual: an already selected provider wins", reqs: []string{"gawk", "base-files"},
			want: "base-files=12.4+deb12u5 gawk=1:5.2.1-2 " + libc6Closure},
		{name: "virtual: a provider requested later wins too", reqs: []string{"base-files", "gawk"},
			want: "base-files=12.4+deb12u5 gawk=1:5.2.1-2 " + libc6Closure},
		{name: "essential set", opts: Options{Essential: true},
			want: "base-files=12.4+deb12u5 dpkg=1.21.22 " + libc6Closure + " mawk=1.3.4.20200120-3.1 tar=1.34+dfsg-1.2"},
		{name: "alternative: versioned provides beats an old real package", reqs: []string{"app"},
			want: "app=1.0 " + libc6Closure[:len("gcc-12-base=12.2.0-14")] + " libc6=2.36-9+deb12u4 libfoo-compat=2.0-1 libgcc-s1=12.2.0-14 zlib1g=1:1.2.13.dfsg-1"},
		{name: "alternative: first fails deep down, second installs", reqs: []string{"choose-b"}, want: "alt-b=1 choose-b=1"},
		{name: "cycle", reqs: []string{"cycle-a"}, want: "cycle-a=1 cycle-b=1"},
		{name: "exclusions satisfy dependencies", reqs: []string{"app"}, opts: Options{Exclude: []string{"libc6"}},
			want: "app=1.0 libfoo-compat=2.0-1 zlib1g=1:1.2.13.dfsg-1"},
		{name: "pin by versioned request", reqs: []string{"libc6=2.36-9"},
			want: "gcc-12-base=12.2.0-14 libc6=2.36-9 libgcc-s1=12.2.0-14"},
		{name: "pin applies to dependencies", reqs: []string{"libgcc-s1", "libc6 (<< 2.36-9+deb12u1)"},
			apt: []string{"libgcc-s1", "libc6"}, prefs: forbid("libc6", "2.36-9+deb12u4"),
			want: "gcc-12-base=12.2.0-14 libc6=2.36-9 libgcc-s1=12.2.0-14"},
		{name: "prefer a version", reqs: []string{"libgcc-s1"}, opts: Options{Prefer: map[string]string{"libc6": "2.36-9", "libgcc-s1": "9"}},
			prefs: "Package: libc6\nPin: version 2.36-9\nPin-Priority: 1001\n\nPackage: libgcc-s1\nPin: version 9\nPin-Priority: 1001\n",
			want:  "gcc-12-base=12.2.0-14 libc6=2.36-9 libgcc-s1=12.2.0-14"},
		{name: "foreign arch request, Multi-Arch: same next to native", reqs: []string{"libc6", "libc6:i386"}, opts: Options{ForeignArchs: []string{"i386"}},
			want: "gcc-12-base=12.2.0-14 gcc-12-base:i386=12.2.0-14 libc6=2.36-9+deb12u4 libc6:i386=2.36-9+deb12u4 libgcc-s1=12.2.0-14 libgcc-s1:i386=12.2.0-14"},
		{name: ":any satisfied by a Multi-Arch: allowed package of another arch", reqs: []string{"perl-plugin"}, opts: Options{ForeignArchs: []string{"i386"}},
			want: "dpkg=1.21.22 gcc-12-base=12.2.0-14 gcc-12-base:i386=12.2.0-14 libc6=2.36-9+deb12u4 libc6:i386=2.36-9+deb12u4 libexpat1=2.5.0-1 libffi8=3.4.4-1 libgcc-s1=12.2.0-14 libgcc-s1:i386=12.2.0-14 " +
				"libpython3-stdlib=3.11.2-1+b1 libpython3.11-minimal=3.11.2-6 libpython3.11-stdlib=3.11.2-6 libssl3=3.0.11-1~deb12u2 media-types=10.0.0 perl:i386=5.36.0-7 perl-plugin=1.0-1 " +
				"python3=3.11.2-1+b1 python3-minimal=3.11.2-1+b1 python3.11=3.11.2-6 python3.11-minimal=3.11.2-6 tar=1.34+dfsg-1.2 zlib1g=1:1.2.13.dfsg-1"},
		{name: "Multi-Arch: foreign satisfies a native dependency; :native", reqs: []string{"uses-tool"}, opts: Options{ForeignArchs: []string{"i386"}},
			want: "gcc-12-base=12.2.0-14 gcc-12-base:i386=12.2.0-14 libc6=2.36-9+deb12u4 libc6:i386=2.36-9+deb12u4 libgcc-s1=12.2.0-14 libgcc-s1:i386=12.2.0-14 multi-tool:i386=2.0-1 uses-tool=1.0"},
		// A foreign package's dependency on a Multi-Arch: foreign package
		// that both architectures have takes the native one, which runs.
		{name: "Multi-Arch: foreign of both architectures: the native one", reqs: []string{"needs-both:i386"}, opts: Options{ForeignArchs: []string{"i386"}},
			want: "both-tool=1.0 gcc-12-base=12.2.0-14 libc6=2.36-9+deb12u4 libgcc-s1=12.2.0-14 needs-both:i386=1.0"},
		{name: "conflicting providers: the first one only", reqs: []string{"mta-user"},
			want: "exim4-daemon-light=4.96-15 " + libc6Closure + " mta-user=1"},
		{name: "conflicting providers: a requested one, whatever the order", reqs: []string{"mta-user", "postfix"},
			want: libc6Closure + " mta-user=1 postfix=3.7.6-0+deb12u2"},

		// Errors.
		{name: "unknown package", reqs: []string{"nope"}, err: true, want: "nope: no candidate"},
		{name: "chain to an old version", reqs: []string{"broken-top"}, err: true,
			want: "broken-top -> broken-mid -> libbar (>= 2): candidate libbar 1.0-1 does not satisfy (>= 2)"},
		{name: "chain to a missing package", reqs: []string{"alt-a"}, err: true,
			want: "alt-a -> does-not-exist: no candidate"},
		{name: "no alternative installable: the deeper chain is reported", reqs: []string{"choose-none"}, err: true,
			want: "choose-none -> alt-a -> does-not-exist: no candidate"},
		{name: "pin leaves no version", reqs: []string{"libc6 (>= 3)"}, err: true,
			apt: []string{"libc6"}, prefs: forbid("libc6", "2.36-9", "2.36-9+deb12u4"),
			want: "libc6 (>= 3): no version allowed by libc6 (>= 3) (available: 2.36-9, 2.36-9+deb12u4)"},
		// Every request is picked before any dependency is resolved, so the
		// request that has no version is the one reported.
		{name: "pin leaves a later request no version", reqs: []string{"libpython3.11-stdlib", "libssl3 (<< 3)"}, err: true,
			apt: []string{"libpython3.11-stdlib", "libssl3"}, prefs: forbid("libssl3", "3.0.11-1~deb12u2"),
			want: "libssl3 (<< 3): no version allowed by libssl3 (<< 3) (available: 3.0.11-1~deb12u2)"},
		{name: "arch not enabled", reqs: []string{"perl-plugin"}, err: true,
			want: "perl-plugin -> perl:any: no candidate for amd64 (the index has it for i386)"},
		{name: "foreign package not enabled", reqs: []string{"uses-tool"}, err: true,
			want: "uses-tool -> multi-tool (>= 2): no candidate for amd64 (the index has it for i386)"},
		{name: "request for a disabled arch", reqs: []string{"libc6:i386"}, err: true,
			want: "libc6:i386: architecture i386 is neither the native one (amd64) nor a foreign one in the options"},
		{name: "ambiguous virtual request", reqs: []string{"mail-transport-agent"}, err: true,
			want: "mail-transport-agent: virtual package provided by exim4-daemon-light, postfix; request one of them"},
		{name: "breaks", reqs: []string{"base-files", "wants-sysv"}, err: true,
			want: "wants-sysv -> initscripts: the selected base-files 12.4+deb12u5 breaks initscripts (<< 2.88dsf-13.3)"},
		{name: "conflicts through provides", reqs: []string{"exim4-daemon-light", "postfix"}, err: true,
			want: "postfix: the selected exim4-daemon-light 4.96-15 conflicts with mail-transport-agent, which postfix 3.7.6-0+deb12u2 provides"},
		{name: "requested and excluded", reqs: []string{"libc6"}, opts: Options{Exclude: []string{"libc6"}}, err: true,
			notApt: "apt has no exclusions: it would upgrade the installed package that stands for one, where distill refuses the contradiction",
			want:   "libc6 is both requested and excluded"},
	}
}

func TestResolve(t *testing.T) {
	ix := archivetest.Synthetic(t)
	for _, tt := range resolveCases() {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.Arch = "amd64"
			sel, err := Resolve(ix, reqs(t, tt.reqs...), o)
			if tt.err {
				if err == nil {
					t.Fatalf("got %s, want error %q", selected(sel), tt.want)
				}
				if err.Error() != tt.want {
					t.Fatalf("error\n%s\nwant\n%s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := selected(sel); got != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
			// Same inputs, same output.
			again, err := Resolve(ix, reqs(t, tt.reqs...), o)
			if err != nil || selected(again) != selected(sel) {
				t.Fatalf("second run differs: %v", err)
			}
		})
	}
}

func TestResolveGraph(t *testing.T) {
	ix := archivetest.Synthetic(t)
	sel, err := Resolve(ix, reqs(t, "python3"), Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	check := func(key string, requested bool, deps, rdeps string) {
		t.Helper()
		s := sel.Lookup(key)
		if s == nil {
			t.Fatalf("%s not selected", key)
		}
		if s.Requested != requested || strings.Join(s.Depends, " ") != deps || strings.Join(s.RequiredBy, " ") != rdeps {
			t.Errorf("%s: requested %t, depends %q, required by %q; want %t, %q, %q", key, s.Requested, s.Depends, s.RequiredBy, requested, deps, rdeps)
		}
	}
	check("python3", true, "libpython3-stdlib python3-minimal python3.11", "")
	check("libc6", false, "gcc-12-base libgcc-s1", "dpkg libexpat1 libffi8 libgcc-s1 libpython3.11-minimal libpython3.11-stdlib libssl3 python3.11-minimal tar zlib1g")
	check("media-types", false, "", "libpython3.11-stdlib python3.11")
	if sel.Lookup("nope") != nil {
		t.Error("Lookup of an unselected key")
	}
	if v := sel.Versions(); v["libc6"] != "2.36-9+deb12u4" || len(v) != len(sel.Packages) {
		t.Errorf("Versions() = %v", v)
	}
}

func TestResolveRequestOrder(t *testing.T) {
	// The same requests in another order give the same set here (no
	// alternative depends on the order).
	ix := archivetest.Synthetic(t)
	a, err := Resolve(ix, reqs(t, "python3", "base-files", "app"), Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Resolve(ix, reqs(t, "app", "base-files", "python3"), Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if selected(a) != selected(b) {
		t.Errorf("order matters:\n%s\n%s", selected(a), selected(b))
	}
}

func TestResolveNoArch(t *testing.T) {
	if _, err := Resolve(archivetest.Synthetic(t), nil, Options{}); err == nil {
		t.Error("Resolve without an architecture succeeded")
	}
}

// TestResolveBadRelation: a relationship field that does not parse stops the
// solve with an error naming the package and field.
func TestResolveBadRelation(t *testing.T) {
	ix, err := archive.ParsePackages(strings.NewReader("Package: a\nVersion: 1\nArchitecture: all\nDepends: b (>= )\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Resolve(ix, []Request{{Name: "a"}}, Options{Arch: "amd64"}); err == nil || !strings.Contains(err.Error(), "package a 1 (all): Depends:") {
		t.Errorf("Resolve error %v", err)
	}
}

// TestResolveMergedIndexes: the newest version wins whichever index of a
// merge lists it, and keeps its repository.
func TestResolveMergedIndexes(t *testing.T) {
	a, _ := archive.ParsePackagesWith(strings.NewReader("Package: x\nVersion: 1\nArchitecture: all\n"), archive.IndexOptions{Repository: "main"})
	b, _ := archive.ParsePackagesWith(strings.NewReader("Package: x\nVersion: 2\nArchitecture: all\n"), archive.IndexOptions{Repository: "security"})
	sel, err := Resolve(archive.MergeIndexes(a, b), []Request{{Name: "x"}}, Options{Arch: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if p := sel.Packages[0]; p.Version != "2" || p.Repository != "security" {
		t.Errorf("x resolved to %s from %s", p.Version, p.Repository)
	}
}
