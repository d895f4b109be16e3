package integration

import (
	"os"
	"path/filepath"
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
		links      map[string]string // in the context: name → symlink target, or "" for a small file
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
		// buildx's --platform reaches the frontend as its platform option,
		// checked there whether or not the image lists platforms.
		{
			name: "windows platform",
			body: "image \"x\" {}\n",
			args: []string{"--platform", "windows/amd64"},
			want: []string{`--platform windows/amd64: distill builds Linux images from Debian packages, not windows ones`},
		},
		{
			name: "unknown architecture",
			body: "image \"x\" {}\n",
			args: []string{"--platform", "linux/nonsense"},
			want: []string{`--platform linux/nonsense: Debian has no architecture "nonsense"`},
		},
		// File sources are looked up in the context the frontend reads,
		// and refused at the source attribute.
		{
			name: "missing source",
			body: "image \"x\" {\n  file \"/etc/motd\" { source = \"missing.txt\" }\n}\n",
			want: []string{`distill.hcl:3,31-44: Bad file source; missing.txt is not in the build context: add it there`,
				`>>>   file "/etc/motd" { source = "missing.txt" }`},
		},
		{
			name:  "directory source",
			body:  "image \"x\" {\n  file \"/etc/motd\" { source = \"etc\" }\n}\n",
			links: map[string]string{"etc/motd.txt": ""},
			want:  []string{`distill.hcl:3,31-36: Bad file source; etc is a directory in the build context; a file's source must be a file`},
		},
		{
			name:  "symlink leaving the context",
			body:  "image \"x\" {\n  file \"/etc/motd\" { source = \"motd\" }\n}\n",
			links: map[string]string{"motd": "../outside.txt"},
			want:  []string{`distill.hcl:3,31-37: Bad file source; motd is a symlink to ../outside.txt, which leaves the build context`},
		},
		{
			name:  "absolute symlink",
			body:  "image \"x\" {\n  file \"/etc/motd\" { source = \"motd\" }\n}\n",
			links: map[string]string{"motd": "/etc/hostname"},
			want:  []string{`distill.hcl:3,31-37: Bad file source; motd is a symlink to /etc/hostname, an absolute path`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := definition(t, b, tc.body, nil)
			for name, target := range tc.links {
				p := filepath.Join(dir, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				var err error
				if target == "" {
					err = os.WriteFile(p, []byte("x\n"), 0o644)
				} else {
					err = os.Symlink(target, p)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
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
