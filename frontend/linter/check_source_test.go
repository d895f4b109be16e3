package linter

import (
	"strings"
	"testing"
)

// TestUnpinnedSource warns at the network attribute of each package an
// image takes, directly or through another package, and at nothing pinned.
func TestUnpinnedSource(t *testing.T) {
	// Line 5 is the first package block's header; its network line is 8.
	const repo = "repository \"debian\" {\n  url   = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\n"
	pkg := func(name, source, build string) string {
		return "package \"" + name + "\" {\n  version = \"1\"\n" + build + source + "}\n"
	}
	const plain = "  build {\n    steps = [\"make\"]\n  }\n"
	const net = "  build {\n    network = true\n    steps = [\"make\"]\n  }\n"
	const inline = "  source \"inline\" {\n    files = { Makefile = \"all:\\n\" }\n  }\n"
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"network on", pkg("aa", inline, net) + "image \"i\" { packages = [package.aa] }\n", []string{"8:5-8:19"}},
		{"network off", pkg("aa", inline, "  build {\n    network = false\n    steps = [\"make\"]\n  }\n") + "image \"i\" { packages = [package.aa] }\n", nil},
		{"no network attribute", pkg("aa", inline, "  build {\n    steps = [\"make\"]\n  }\n") + "image \"i\" { packages = [package.aa] }\n", nil},
		{"through runtime", pkg("aa", inline, net) + "package \"bb\" {\n  version = \"1\"\n" + plain + inline + "  runtime = [package.aa]\n}\nimage \"i\" { packages = [package.bb] }\n", []string{"8:5-8:19"}},
		{"through requires", pkg("aa", inline, net) + "package \"bb\" {\n  version = \"1\"\n" + inline + "  build {\n    requires = [package.aa]\n    steps = [\"make\"]\n  }\n}\nimage \"i\" { packages = [package.bb] }\n", []string{"8:5-8:19"}},
		{"taken by two images, warned once", pkg("aa", inline, net) + "image \"i\" { packages = [package.aa] }\nimage \"j\" { packages = [package.aa] }\n", []string{"8:5-8:19"}},
		{"taken by no image", pkg("aa", inline, net) + "image \"i\" { packages = [\"base-files\"] }\n", nil},
		{"context source", pkg("aa", "  source \"context\" {}\n", plain) + "image \"i\" { packages = [package.aa] }\n", nil},
		{"git tag and commit", pkg("aa", "  source \"git\" {\n    url = \"https://git.invalid/a.git\"\n    tag = \"v1\"\n    commit = \"0123456789abcdef0123456789abcdef01234567\"\n  }\n", plain) + "image \"i\" { packages = [package.aa] }\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ranges(t, RuleUnpinnedSource.Name, repo+tc.src, nil)
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("warnings at %q, want %q", got, tc.want)
			}
		})
	}
}
