package lockfile

import (
	"strings"
	"testing"
)

func TestImageChanges(t *testing.T) {
	in := LockInputs{Packages: []string{"a"}, Repositories: []string{"debian bookworm main"}}
	with := func(pkgs ...string) LockInputs {
		out := in
		out.Packages = pkgs
		return out
	}
	rec := func(in LockInputs, closure ...string) *LockedImage {
		return &LockedImage{LockInputs: in, Closure: map[string][]string{"amd64": closure}}
	}
	// static ← base ← {cc, python3}; other stands alone.
	parents := map[string][]string{"base": {"static"}, "cc": {"base"}, "python3": {"base"}}
	for _, tc := range []struct {
		name     string
		old, new map[string]*LockedImage
		want     []string
	}{
		{"added, removed, edited, grown",
			map[string]*LockedImage{"kept": rec(in, "a"), "grown": rec(in, "a"), "edited": rec(in, "a"), "dropped": rec(in, "a")},
			map[string]*LockedImage{"kept": rec(in, "a"), "grown": rec(in, "a", "b"),
				"edited": rec(LockInputs{Packages: []string{"a"}, Exclude: []string{"b"}, Repositories: in.Repositories}, "a"), "new": rec(in, "a")},
			[]string{"image dropped (removed)", "image new (added)", "image edited: exclude + b", "image grown: amd64 + b"}},
		{"a package added to the root reaches every image built on it, said once",
			map[string]*LockedImage{"static": rec(with("a")), "base": rec(with("a", "libc6")), "cc": rec(with("a", "libc6", "gcc")), "python3": rec(with("a", "libc6", "py")), "other": rec(with("z"))},
			map[string]*LockedImage{"static": rec(with("a", "libcap2")), "base": rec(with("a", "libcap2", "libc6")), "cc": rec(with("a", "libcap2", "libc6", "gcc")), "python3": rec(with("a", "libcap2", "libc6", "py")), "other": rec(with("z"))},
			[]string{"image static: + libcap2 (and 3 images built on it)"}},
		{"a change of its own is told apart from the inherited one",
			map[string]*LockedImage{"static": rec(with("a")), "base": rec(with("a", "libc6")), "cc": rec(with("a", "libc6", "gcc"))},
			map[string]*LockedImage{"static": rec(with("a", "libcap2")), "base": rec(with("a", "libcap2", "libc6")), "cc": rec(with("a", "libcap2", "libc6", "gcc-13"))},
			[]string{"image cc: + gcc-13, - gcc", "image static: + libcap2 (and 2 images built on it)"}},
		{"a closure change from a new dependency",
			map[string]*LockedImage{"static": rec(in, "a"), "base": rec(in, "a", "c"), "cc": rec(in, "a", "c", "g")},
			map[string]*LockedImage{"static": rec(in, "a", "d"), "base": rec(in, "a", "c", "d"), "cc": rec(in, "a", "c", "g", "d")},
			[]string{"image static: amd64 + d (and 2 images built on it)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ImageChanges(&Lockfile{Images: tc.old}, &Lockfile{Images: tc.new}, parents)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// checkLocks are two locks of static ← base, the second a day later: a
// security update of libssl3, a point release of tzdata, libgone removed.
func checkLocks() (old, fresh *Lockfile) {
	repos := []string{"debian bookworm main", "security bookworm-security main"}
	images := map[string]*LockedImage{
		"static": {LockInputs: LockInputs{Packages: []string{"tzdata"}, Repositories: repos}, Closure: map[string][]string{"amd64": {"tzdata"}, "arm64": {"tzdata"}}},
		"base":   {LockInputs: LockInputs{Packages: []string{"tzdata", "libssl3"}, Repositories: repos}, Closure: map[string][]string{"amd64": {"libssl3", "tzdata"}, "arm64": {"libssl3", "tzdata"}}},
	}
	pkg := func(name, version, arch, repo string) LockedPackage {
		return LockedPackage{Name: name, Version: version, Architecture: arch, Repository: repo, Filename: name + "_" + version + ".deb", SHA256: name + version}
	}
	lock := func(ssl, tz string, gone bool) *Lockfile {
		l := &Lockfile{Images: images, Architectures: map[string]*LockedArch{}}
		for _, arch := range []string{"amd64", "arm64"} {
			la := &LockedArch{Packages: []LockedPackage{pkg("libssl3", ssl, arch, "security"), pkg("tzdata", tz, "all", "debian")}}
			if gone {
				la.Packages = append(la.Packages, pkg("libgone", "1", arch, "debian"))
			}
			l.Architectures[arch] = la
		}
		return l
	}
	return lock("3.0.15-1~deb12u1", "2024a-0+deb12u1", true), lock("3.0.16-1~deb12u1", "2025b-0+deb12u1", false)
}

func TestCheckReport(t *testing.T) {
	old, fresh := checkLocks()
	changes := Diff(old, fresh)
	for _, tc := range []struct {
		name    string
		updates []Update
		changes []Change
		images  []string
		want    string
	}{
		{"nothing", nil, nil, nil, ""},
		{"security first, then updates, then the rest", Updates(changes, old, fresh), changes, []string{"image static: + libcap2 (and 1 image built on it)"}, `security updates (1):
  libssl3 3.0.15-1~deb12u1 -> 3.0.16-1~deb12u1 (amd64, arm64): images base
updates (1):
  tzdata 2024a-0+deb12u1 -> 2025b-0+deb12u1 (amd64, arm64): images base, static
other package changes (2):
  amd64 libgone 1 (removed)
  arm64 libgone 1 (removed)
image changes (1):
  image static: + libcap2 (and 1 image built on it)
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatCheck(tc.updates, tc.changes, tc.images); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

func TestPartialUpdate(t *testing.T) {
	old, fresh := checkLocks()
	changes := Diff(old, fresh)
	for _, tc := range []struct {
		name    string
		update  []string
		unasked []string // the packages of the changes a partial update refuses
		unknown []string
	}{
		{"everything named", []string{"libssl3", "tzdata"}, nil, nil},
		{"one named: the other's move is refused", []string{"libssl3"}, []string{"tzdata", "tzdata"}, nil},
		{"a name the lock lacks", []string{"libssl3", "nosuch", "tzdata"}, nil, []string{"nosuch"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range Unasked(changes, tc.update) {
				got = append(got, c.New.Name)
			}
			if strings.Join(got, " ") != strings.Join(tc.unasked, " ") {
				t.Errorf("unasked %q, want %q", got, tc.unasked)
			}
			if u := old.Unknown(tc.update); strings.Join(u, " ") != strings.Join(tc.unknown, " ") {
				t.Errorf("unknown %q, want %q", u, tc.unknown)
			}
			keep := old.Keep(tc.update)
			for _, name := range tc.update {
				if v, ok := keep["amd64"][name]; ok {
					t.Errorf("keeps %s %s, which is to be updated", name, v)
				}
			}
			if _, ok := keep["amd64"]["libgone"]; !ok {
				t.Error("does not keep libgone, which is not named")
			}
		})
	}
	err := UnaskedError(Unasked(changes, []string{"libssl3"}), []string{"libssl3"})
	for _, w := range []string{"updating libssl3 would also change packages not named", "amd64 tzdata 2024a-0+deb12u1 -> 2025b-0+deb12u1 (upgraded)", "--update libssl3 tzdata"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
}
