package integration

import (
	"strings"
	"testing"
)

// TestBuildxShowsDefinitionErrors checks that bad definitions fail with the
// file, line and column and the offending snippet in buildx's output.
func TestBuildxShowsDefinitionErrors(t *testing.T) {
	b := needBed(t)
	for _, tc := range []struct {
		name, body string
		args       []string
		want       []string
	}{
		{
			name: "unknown attribute",
			body: "image \"x\" {\n  entrypont = [\"/bin/app\"]\n}\n",
			want: []string{`distill.hcl:3,3-12: Unsupported argument; An argument named "entrypont" is not expected here. Did you mean "entrypoint"?`,
				`>>>   entrypont = ["/bin/app"]`},
		},
		{
			name: "syntax",
			body: "image \"x\" {\n  env = {\n    A = \n  }\n}\n",
			want: []string{`distill.hcl:4,`, `Invalid expression`},
		},
		{
			name: "bad reference",
			body: "image \"x\" {\n  user = NOBODY\n}\n",
			want: []string{`distill.hcl:3,10-16: Unknown variable; There is no variable named "NOBODY".`, `>>>   user = NOBODY`},
		},
		{
			name: "bad value",
			body: "image \"x\" {\n  directory \"/tmp\" { mode = \"0999\" }\n}\n",
			want: []string{`distill.hcl:3,29-35: Invalid mode`, `>>>   directory "/tmp" { mode = "0999" }`},
		},
		{
			name: "unsupported platform",
			body: "image \"x\" {\n  platforms = [\"linux/amd64\"]\n}\n",
			args: []string{"--platform", "linux/s390x"},
			want: []string{`distill.hcl:3,3-30: Unsupported platform; Image "x" is built for linux/amd64; linux/s390x was requested.`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := definition(t, b, tc.body, nil)
			args := append([]string{"build", "-f", "distill.hcl", "--progress", "plain"}, tc.args...)
			_, stderr, err := b.Buildx(t, dir, append(args, ".")...)
			if err == nil {
				t.Fatal("the build succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("buildx output lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "dockerfile parse error") {
				t.Errorf("unexpected output:\n%s", stderr)
			}
		})
	}
}
