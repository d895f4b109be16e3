package resolve

import (
	"strings"
	"testing"

	"github.com/distill-build/distill/debian/archive"
)

// FuzzParsePackages: no input makes the parser panic, and whatever parses
// resolves without panicking.
func FuzzParsePackages(f *testing.F) {
	f.Add("Package: a\nVersion: 1\nArchitecture: amd64\nDepends: b | c (>= 1)\nProvides: d (= 2)\n\nPackage: b\nVersion: 1\nArchitecture: all\nConflicts: a\n")
	f.Fuzz(func(t *testing.T, s string) {
		ix, err := archive.ParsePackages(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, p := range ix.Packages() {
			_, _ = Resolve(ix, []Request{{Name: p.Name}}, Options{Arch: "amd64", Essential: true})
		}
	})
}
