package solver

import (
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzControlReader: reading in one piece and byte by byte gives the same
// paragraphs and the same error; nothing panics.
func FuzzControlReader(f *testing.F) {
	for _, s := range []string{
		"Package: a\nVersion: 1\n\nPackage: b\n",
		"SHA256:\n 00 1 a\n 11 2 b\n",
		"# c\nA: 1\n \n\t\nB: 2",
		" x\n", "A\n", ": x\n", "A: b\n c\n\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := readAll(strings.NewReader(s))
		b, errB := readAll(iotest.OneByteReader(strings.NewReader(s)))
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) {
			t.Fatalf("whole: %q %v\nbytes: %q %v", a, errA, b, errB)
		}
	})
}

// FuzzParseDependencies: what parses writes back to text that parses to the
// same relations.
func FuzzParseDependencies(f *testing.F) {
	for _, s := range []string{
		"libc6 (>= 2.36), a | b:any (<< 1:2~) , c:native",
		"foo [amd64 !i386] <!nocheck> <stage1 cross>, bar",
		"a,,b,", "a (= 1.0-1+b1)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		deps, err := ParseDependencies(s)
		if err != nil {
			return
		}
		var parts []string
		for _, d := range deps {
			parts = append(parts, d.String())
		}
		text := strings.Join(parts, ", ")
		again, err := ParseDependencies(text)
		if err != nil {
			t.Fatalf("%q parsed, but its rewrite %q does not: %v", s, text, err)
		}
		if !reflect.DeepEqual(deps, again) && !(len(deps) == 0 && len(again) == 0) {
			t.Fatalf("%q -> %q: %v != %v", s, text, deps, again)
		}
	})
}

// FuzzParsePackages: no input makes the parser panic, and whatever parses
// resolves without panicking.
func FuzzParsePackages(f *testing.F) {
	f.Add("Package: a\nVersion: 1\nArchitecture: amd64\nDepends: b | c (>= 1)\nProvides: d (= 2)\n\nPackage: b\nVersion: 1\nArchitecture: all\nConflicts: a\n")
	f.Fuzz(func(t *testing.T, s string) {
		ix, err := ParsePackages(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, p := range ix.Packages() {
			_, _ = Resolve(ix, []Request{{Name: p.Name}}, Options{Arch: "amd64", Recommends: true})
		}
	})
}
