package linter

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/distill-build/distill/lockfile"
)

// TestLockClosures reads an image's closure from a lockfile: its own keys
// only, with the edges among them, architectures sorted; and chain walks
// the edges from the first root that reaches the target.
func TestLockClosures(t *testing.T) {
	lock := &lockfile.Lockfile{
		Version: lockfile.LockfileVersion,
		Images: map[string]*lockfile.LockedImage{
			"a": {Closure: map[string][]string{"arm64": {"app", "sh"}, "amd64": {"app", "libc6:i386", "sh"}}},
		},
		Architectures: map[string]*lockfile.LockedArch{
			// other depends on sh too, and app on a package of another
			// image: neither edge is a's.
			"amd64": {Packages: []lockfile.LockedPackage{
				{Name: "app", Architecture: "amd64", Depends: []string{"sh", "libc6:i386", "extra"}},
				{Name: "libc6", Architecture: "i386"},
				{Name: "other", Architecture: "amd64", Depends: []string{"sh"}},
				{Name: "sh", Architecture: "all"},
			}},
			"arm64": {Packages: []lockfile.LockedPackage{{Name: "app", Architecture: "arm64"}, {Name: "sh", Architecture: "arm64"}}},
		},
	}
	for _, tc := range []struct {
		image string
		want  []string // arch: key>depends... of each closure
	}{
		{"a", []string{"amd64: app>libc6:i386,sh libc6:i386> sh>", "arm64: app> sh>"}},
		{"b", nil},
	} {
		var got []string
		for _, c := range LockClosures(lock)(tc.image) {
			var keys []string
			for _, k := range slices.Sorted(maps.Keys(c.Depends)) {
				deps := slices.Clone(c.Depends[k])
				slices.Sort(deps)
				keys = append(keys, k+">"+strings.Join(deps, ","))
			}
			got = append(got, c.Arch+": "+strings.Join(keys, " "))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: closures %q, want %q", tc.image, got, tc.want)
		}
	}
	if LockClosures(nil) != nil {
		t.Error("no lockfile gave closures")
	}
	// One Closures builds an image's closures once, for every rule.
	closures := LockClosures(lock)
	if a, b := closures("a"), closures("a"); reflect.ValueOf(a[0].Depends).UnsafePointer() != reflect.ValueOf(b[0].Depends).UnsafePointer() {
		t.Error("a's closures were built again")
	}
	c := closures("a")[0]
	for _, tc := range []struct {
		roots  []string
		target string
		want   string
	}{
		{[]string{"app"}, "sh", "app sh"},
		{[]string{"nothing", "app"}, "libc6:i386", "app libc6:i386"},
		{[]string{"sh"}, "sh", "sh"},
		{[]string{"libc6"}, "sh", ""},
	} {
		if got := strings.Join(c.chain(tc.roots, tc.target), " "); got != tc.want {
			t.Errorf("chain from %q to %s: %q, want %q", tc.roots, tc.target, got, tc.want)
		}
	}
}
