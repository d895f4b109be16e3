package linter

import (
	"fmt"
	"strings"
	"testing"
)

// TestImplicitRootUser warns at the block of an image that ends up with no
// user, and nowhere else.
func TestImplicitRootUser(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // line:column-line:column of each warning
	}{
		{"nothing set", "image \"a\" {\n  entrypoint = [\"/app\"]\n}\n", []string{"1:1-1:10"}},
		{"empty image", "image \"a\" {}\nimage \"b\" { user = \"0\" }\n", []string{"1:1-1:10"}},
		{"empty user", "image \"a\" { user = \"\" }\n", []string{"1:1-1:10"}},
		{"uid 0", "image \"a\" { user = \"0\" }\n", nil},
		{"root by name", "image \"a\" { user = \"root:root\" }\n", nil},
		{"nonroot", "image \"a\" { user = \"65532\" }\n", nil},
		{"run_as root", "image \"a\" {\n  accounts {\n    group \"root\" { gid = 0 }\n    user \"root\" { uid = 0 }\n    run_as = \"root\"\n  }\n}\n", nil},
		{"inherited user", "image \"a\" { user = \"65532\" }\nimage \"b\" { from = image.a }\n", nil},
		{"inherited run_as", "image \"a\" {\n  accounts {\n    group \"app\" { gid = 10 }\n    user \"app\" { uid = 10 }\n    run_as = \"app\"\n  }\n}\nimage \"b\" { from = image.a }\n", nil},
		{"parent and child both silent", "image \"a\" {}\nimage \"b\" {\n  from = image.a\n}\n", []string{"1:1-1:10", "2:1-2:10"}},
		{"mixin without user, base with one", "image \"base\" { user = \"0\" }\nimage \"mix\" {}\nimage \"c\" { from = [image.base, image.mix] }\n", []string{"2:1-2:12"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ranges(t, RuleImplicitRootUser.Name, tc.src, nil)
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("warnings at %q, want %q", got, tc.want)
			}
		})
	}
}

// ranges lints src as a whole file, with closures (nil: no lockfile), and
// returns where the named rule's warnings point.
func ranges(t *testing.T, rule, src string, closures Closures) []string {
	t.Helper()
	def := lowered(t, src)
	var out []string
	for _, w := range New(nil).Check(def, def.Images, closures) {
		if w.Rule.Name == rule {
			r := w.Range
			out = append(out, fmt.Sprintf("%d:%d-%d:%d", r.Start.Line, r.Start.Column, r.End.Line, r.End.Column))
		}
	}
	return out
}

// pos is a position as the tests state it, line:column.
func pos(line, col int) string {
	return fmt.Sprintf("%d:%d", line, col)
}
