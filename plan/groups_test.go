package plan

import (
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
)

func TestPackageGroups(t *testing.T) {
	pkg := func(name, version string) lockfile.LockedPackage {
		return lockfile.LockedPackage{Name: name, Version: version, SHA256: name + "=" + version}
	}
	list := func(names ...string) []lockfile.LockedPackage {
		var out []lockfile.LockedPackage
		for _, n := range names {
			name, version, ok := strings.Cut(n, "=")
			if !ok {
				version = "1"
			}
			out = append(out, pkg(name, version))
		}
		return out
	}
	show := func(groups [][]lockfile.LockedPackage) string {
		var parts []string
		for _, g := range groups {
			var names []string
			for _, p := range g {
				names = append(names, p.Name)
			}
			parts = append(parts, strings.Join(names, ","))
		}
		return strings.Join(parts, " | ")
	}
	src := `
image "static" { packages = ["base-files"] }
image "base" {
  from     = image.static
  packages = ["libc6"]
}
image "cc" {
  from     = image.base
  packages = ["libstdc++6"]
}
image "app" {
  from     = [image.cc, image.static]
  packages = ["app"]
}
image "files" {}
image "onfiles" {
  from     = image.files
  packages = ["x"]
}
repository "debian" {
  url   = "http://mirror.invalid/debian"
  suite = "bookworm"
}
`
	def, diags := definition.Parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	closures := map[string][]lockfile.LockedPackage{
		"static": list("base-files", "tzdata"),
		"base":   list("base-files", "tzdata", "libc6", "gcc-base"),
		"cc":     list("base-files", "tzdata", "libc6", "gcc-base", "libstdc++6"),
	}
	for _, tc := range []struct {
		name, image string
		own         []lockfile.LockedPackage
		closures    map[string][]lockfile.LockedPackage
		want        string
	}{
		{"lineage", "app", list("app", "base-files", "gcc-base", "libc6", "libstdc++6", "tzdata"), closures,
			"base-files,tzdata | libc6,gcc-base | libstdc++6 | app"},
		{"root image", "static", list("base-files", "tzdata"), closures, "base-files,tzdata"},
		{"a parent not locked", "app", list("app", "base-files", "gcc-base", "libc6", "libstdc++6", "tzdata"),
			map[string][]lockfile.LockedPackage{"static": closures["static"], "cc": closures["cc"]},
			"base-files,tzdata | app,gcc-base,libc6,libstdc++6"},
		{"another version in the image", "cc", list("base-files", "gcc-base", "libc6=2", "libstdc++6", "tzdata"), closures,
			"base-files,tzdata | gcc-base,libc6,libstdc++6"},
		{"excluded from the image", "cc", list("base-files", "gcc-base", "libc6", "libstdc++6"), closures,
			"base-files,gcc-base,libc6,libstdc++6"},
		{"parent without packages", "onfiles", list("x"), closures, "x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			closure := func(img *definition.Image) ([]lockfile.LockedPackage, bool) {
				if !img.NeedsArchive() {
					return nil, true
				}
				c, ok := tc.closures[img.Name]
				return c, ok
			}
			got := show(packageGroups(Lineage(def, def.Image(tc.image)), tc.own, closure))
			if got != tc.want {
				t.Errorf("groups %q, want %q", got, tc.want)
			}
		})
	}
}
