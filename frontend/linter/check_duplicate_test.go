package linter

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDuplicatePackage warns at the packages line of an image that asks
// for, or has in its locked closure, two packages of one kind.
func TestDuplicatePackage(t *testing.T) {
	const repo = "repository \"debian\" {\n  url   = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\n"
	locked := map[string][]Closure{
		"a": {
			{Arch: "amd64", Depends: map[string][]string{"app": {"gawk"}, "gawk": nil, "mawk": nil}},
			{Arch: "arm64", Depends: map[string][]string{"app": {"gawk"}, "gawk": nil, "mawk": nil, "libssl3": nil, "libssl3t64": nil}},
		},
		"one": {{Arch: "amd64", Depends: map[string][]string{"app": {"mawk"}, "mawk": nil, "libssl3t64": nil}}},
	}
	closures := func(image string) []Closure { return locked[image] }
	for _, tc := range []struct {
		name, images string
		closures     Closures
		want         []string // line:column and what provides what
	}{
		{"asked for both", "image \"x\" {\n  user = \"0\"\n  packages = [\"mawk\", \"gawk:amd64\"]\n}\n", nil,
			[]string{`7:3 "gawk" and "mawk" provide "awk"`}},
		{"parent and child ask", "image \"p\" {\n  user = \"0\"\n  packages = [\"dash\"]\n}\nimage \"x\" {\n  from = image.p\n  packages = [\"bash\"]\n}\n", nil,
			[]string{`11:3 "bash" and "dash" provide "sh"`}},
		{"closure, once per kind", "image \"a\" {\n  user = \"0\"\n  packages = [\"app\"]\n}\n", closures,
			[]string{`7:3 "gawk" and "mawk" provide "awk"`, `7:3 "libssl3" and "libssl3t64" provide "libssl3"`}},
		{"one of each", "image \"one\" {\n  user = \"0\"\n  packages = [\"app\"]\n}\n", closures, nil},
		{"closure without lockfile", "image \"a\" {\n  user = \"0\"\n  packages = [\"app\"]\n}\n", nil, nil},
		{"unrelated", "image \"x\" {\n  user = \"0\"\n  packages = [\"busybox-static\", \"libc6\"]\n}\n", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := lowered(t, repo+tc.images)
			var got []string
			for _, w := range New(nil).Check(def, def.Images, tc.closures) {
				if w.Rule.Name != RuleDuplicatePackage.Name {
					continue
				}
				_, what, _ := strings.Cut(w.Message, " installs ")
				what, _, _ = strings.Cut(what, ": keep")
				what = strings.Replace(what, ", which all provide", " provide", 1)
				got = append(got, pos(w.Range.Start.Line, w.Range.Start.Column)+" "+what)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("warnings\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// TestDuplicatePackagePageTable keeps the page's table of alternatives the
// one the rule uses.
func TestDuplicatePackagePageTable(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(RuleDuplicatePackage.URL)))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alternatives {
		row := "| `" + a.provides + "` | `" + strings.Join(a.packages, "`, `") + "` |\n"
		if !strings.Contains(string(page), row) {
			t.Errorf("the page lacks the row %q", row)
		}
	}
	if got := strings.Count(string(page), "\n| `"); got != len(alternatives) {
		t.Errorf("the page's table has %d rows, the rule %d", got, len(alternatives))
	}
}
