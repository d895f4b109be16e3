package cli

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// TestFmtExamples formats every example: each is formatted already (fmt
// prints it unchanged, --check passes), and a copy with its alignment and
// indentation undone formats back to the example, with --check failing on
// it first and -w restoring it. The restored file decodes to the same
// definition, on the same lines.
func TestFmtExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/distill.hcl")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v, %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, err := runCLI(t, "fmt", file)
			if err != nil || stdout != string(src) || stderr != "" {
				t.Fatalf("fmt changed a formatted example (error %v, stderr %q):\n%s", err, stderr, unifiedDiff(file, src, []byte(stdout)))
			}
			if stdout, _, err := runCLI(t, "fmt", "--check", file); err != nil || stdout != "" {
				t.Errorf("fmt --check: %v\n%s", err, stdout)
			}

			messy := filepath.Join(t.TempDir(), "distill.hcl")
			mangled := unformat(string(src))
			if mangled == string(src) {
				t.Fatal("unformat changed nothing")
			}
			if err := os.WriteFile(messy, []byte(mangled), 0o600); err != nil {
				t.Fatal(err)
			}
			stdout, _, err = runCLI(t, "fmt", "--check", messy)
			if ExitCode(err) != ExitFailure || !strings.Contains(err.Error(), "run distill fmt -w "+messy) ||
				!strings.HasPrefix(stdout, "--- "+messy+".orig\n+++ "+messy+"\n@@ ") {
				t.Errorf("fmt --check of an unformatted file: exit %d, %v\n%s", ExitCode(err), err, stdout)
			}
			if after, _ := os.ReadFile(messy); string(after) != mangled {
				t.Error("fmt --check changed the file")
			}
			if _, stderr, err := runCLI(t, "fmt", "-w", messy); err != nil || stderr != messy+": formatted\n" {
				t.Fatalf("fmt -w: %v, %q", err, stderr)
			}
			got, _ := os.ReadFile(messy)
			if string(got) != string(src) {
				t.Errorf("fmt -w did not restore the example:\n%s", unifiedDiff(file, src, got))
			}
			if info, _ := os.Stat(messy); info.Mode().Perm() != 0o600 {
				t.Errorf("fmt -w left mode %v, want the file's 0600", info.Mode().Perm())
			}
			if _, stderr, err := runCLI(t, "fmt", "-w", messy); err != nil || stderr != "" {
				t.Errorf("fmt -w of a formatted file: %v, %q", err, stderr)
			}
			want, diags := definition.Parse("distill.hcl", src, exampleOptions)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			def, diags := definition.Parse("distill.hcl", got, exampleOptions)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			// Formatting moves columns, never lines.
			if d := cmp.Diff(want, def, cmpopts.IgnoreFields(hcl.Pos{}, "Column", "Byte"),
				cmp.Exporter(func(reflect.Type) bool { return true }), // the ranges definition keeps to itself
				cmp.Comparer(func(a, b cty.Value) bool { return a.RawEquals(b) })); d != "" {
				t.Errorf("the formatted example decodes differently (-before +after):\n%s", d)
			}
		})
	}
}

// exampleOptions give the examples' mirrors, as the planner's tests do.
var exampleOptions = definition.Options{Args: map[string]string{
	"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}}

// alignment matches an attribute's name and the spaces around its equals sign.
var alignment = regexp.MustCompile(`^([\w./-]+|"[^"]*")\s*=\s*`)

// unformat undoes what hclwrite does outside heredocs: indentation and
// aligned equals signs.
func unformat(src string) string {
	lines := strings.Split(src, "\n")
	heredoc := ""
	for i, l := range lines {
		if heredoc != "" {
			if strings.TrimSpace(l) == heredoc {
				heredoc = ""
			}
			continue
		}
		l = alignment.ReplaceAllString(strings.TrimLeft(l, " "), "$1 =  ")
		if _, tag, ok := strings.Cut(l, "<<-"); ok {
			heredoc = tag
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

func TestFmtErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.hcl")
	bad := filepath.Join(dir, "bad.hcl")
	for name, src := range map[string]string{
		good: "# a comment\nimage \"x\" {\n  # kept\n  user = \"65532\"\n}\n",
		bad:  "image \"x\" {\n  user = \n}\n",
	} {
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		args           []string
		exit           int
		stdout, stderr string
		err            string
	}{
		{[]string{"fmt", good}, ExitOK, "# a comment\nimage \"x\" {\n  # kept\n  user = \"65532\"\n}\n", "", ""},
		{[]string{"fmt", "--check", "-w", good}, ExitUsage, "", "", "--check and -w do not go together"},
		{[]string{"fmt", "--diff"}, ExitUsage, "", "", "unknown flag: --diff\nSee 'distill fmt --help'."},
		{[]string{"fmt", bad, good}, ExitFailure, "# a comment\nimage \"x\" {\n  # kept\n  user = \"65532\"\n}\n",
			bad + ":2,10-3,1: Invalid expression; Expected the start of an expression", "could not format " + bad + ": fix the errors above"},
		{[]string{"fmt", filepath.Join(dir, "none.hcl")}, ExitFailure, "", "no such file or directory", "could not format " + filepath.Join(dir, "none.hcl")},
	} {
		stdout, stderr, err := runCLI(t, tc.args...)
		if ExitCode(err) != tc.exit || (tc.err != "" && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%q: exit %d, error %v; want %d, %q", tc.args, ExitCode(err), err, tc.exit, tc.err)
		}
		if stdout != tc.stdout || !strings.Contains(stderr, tc.stderr) {
			t.Errorf("%q: stdout %q, stderr %q; want %q, %q", tc.args, stdout, stderr, tc.stdout, tc.stderr)
		}
	}
}
