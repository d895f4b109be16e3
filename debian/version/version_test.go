package version

import (
	"bufio"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
)

// dpkgPair is one line of testdata/versions.txt: dpkg says A op B.
type dpkgPair struct {
	line int
	a, b string
	want int // -1 for <<, 0 for =, +1 for >>
}

// readTestdata returns the fields of the non-comment lines of a testdata file
// with their line numbers.
func readTestdata(t testing.TB, path string) (lines [][]string, nums []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		lines = append(lines, strings.Fields(line))
		nums = append(nums, n)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines, nums
}

func readDpkgPairs(t testing.TB) []dpkgPair {
	t.Helper()
	lines, nums := readTestdata(t, "testdata/versions.txt")
	var pairs []dpkgPair
	for i, f := range lines {
		if len(f) != 3 {
			t.Fatalf("versions.txt:%d: want \"A OP B\", got %q", nums[i], f)
		}
		p := dpkgPair{line: nums[i], a: f[0], b: f[2]}
		switch f[1] {
		case "<<":
			p.want = -1
		case "=":
			p.want = 0
		case ">>":
			p.want = 1
		default:
			t.Fatalf("versions.txt:%d: bad operator %q", nums[i], f[1])
		}
		pairs = append(pairs, p)
	}
	if len(pairs) < 1000 {
		t.Fatalf("versions.txt: only %d pairs", len(pairs))
	}
	return pairs
}

var opName = map[int]string{-1: "<<", 0: "=", 1: ">>"}

// TestCompareVersionsDpkg checks the order against dpkg's verdicts on
// thousands of real and hand-picked pairs.
func TestCompareVersionsDpkg(t *testing.T) {
	pairs := readDpkgPairs(t)
	for _, p := range pairs {
		a, err := ParseVersion(p.a)
		if err != nil {
			t.Errorf("versions.txt:%d: dpkg takes %q: %v", p.line, p.a, err)
			continue
		}
		b, err := ParseVersion(p.b)
		if err != nil {
			t.Errorf("versions.txt:%d: dpkg takes %q: %v", p.line, p.b, err)
			continue
		}
		if got := CompareVersions(a, b); got != p.want {
			t.Errorf("versions.txt:%d: got %s %s %s, dpkg says %s", p.line, p.a, opName[got], p.b, opName[p.want])
		}
		if got := b.Compare(a); got != -p.want {
			t.Errorf("versions.txt:%d: got %s %s %s, dpkg says %s", p.line, p.b, opName[got], p.a, opName[-p.want])
		}
	}
	t.Logf("%d dpkg-checked pairs", len(pairs))
}

// TestSatisfiesDpkg checks every relation operator, the obsolete "<" and ">"
// included, against dpkg's verdicts.
func TestSatisfiesDpkg(t *testing.T) {
	lines, nums := readTestdata(t, "testdata/relations.txt")
	if len(lines) < 500 {
		t.Fatalf("relations.txt: only %d lines", len(lines))
	}
	for i, f := range lines {
		if len(f) != 4 || (f[3] != "true" && f[3] != "false") {
			t.Fatalf("relations.txt:%d: want \"A OP B true|false\", got %q", nums[i], f)
		}
		op, err := ParseRelation(f[1])
		if err != nil {
			t.Fatalf("relations.txt:%d: %v", nums[i], err)
		}
		a, b := MustParseVersion(f[0]), MustParseVersion(f[2])
		if got, want := Satisfies(a, op, b), f[3] == "true"; got != want {
			t.Errorf("relations.txt:%d: Satisfies(%s, %s, %s) = %t, dpkg says %t", nums[i], f[0], f[1], f[2], got, want)
		}
	}
}

// TestCompareVersionsTotalOrder sorts every version of the testdata and
// checks that the sorted order is consistent between all pairs (transitivity).
func TestCompareVersionsTotalOrder(t *testing.T) {
	seen := map[string]bool{}
	var vs []Version
	for _, p := range readDpkgPairs(t) {
		for _, s := range []string{p.a, p.b} {
			if !seen[s] {
				seen[s] = true
				vs = append(vs, MustParseVersion(s))
			}
		}
	}
	slices.SortFunc(vs, CompareVersions)
	step := 1
	if testing.Short() {
		step = 17
	}
	for i := 0; i < len(vs); i += step {
		for j := i + 1; j < len(vs); j++ {
			if c := vs[i].Compare(vs[j]); c > 0 {
				t.Fatalf("sorted order broken: %s (index %d) >> %s (index %d)", vs[i], i, vs[j], j)
			}
		}
	}
}

func TestCompareVersions(t *testing.T) {
	// A few pairs worth reading; versions.txt holds thousands more.
	tests := []struct {
		a, op, b string
	}{
		{"1.0", "=", "1.0-0"},    // an absent revision equals "0"
		{"1.0", "=", "1.00"},     // numbers, not strings
		{"1.0", "=", "0:1.0"},    // an absent epoch is 0
		{"1:1.0", "=", "01:1.0"}, // epochs are numbers too
		{"1:0", ">>", "999"},     // the epoch wins
		{"1.0~rc1", "<<", "1.0"}, // ~ sorts before the end
		{"1.0~~", "<<", "1.0~"},  // and before itself followed by the end
		{"1.0~~a", "<<", "1.0~"}, //
		{"1.0-~", "<<", "1.0"},   // a revision of "~" is earlier than none
		{"1.0a", "<<", "1.0+"},   // letters sort before non-letters
		{"1.0A", "<<", "1.0a"},   // in ASCII order: upper case first
		{"1.0+", "<<", "1.0."},   // non-letters in ASCII order
		{"1.0.", ">>", "1.0a0"},  // even followed by more digits
		{"1.0", "<<", "1.0.0"},   // more parts are later
		{"1.9", "<<", "1.10"},    //
		{"1.001", "=", "1.1"},    // leading zeros are ignored
		{"2.36-9+deb12u4", ">>", "2.36-9"},
		{"2.36-9+deb12u10", ">>", "2.36-9+deb12u4"},
		{"2.36-9+deb12u4", "<<", "2.36-10"},
		{"2.30-1~bpo11+1", "<<", "2.30-1"},
		{"1.2.3-4-5", ">>", "1.2.3-4"},                         // upstream "1.2.3-4", revision "5"
		{"18446744073709551617", ">>", "18446744073709551616"}, // beyond uint64
	}
	for _, tt := range tests {
		a, b := MustParseVersion(tt.a), MustParseVersion(tt.b)
		want := map[string]int{"<<": -1, "=": 0, ">>": 1}[tt.op]
		if got := CompareVersions(a, b); got != want {
			t.Errorf("%s vs %s: got %s, want %s", tt.a, tt.b, opName[got], opName[want])
		}
		if got := CompareVersions(b, a); got != -want {
			t.Errorf("%s vs %s: got %s, want %s", tt.b, tt.a, opName[got], opName[-want])
		}
	}
}

func TestParseVersion(t *testing.T) {
	valid := []struct {
		in   string
		want Version
	}{
		{"1", Version{0, "1", ""}},
		{"1.0-1", Version{0, "1.0", "1"}},
		{"1:2.36-9+deb12u4", Version{1, "2.36", "9+deb12u4"}},
		{"0:1.0", Version{0, "1.0", ""}},
		{"01:1.0", Version{1, "1.0", ""}},
		{"2147483647:1", Version{2147483647, "1", ""}},
		{"1.2.3-4-5", Version{0, "1.2.3-4", "5"}},
		{"1:1.2:3-4", Version{1, "1.2:3", "4"}},
		{"1.0--1", Version{0, "1.0-", "1"}},
		{"1.0-~", Version{0, "1.0", "~"}},
		{"1.0-a", Version{0, "1.0", "a"}},
		{"0.0~git20230101.abc-1", Version{0, "0.0~git20230101.abc", "1"}},
		{"1.0+dfsg1-1~bpo12+1", Version{0, "1.0+dfsg1", "1~bpo12+1"}},
		{"  1.0-1\t", Version{0, "1.0", "1"}}, // dpkg ignores surrounding blanks
	}
	for _, tt := range valid {
		got, err := ParseVersion(tt.in)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseVersion(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
	}

	invalid := []struct {
		in, msg string
	}{
		{"", `invalid version "": version is empty`},
		{"  ", `invalid version "  ": version is empty`},
		{"1.0 1", `invalid version "1.0 1": version contains whitespace`},
		{":1.0", `invalid version ":1.0": epoch before the colon is empty`},
		{"a:1.0", `invalid version "a:1.0": epoch "a" is not a number`},
		{"-1:1.0", `invalid version "-1:1.0": epoch "-1" is not a number`},
		{"+1:1.0", `invalid version "+1:1.0": epoch "+1" is not a number`},
		{"1.0-1:2", `invalid version "1.0-1:2": epoch "1.0-1" is not a number`},
		{"2147483648:1", `invalid version "2147483648:1": epoch 2147483648 is too large (the maximum is 2147483647)`},
		{"99999999999999999999:1", `invalid version "99999999999999999999:1": epoch 99999999999999999999 is too large (the maximum is 2147483647)`},
		{"1:", `invalid version "1:": nothing after the epoch colon`},
		{"1.0-", `invalid version "1.0-": revision after the last hyphen is empty`},
		{"-1", `invalid version "-1": upstream version is empty`},
		{"1:-1", `invalid version "1:-1": upstream version is empty`},
		{"a1.0", `invalid version "a1.0": upstream version "a1.0" does not start with a digit`},
		{"~1", `invalid version "~1": upstream version "~1" does not start with a digit`},
		{"1:a", `invalid version "1:a": upstream version "a" does not start with a digit`},
		{"1_0", `invalid version "1_0": upstream version "1_0" contains invalid character '_'`},
		{"1.0ü", `invalid version "1.0ü": upstream version "1.0ü" contains invalid character 'ü'`},
		{"1.0\xff", `invalid version "1.0\xff": upstream version "1.0\xff" contains invalid character "\xff"`},
		{"1.0-1_1", `invalid version "1.0-1_1": revision "1_1" contains invalid character '_'`},
		{"1:1.0-1:1", `invalid version "1:1.0-1:1": revision "1:1" contains invalid character ':'`},
	}
	for _, tt := range invalid {
		v, err := ParseVersion(tt.in)
		if err == nil {
			t.Errorf("ParseVersion(%q) = %#v, want error %s", tt.in, v, tt.msg)
			continue
		}
		if err.Error() != tt.msg {
			t.Errorf("ParseVersion(%q):\n got error %s\nwant error %s", tt.in, err, tt.msg)
		}
		var ve *VersionError
		if !errors.As(err, &ve) || ve.Version != tt.in {
			t.Errorf("ParseVersion(%q): error %#v is not a *VersionError naming the input", tt.in, err)
		}
	}
}

func TestMustParseVersionPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParseVersion(\"\") did not panic")
		}
	}()
	MustParseVersion("")
}

func TestVersionString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1.0", "1.0"},
		{"1.0-1", "1.0-1"},
		{"0:1.0-1", "1.0-1"}, // epoch 0 is left out
		{"01:1.0", "1:1.0"},
		{"1:2.36-9+deb12u4", "1:2.36-9+deb12u4"},
		{"0:1:2", "0:1:2"}, // kept: without it the colon would be the epoch's
		{"0:1:2-3", "0:1:2-3"},
		{" 1.0 ", "1.0"},
	}
	for _, tt := range tests {
		v := MustParseVersion(tt.in)
		if got := v.String(); got != tt.want {
			t.Errorf("ParseVersion(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		if back := MustParseVersion(v.String()); back != v {
			t.Errorf("ParseVersion(%q) = %#v, but its String %q parses as %#v", tt.in, v, v.String(), back)
		}
	}
}

func TestCompareVersionsAllocs(t *testing.T) {
	a, b := MustParseVersion("1:2.36-9+deb12u4"), MustParseVersion("1:2.36-9+deb12u10")
	if n := testing.AllocsPerRun(100, func() { _ = CompareVersions(a, b) }); n != 0 {
		t.Errorf("CompareVersions allocates %v times per call", n)
	}
}

// refCompareFragment is a second, independent rendering of policy §5.6.12 for
// the fuzz test: it splits both strings into their non-digit and digit parts
// first and compares the parts afterwards.
func refCompareFragment(a, b string) int {
	pa, pb := refSplit(a), refSplit(b)
	for len(pa) < len(pb) {
		pa = append(pa, "")
	}
	for len(pb) < len(pa) {
		pb = append(pb, "")
	}
	for k := range pa {
		if k%2 == 0 { // non-digits
			x, y := pa[k], pb[k]
			for i := 0; i < max(len(x), len(y)); i++ {
				if wx, wy := refWeight(x, i), refWeight(y, i); wx != wy {
					if wx < wy {
						return -1
					}
					return 1
				}
			}
			continue
		}
		x, y := strings.TrimLeft(pa[k], "0"), strings.TrimLeft(pb[k], "0")
		if len(x) != len(y) {
			if len(x) < len(y) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// refSplit splits s into non-digit, digit, non-digit, ... parts; the first
// part may be empty.
func refSplit(s string) []string {
	var parts []string
	digits := false
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || ('0' <= s[i] && s[i] <= '9') != digits {
			parts = append(parts, s[start:i])
			start = i
			digits = !digits
		}
	}
	return parts
}

func refWeight(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := rune(s[i])
	switch {
	case c == '~':
		return -1
	case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		return int(c)
	}
	return int(c) + 256
}

func refCompare(a, b Version) int {
	switch {
	case a.Epoch < b.Epoch:
		return -1
	case a.Epoch > b.Epoch:
		return 1
	}
	if c := refCompareFragment(a.Upstream, b.Upstream); c != 0 {
		return c
	}
	return refCompareFragment(a.Revision, b.Revision)
}

// coerce maps arbitrary fuzz input onto the version alphabet, so that most
// inputs become valid versions and the fuzzer spends its time comparing.
func coerce(s string) string {
	const alphabet = "0123456789.+~-:aAzZ0~.+1-"
	b := []byte(s)
	for i, c := range b {
		b[i] = alphabet[int(c)%len(alphabet)]
	}
	if len(b) == 0 || !isDigit(b[0]) {
		b = append([]byte{'1'}, b...)
	}
	return string(b)
}

func FuzzCompareVersions(f *testing.F) {
	for _, s := range [][2]string{
		{"1.0", "1.0-0"}, {"1.0~~", "1.0~"}, {"1:0", "9"}, {"0:1:2-3", "1:2-3"},
		{"1.0a", "1.0+"}, {"1.2.3-4-5", "1.2.3-4"}, {"18446744073709551617", "1.0"},
	} {
		f.Add(s[0], s[1])
	}
	pairs := readDpkgPairs(f)
	for i := 0; i < len(pairs); i += 50 {
		f.Add(pairs[i].a, pairs[i].b)
	}

	f.Fuzz(func(t *testing.T, sa, sb string) {
		check := func(sa, sb string) {
			a, errA := ParseVersion(sa)
			b, errB := ParseVersion(sb)
			for _, x := range []struct {
				s   string
				v   Version
				err error
			}{{sa, a, errA}, {sb, b, errB}} {
				if x.err != nil {
					continue
				}
				back, err := ParseVersion(x.v.String())
				if err != nil || back != x.v {
					t.Fatalf("ParseVersion(%q) = %#v; its String %q parses as %#v, %v", x.s, x.v, x.v.String(), back, err)
				}
				if c := x.v.Compare(x.v); c != 0 {
					t.Fatalf("%q compares %d to itself", x.s, c)
				}
			}
			if errA != nil || errB != nil {
				return
			}
			ab, ba := a.Compare(b), b.Compare(a)
			if ab != -ba || ab < -1 || ab > 1 {
				t.Fatalf("not antisymmetric: Compare(%q, %q) = %d, Compare(%q, %q) = %d", sa, sb, ab, sb, sa, ba)
			}
			if ref := refCompare(a, b); ab != ref {
				t.Fatalf("Compare(%q, %q) = %d, reference says %d", sa, sb, ab, ref)
			}
			if Satisfies(a, RelEQ, b) != (ab == 0) || Satisfies(a, RelLT, b) != (ab < 0) || Satisfies(a, RelGE, b) != (ab >= 0) {
				t.Fatalf("Satisfies disagrees with Compare(%q, %q) = %d", sa, sb, ab)
			}
		}
		check(sa, sb)
		check(coerce(sa), coerce(sb))
	})
}

func BenchmarkCompareVersions(b *testing.B) {
	pairs := readDpkgPairs(b)
	vs := make([][2]Version, len(pairs))
	for i, p := range pairs {
		vs[i] = [2]Version{MustParseVersion(p.a), MustParseVersion(p.b)}
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := &vs[i%len(vs)]
		CompareVersions(p[0], p[1])
		i++
	}
}

func BenchmarkCompareVersionsRealistic(b *testing.B) {
	// The solver's typical question: does a security update satisfy >=?
	v, want := MustParseVersion("2.36-9+deb12u10"), MustParseVersion("2.36-9+deb12u4")
	b.ReportAllocs()
	for b.Loop() {
		Satisfies(v, RelGE, want)
	}
}

func BenchmarkParseVersion(b *testing.B) {
	pairs := readDpkgPairs(b)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := ParseVersion(pairs[i%len(pairs)].a); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
