package archive

import (
	"strings"
	"testing"

	"github.com/distill-build/distill/debian/version"
)

func TestParseDependencies(t *testing.T) {
	tests := []struct {
		in   string
		want string // the parsed form written back, dependencies joined by ", "
	}{
		{"", ""},
		{"libc6", "libc6"},
		{"libc6 (>= 2.36)", "libc6 (>= 2.36)"},
		{"libc6(>=2.36)", "libc6 (>= 2.36)"},
		{"libc6 ( >= 2.36 )", "libc6 (>= 2.36)"},
		{"a (<< 1:2.0-1~), b (= 3), c (<= 4), d (>> 5)", "a (<< 1:2.0-1~), b (= 3), c (<= 4), d (>> 5)"},
		{"a (< 1), b (> 2)", "a (<= 1), b (>= 2)"}, // obsolete operators, as dpkg reads them
		{"a | b (>= 1) | c:any", "a | b (>= 1) | c:any"},
		{"python3:any (>= 3.11~), perl:native", "python3:any (>= 3.11~), perl:native"},
		{"a,\n b |\n c", "a, b | c"},
		{"a, b,", "a, b"}, // a trailing comma, as source packages write
		{"a, , b", "a, b"},
		{"debhelper-compat (= 13), libfoo-dev [!hurd-any linux-any] <!nocheck> <stage1 cross>",
			"debhelper-compat (= 13), libfoo-dev [!hurd-any linux-any] <!nocheck> <stage1 cross>"},
		{"g++ (>= 4:12) [amd64]", "g++ (>= 4:12) [amd64]"},
		{"libstdc++6 (>= 12)", "libstdc++6 (>= 12)"},
	}
	for _, tt := range tests {
		deps, err := ParseDependencies(tt.in)
		if err != nil {
			t.Errorf("ParseDependencies(%q): %v", tt.in, err)
			continue
		}
		var parts []string
		for _, d := range deps {
			parts = append(parts, d.String())
		}
		if got := strings.Join(parts, ", "); got != tt.want {
			t.Errorf("ParseDependencies(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseDependenciesFields(t *testing.T) {
	deps, err := ParseDependencies("foo:amd64 (>= 1.2-3) [linux-any !armel] <!nocheck> | bar")
	if err != nil {
		t.Fatal(err)
	}
	if len(deps) != 1 || len(deps[0]) != 2 {
		t.Fatalf("got %#v", deps)
	}
	a := deps[0][0]
	if a.Name != "foo" || a.Arch != "amd64" || a.Op != version.RelGE || a.Version != version.MustParseVersion("1.2-3") {
		t.Errorf("first alternative %#v", a)
	}
	if strings.Join(a.ArchRestrictions, ",") != "linux-any,!armel" || len(a.Profiles) != 1 || a.Profiles[0][0] != "!nocheck" {
		t.Errorf("restrictions %q, profiles %q", a.ArchRestrictions, a.Profiles)
	}
	if b := deps[0][1]; b.Name != "bar" || b.Op != version.RelNone || b.Arch != "" {
		t.Errorf("second alternative %#v", b)
	}
}

func TestParseDependenciesErrors(t *testing.T) {
	tests := []struct{ in, err string }{
		{"a |", "missing package name at end"},
		{"a | | b", `expected a package name, found '|'`},
		{"a (>= 1", `expected ")" after the version of "a"`},
		{"a (=> 1)", `invalid version relation "=>"`},
		{"a (>= )", `invalid version "": version is empty`},
		{"a (>= x1)", `does not start with a digit`},
		{"a b", `expected "," or "|", found 'b'`},
		{"a:", `empty architecture qualifier after "a"`},
		{"a [amd64", `unterminated architecture restriction of "a"`},
		{"a []", `empty architecture restriction of "a"`},
		{"a <stage1", `unterminated build profile of "a"`},
		{"(>= 1)", `expected a package name, found '('`},
	}
	for _, tt := range tests {
		_, err := ParseDependencies(tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseDependencies(%q): error %v, want one containing %q", tt.in, err, tt.err)
		}
	}
}

func TestParseProvides(t *testing.T) {
	got, err := ParseProvides("awk, gcc-base (= 12.2.0-14),\n libz1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Provide{
		{Name: "awk"},
		{Name: "gcc-base", Version: version.MustParseVersion("12.2.0-14"), Versioned: true},
		{Name: "libz1"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("provide %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	for _, bad := range []string{"a | b", "a (>= 1)", "a [amd64]", "a (= )"} {
		if _, err := ParseProvides(bad); err == nil {
			t.Errorf("ParseProvides(%q) succeeded", bad)
		}
	}
}
