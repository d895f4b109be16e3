package plan

import (
	"strings"
	"testing"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/definition"
)

const builtSrc = `
repository "debian" {
  url   = "http://mirror.invalid/debian"
  suite = "bookworm"
}
package "hello" {
  version = "2.10"
  build { steps = ["make"] }
  runtime = ["libc6", "base-files"]
}
image "base" {
  packages = ["base-files"]
}
image "hello" {
  from     = image.base
  packages = [package.hello]
}
`

// TestBuiltPackages: an image inherits its parent's packages, takes the
// runtime requirements of the packages it builds (each once), and locks
// against all of them.
func TestBuiltPackages(t *testing.T) {
	def := mustParse(t, builtSrc)
	img := def.Image("hello")
	if len(img.Built) != 1 || img.Built[0].Name != "hello" || !img.NeedsArchive() {
		t.Fatalf("built %+v", img.Built)
	}
	reqs, err := requests(def, img)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reqs {
		names = append(names, r.String())
	}
	if strings.Join(names, " ") != "base-files libc6" {
		t.Errorf("requests %v", names)
	}
	in := lockInputs(def, img)
	if strings.Join(in.Packages, ",") != "base-files,(package hello),libc6" {
		t.Errorf("lock inputs %q", in.Packages)
	}
	if in := lockInputs(def, def.Image("base")); strings.Join(in.Packages, ",") != "base-files" {
		t.Errorf("an image without built packages locks as before: %q", in.Packages)
	}
}

func TestUnknownPackage(t *testing.T) {
	src := "image \"a\" {\n  packages = [package.nope]\n}\nimage \"b\" { from = image.a }\n"
	_, diags := parse("d.hcl", []byte(src), definition.Options{})
	if got := diags.Error(); strings.Count(got, "Unknown package") != 1 || !strings.Contains(got, `d.hcl:2,15-27: Unknown package; There is no package block named "nope".`) {
		t.Errorf("diagnostics %s", got)
	}
}

func TestPackageGraph(t *testing.T) {
	const pkgs = `
package "aa" {
  version = "1"
  build { steps = ["make"] }
  runtime = ["libc6"]
}
package "bb" {
  version = "1"
  build {
    requires = ["gcc", package.aa]
    steps    = ["make"]
  }
  runtime = [package.aa, "libz1"]
}
package "cc" {
  version = "1"
  build {
    requires = [package.bb]
    steps    = ["make"]
  }
}
image "i" {
  packages = [package.cc, package.bb]
}
`
	def := mustParse(t, "repository \"debian\" {\n  url = \"http://m.invalid/debian\"\n  suite = \"bookworm\"\n}\n"+pkgs)
	names := func(ps []*definition.Package) string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		return strings.Join(out, " ")
	}
	img := def.Image("i")
	if got := names(runtimeClosure(def, img.Built)); got != "cc aa bb" {
		t.Errorf("runtime closure %q, want cc aa bb", got)
	}
	if got := names(buildClosure(def, img.Built)); got != "aa bb cc" {
		t.Errorf("build closure %q, want aa bb cc (dependencies first)", got)
	}
	if got := strings.Join(buildRequires(def, def.Package("cc")), ","); got != "libc6,libz1" {
		t.Errorf("c's sandbox requires %q: what b and a need at run time", got)
	}
	if in := lockInputs(def, img); strings.Join(in.Packages, ",") != "(package cc),(package aa),(package bb),libc6,libz1" {
		t.Errorf("lock inputs %q", in.Packages)
	}

	cyclic := strings.Replace(pkgs, `runtime = ["libc6"]`, `runtime = ["libc6", package.cc]`, 1)
	_, diags := parse("d.hcl", []byte(cyclic), definition.Options{})
	if got := diags.Error(); !strings.Contains(got, "Package cycle; Package aa needs itself: aa -> cc -> bb -> aa.") {
		t.Errorf("cycle diagnostics %s", got)
	}
}

// TestCrossRequires: in a cross sandbox, libraries are the host's and tools
// the build platform's, as apt-get build-dep -a decides by Multi-Arch.
func TestCrossRequires(t *testing.T) {
	ix, err := archive.ParsePackages(strings.NewReader(`Package: libfoo-dev
Version: 1
Architecture: arm64
Multi-Arch: same

Package: tool
Version: 1
Architecture: arm64
Multi-Arch: foreign

Package: perl
Version: 1
Architecture: arm64
Multi-Arch: allowed

Package: plain
Version: 1
Architecture: arm64

Package: debhelper
Version: 13
Architecture: all
Multi-Arch: foreign
Provides: debhelper-compat (= 13)
`))
	if err != nil {
		t.Fatal(err)
	}
	def := mustParse(t, `
package "pkg" {
  version = "1"
  build {
    requires = ["build-essential", "libfoo-dev", "tool", "perl", "plain", "plain:native (>= 1)", "x:amd64", "debhelper-compat (= 13)"]
    cross    = true
    steps    = ["make"]
  }
}
image "i" {
  packages = [package.pkg]
}
repository "debian" {
  url   = "http://m.invalid/debian"
  suite = "bookworm"
}
`)
	got := strings.Join(crossRequires(def, def.Package("pkg"), ix, "arm64"), " ")
	want := "build-essential crossbuild-essential-arm64 libc6-dev:arm64 build-essential libfoo-dev:arm64 tool perl plain:arm64 plain (>= 1) x:amd64 debhelper-compat (= 13)"
	if got != want {
		t.Errorf("cross requires\n  %s\nwant\n  %s", got, want)
	}
	if !cross(def.Package("pkg"), "arm64", "amd64") || cross(def.Package("pkg"), "amd64", "amd64") || cross(def.Package("pkg"), "arm64", "") {
		t.Error("cross builds only for another architecture than a known build one")
	}
}

// TestSubpackageOutputs: an image takes a package's own output for every
// package of its runtime closure, and a subpackage only when one is named.
func TestSubpackageOutputs(t *testing.T) {
	def := mustParse(t, `
repository "debian" {
  url   = "http://m.invalid/debian"
  suite = "bookworm"
}
package "lib" {
  version = "1"
  build { steps = ["make"] }
  subpackage "dev" { paths = ["usr/include/**"] }
}
package "app" {
  version = "1"
  build {
    requires = [package.lib.dev]
    steps    = ["make"]
  }
  runtime = [package.lib]
}
image "run" { packages = [package.app] }
image "sdk" { packages = [package.app, package.lib.dev] }
`)
	builds := map[string]*Build{}
	for _, p := range def.Packages {
		builds[p.Name] = &Build{Package: p}
	}
	keys := func(outs []Output) string {
		var s []string
		for _, o := range outs {
			s = append(s, definition.PackageRef{Name: o.Build.Package.Name, Sub: o.Sub}.Key())
		}
		return strings.Join(s, " ")
	}
	if got := keys(outputs(def, def.Image("run").Built, builds)); got != "lib app" {
		t.Errorf("run takes %q, want lib app", got)
	}
	if got := keys(outputs(def, def.Image("sdk").Built, builds)); got != "lib app lib.dev" {
		t.Errorf("sdk takes %q, want lib app lib.dev", got)
	}
	if got := keys(outputs(def, def.Package("app").Build.RequiresBuilt, builds)); got != "lib lib.dev" {
		t.Errorf("app's sandbox takes %q, want lib lib.dev", got)
	}
	_, diags := parse("d.hcl", []byte("package \"lib\" {\n  version = \"1\"\n  build { steps = [\"make\"] }\n}\nimage \"x\" { packages = [package.lib.doc] }\n"), definition.Options{})
	if got := diags.Error(); !strings.Contains(got, `Unknown subpackage; Package lib has no subpackage "doc".`) {
		t.Errorf("diagnostics %s", got)
	}
}

// TestNativeRequest: ":native" asks for the build architecture's package,
// which every sandbox solves unqualified.
func TestNativeRequest(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		native   bool
	}{
		{"golang-go:native", "golang-go", true},
		{"golang-go:native (>= 2:1.19)", "golang-go (>= 2:1.19)", true},
		{"golang-go:native=2:1.19~1", "golang-go=2:1.19~1", true},
		{"golang-go", "golang-go", false},
		{"libc6-dev:arm64", "libc6-dev:arm64", false},
		{"nativeish", "nativeish", false},
	} {
		got, native := nativeRequest(tc.in)
		if got != tc.want || native != tc.native {
			t.Errorf("nativeRequest(%q) = %q, %v; want %q, %v", tc.in, got, native, tc.want, tc.native)
		}
	}
}
