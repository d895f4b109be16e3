package archive

import (
	"os"
	"strings"
	"testing"

	"github.com/distill-build/distill/debian/version"
)

func loadFixture(t testing.TB, path string) *Index {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ix, err := ParsePackagesWith(f, IndexOptions{File: path, Repository: "debian"})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func synthetic(t testing.TB) *Index { return loadFixture(t, "testdata/synthetic/Packages") }

func TestParsePackages(t *testing.T) {
	ix := synthetic(t)
	if ix.Len() != 53 {
		t.Fatalf("%d packages, want 53", ix.Len())
	}
	libc := ix.Lookup("libc6")
	if len(libc) != 3 {
		t.Fatalf("libc6: %d packages", len(libc))
	}
	p := libc[1]
	if p.Name != "libc6" || p.Version != "2.36-9+deb12u4" || p.Ver != version.MustParseVersion("2.36-9+deb12u4") ||
		p.Architecture != "amd64" || p.MultiArch != MultiArchSame || p.Priority != "optional" || p.Section != "libs" ||
		p.Filename != "pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb" || p.Size != 2800100 ||
		p.SHA256 != "1111111111111111111111111111111111111111111111111111111111112222" ||
		p.Source != "glibc" || p.SourceVersion != "2.36-9+deb12u4" || p.Repository != "debian" ||
		p.RawPreDepends != "libgcc-s1" || p.RawDepends != "gcc-base" {
		t.Errorf("libc6 parsed as %+v", p)
	}
	if g := ix.Lookup("libgcc-s1")[0]; g.Source != "gcc-12" || g.SourceVersion != "12.2.0-14" {
		t.Errorf("libgcc-s1 source %q %q", g.Source, g.SourceVersion)
	}
	if m := ix.Lookup("media-types")[0]; m.Source != "media-types" || m.SourceVersion != "10.0.0" || m.MultiArch != MultiArchForeign {
		t.Errorf("media-types: %+v", m)
	}
	if b := ix.Lookup("base-files")[0]; !b.Essential {
		t.Error("base-files is not Essential")
	}
	deps, err := ix.Lookup("python3")[0].Depends()
	if err != nil || len(deps) != 2 || deps[0].String() != "python3.11 (>= 3.11.2-1~)" {
		t.Errorf("python3 Depends = %v, %v", deps, err)
	}
	provs, err := ix.Providers("awk")
	if err != nil || len(provs) != 2 || provs[0].Package.Name != "mawk" || provs[1].Package.Name != "gawk" {
		t.Errorf("providers of awk: %v %v", provs, err)
	}
	if ix.Lookup("nope") != nil {
		t.Error("Lookup of an unknown name")
	}
}

func TestParsePackagesErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"Version: 1\nArchitecture: all\n", "f:1: paragraph without a Package field"},
		{"Package: a\nArchitecture: all\n", "f:1: package a: missing Version or Architecture"},
		{"Package: a\nVersion: 1\n", "f:1: package a: missing Version or Architecture"},
		{"Package: a\nVersion: 1\nArchitecture: all\n\nPackage: b\nVersion: x\nArchitecture: all\n", `f:5: package b: invalid version "x"`},
		{"Package: a\nVersion: 1\nArchitecture: all\nSize: -1\n", `f:1: package a: invalid Size "-1"`},
		{"Package: a\nVersion: 1\nArchitecture: all\nMulti-Arch: maybe\n", `f:1: package a: invalid Multi-Arch "maybe"`},
	}
	for _, tt := range tests {
		_, err := ParsePackagesWith(strings.NewReader(tt.in), IndexOptions{File: "f"})
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("%q: error %v, want %q", tt.in, err, tt.err)
		}
	}
	// Relationship fields are parsed when first used, and their errors
	// name the package.
	ix, err := ParsePackages(strings.NewReader("Package: a\nVersion: 1\nArchitecture: all\nDepends: b (>= )\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Lookup("a")[0].Depends(); err == nil || !strings.Contains(err.Error(), "package a 1 (all): Depends:") {
		t.Errorf("Depends error %v", err)
	}
}

func TestParsePackagesFieldCase(t *testing.T) {
	ix, err := ParsePackages(strings.NewReader("package: a\nVERSION: 1\nArchitecture: all\nmulti-arch: foreign\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p := ix.Lookup("a"); len(p) != 1 || p[0].Version != "1" || p[0].MultiArch != MultiArchForeign {
		t.Errorf("got %+v", p)
	}
}

func TestMergeIndexes(t *testing.T) {
	a, _ := ParsePackagesWith(strings.NewReader("Package: x\nVersion: 1\nArchitecture: all\n\nPackage: y\nVersion: 1\nArchitecture: all\n"), IndexOptions{Repository: "main"})
	b, _ := ParsePackagesWith(strings.NewReader("Package: x\nVersion: 2\nArchitecture: all\n\nPackage: y\nVersion: 1\nArchitecture: all\n"), IndexOptions{Repository: "security"})
	m := MergeIndexes(a, b)
	if m.Len() != 3 {
		t.Fatalf("%d packages, want 3", m.Len())
	}
	if y := m.Lookup("y"); len(y) != 1 || y[0].Repository != "main" {
		t.Errorf("y: %+v", y)
	}
}
