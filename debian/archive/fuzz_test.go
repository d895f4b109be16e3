package archive

import (
	"reflect"
	"strings"
	"testing"
)

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
