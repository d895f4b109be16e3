package linter

import (
	"slices"
	"strings"
	"testing"
)

// TestShellNotAsked warns at the packages line of an image whose closure
// has a shell it did not ask for, naming the chain that pulls it in.
func TestShellNotAsked(t *testing.T) {
	const repo = "repository \"debian\" {\n  url   = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\n"
	// app's closure: app -> libapp -> dash on both architectures, and
	// bash on arm64 only, which nothing depends on.
	locked := map[string][]Closure{
		"a": {
			{Arch: "amd64", Depends: map[string][]string{"app": {"libapp", "libc6"}, "libapp": {"dash"}, "dash": {"libc6"}, "libc6": nil}},
			{Arch: "arm64", Depends: map[string][]string{"app": {"libapp"}, "libapp": {"dash"}, "dash": nil, "bash": nil}},
		},
		"b": {{Arch: "amd64", Depends: map[string][]string{"app": {"libapp"}, "libapp": {"dash"}, "dash": nil, "busybox-static": nil}}},
	}
	closures := func(image string) []Closure { return locked[image] }
	for _, tc := range []struct {
		name, images string
		closures     Closures
		want         []string // line:column and message tail of each warning
	}{
		{"dependency", "image \"a\" {\n  user = \"0\"\n  packages = [\"app\"]\n}\n", closures, []string{
			// amd64 first, then what only arm64 has.
			`7:3 "dash" without asking for it (pulled in by app -> libapp -> dash)`,
			`7:3 "bash" without asking for it (nothing the image asks for depends on it)`,
		}},
		{"asked for", "image \"a\" {\n  user = \"0\"\n  packages = [\"app\", \"dash\", \"bash:arm64\"]\n}\n", closures, nil},
		{"no lockfile", "image \"a\" {\n  user = \"0\"\n  packages = [\"app\"]\n}\n", nil, nil},
		{"not locked", "image \"c\" {\n  user = \"0\"\n  packages = [\"app\"]\n}\n", closures, nil},
		{"asked by the parent", "image \"p\" {\n  user = \"0\"\n  packages = [\"busybox-static\"]\n}\nimage \"b\" {\n  from = image.p\n  packages = [\"app\", \"dash\"]\n}\n", closures, nil},
		{"inherited packages line", "image \"p\" {\n  user = \"0\"\n  packages = [\"app\", \"busybox-static\"]\n}\nimage \"b\" { from = image.p }\n", closures, []string{
			`7:3 "dash" without asking for it (pulled in by app -> libapp -> dash)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := lowered(t, repo+tc.images)
			var got []string
			for _, w := range New(nil).Check(def, def.Images, tc.closures) {
				if w.Rule.Name != RuleShellNotAsked.Name {
					continue
				}
				_, tail, _ := strings.Cut(w.Message, "the shell ")
				tail, _, _ = strings.Cut(tail, ": exclude")
				got = append(got, pos(w.Range.Start.Line, w.Range.Start.Column)+" "+tail)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("warnings\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}
