package linter

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	bklinter "github.com/moby/buildkit/frontend/dockerfile/linter"
)

// body follows two directive lines. It violates both rules: UNUSED is never
// referenced, and images a and d run as names. b inherits a's user line and must not warn again; c's user is
// numeric.
const body = `variable "USED" { default = "x" }
variable "UNUSED" { default = "y" }
image "a" {
  user   = "nonroot"
  labels = { v = USED }
}
image "b" { from = image.a }
image "c" { user = "65532:65532" }
image "d" { user = "app:app" }
`

// found is a warning as the test states it: rule, range and message.
type found struct {
	rule               string
	line, col, endLine int
	endCol             int
	msg                string
}

var (
	unusedVar = found{"UnusedVariable", 4, 1, 4, 18, `Variable "UNUSED" is declared but never used`}
	userOfA   = found{"NonNumericUser", 6, 3, 6, 21, `Image "a" runs as "nonroot", a name: runtimes that check for a non-root user (Kubernetes' runAsNonRoot) cannot verify it; use accounts { run_as = "nonroot" } or a numeric uid`}
	userOfD   = found{"NonNumericUser", 11, 13, 11, 29, `Image "d" runs as "app:app", a name: runtimes that check for a non-root user (Kubernetes' runAsNonRoot) cannot verify it; use accounts { run_as = "app" } or a numeric uid`}
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name     string
		check    string   // the `# check=` directive's value; "" for none
		buildArg string   // BUILDKIT_DOCKERFILE_CHECK, as dockerui parses it
		images   []string // the images linted; nil for every image
		want     []found
		err      string // what Error says; "" for no error
	}{
		{name: "no configuration", want: []found{unusedVar, userOfA, userOfD}},
		{name: "one target", images: []string{"b"},
			want: []found{unusedVar, {"NonNumericUser", 6, 3, 6, 21, strings.Replace(userOfA.msg, `"a"`, `"b"`, 1)}}},
		{name: "numeric target", images: []string{"c"}, want: []found{unusedVar}},
		{name: "skip one", check: "skip=UnusedVariable", want: []found{userOfA, userOfD}},
		{name: "skip both", check: "skip=NonNumericUser,UnusedVariable", want: nil},
		// BuildKit cuts a directive's value at its first space.
		{name: "a space ends the directive", check: "skip=NonNumericUser, UnusedVariable", want: []found{unusedVar}},
		{name: "skip all", check: "skip=all", want: nil},
		{name: "unknown rule skipped", check: "skip=NoSuchRule", want: []found{unusedVar, userOfA, userOfD}},
		{name: "error on warnings", check: "error=true", want: []found{unusedVar, userOfA, userOfD},
			err: "lint violation found for rules: NonNumericUser, UnusedVariable (error=true in the check configuration)"},
		{name: "error names only rules that fired", check: "skip=UnusedVariable;error=true", want: []found{userOfA, userOfD},
			err: "lint violation found for rules: NonNumericUser (error=true in the check configuration)"},
		{name: "error without warnings", check: "skip=all;error=true", want: nil},
		{name: "error=false", check: "error=false", want: []found{unusedVar, userOfA, userOfD}},
		{name: "build argument wins over directive", check: "skip=all", buildArg: "skip=NonNumericUser;error=true",
			want: []found{unusedVar}, err: "lint violation found for rules: UnusedVariable (error=true in the check configuration)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := "# syntax=distill\n"
			if tc.check != "" {
				src += "# check=" + tc.check + "\n"
			} else {
				src += "# no check directive, same line count\n"
			}
			src += body
			def := lowered(t, src)
			var fromArg *bklinter.Config
			if tc.buildArg != "" {
				var err error
				if fromArg, err = bklinter.ParseLintOptions(tc.buildArg); err != nil {
					t.Fatal(err)
				}
			}
			cfg, err := ConfigFor(fromArg, def.Filename, []byte(src))
			if err != nil {
				t.Fatal(err)
			}
			images := def.Images
			if tc.images != nil {
				images = nil
				for _, n := range tc.images {
					images = append(images, def.Image(n))
				}
			}
			l := New(cfg)
			ws := l.Check(def, images, nil)
			var got []found
			for _, w := range ws {
				if w.Range.Filename != "distill.hcl" {
					t.Errorf("%s: range in %q", w.Rule.Name, w.Range.Filename)
				}
				got = append(got, found{w.Rule.Name, w.Range.Start.Line, w.Range.Start.Column, w.Range.End.Line, w.Range.End.Column, w.Message})
			}
			if !equal(got, tc.want) {
				t.Errorf("warnings\n got %+v\nwant %+v", got, tc.want)
			}
			gotErr := ""
			if err := l.Error(ws); err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.err {
				t.Errorf("error %q, want %q", gotErr, tc.err)
			}
		})
	}
}

func equal(a, b []found) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestConfigFor(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		skip      []string
		skipAll   bool
		asError   bool
		errLine   int // 0: no error
	}{
		{name: "after syntax", src: "# syntax=distill\n# check=skip=NonNumericUser\nimage \"a\" {}\n", skip: []string{"NonNumericUser"}},
		{name: "spaced", src: "# syntax = distill\n# check = skip=A,B;error=true\n", skip: []string{"A", "B"}, asError: true},
		{name: "first line", src: "# check=skip=all\n", skipAll: true},
		{name: "none", src: "# syntax=distill\nimage \"a\" {}\n"},
		// Directives end at the first line that is not one, as in a Dockerfile.
		{name: "after another comment", src: "# syntax=distill\n# images\n# check=skip=all\n"},
		{name: "after a blank line", src: "# syntax=distill\n\n# check=skip=all\n"},
		{name: "invalid option", src: "# syntax=distill\n# check=ignore=all\n", errLine: 2},
		{name: "invalid bool", src: "# syntax=distill\n# check=error=maybe\n", errLine: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ConfigFor(nil, "distill.hcl", []byte(tc.src))
			if tc.errLine != 0 {
				var d *hcl.Diagnostic
				if !errors.As(err, &d) || d.Subject == nil || d.Subject.Start.Line != tc.errLine || d.Subject.Filename != "distill.hcl" ||
					d.Subject.End.Column != len(strings.Split(tc.src, "\n")[tc.errLine-1])+1 {
					t.Fatalf("error %v, want a diagnostic covering line %d", err, tc.errLine)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(cfg.SkipRules, ",") != strings.Join(tc.skip, ",") || cfg.SkipAll != tc.skipAll || cfg.ReturnAsError != tc.asError {
				t.Errorf("config %+v", cfg)
			}
		})
	}
	arg := &bklinter.Config{SkipAll: true}
	if cfg, err := ConfigFor(arg, "distill.hcl", []byte("# check=error=true\n")); err != nil || cfg != arg {
		t.Errorf("the build argument's configuration was not used: %+v, %v", cfg, err)
	}
}

// TestRulePages checks that every rule's URL is its page in docs/rules,
// named after the rule, and that the page's examples say true things: its
// first hcl block triggers the rule with the page's output, its second does
// not, and its third (the skip directive) turns the rule off. A page of a
// rule that reads closures shows the lockfile its examples are linted with
// in a json block.
func TestRulePages(t *testing.T) {
	kebab := regexp.MustCompile(`([a-z0-9])([A-Z])`)
	fence := regexp.MustCompile("(?s)```(hcl|text|json)\n(.*?)```")
	for _, c := range checks() {
		r := c.rule
		want := docsBase + strings.ToLower(kebab.ReplaceAllString(r.Name, "$1-$2")) + ".md"
		if r.URL != want || r.Description == "" {
			t.Errorf("%s: URL %q, want %q; description %q", r.Name, r.URL, want, r.Description)
		}
		page, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(r.URL)))
		if err != nil {
			t.Errorf("%s: %v", r.Name, err)
			continue
		}
		if !strings.HasPrefix(string(page), "# "+r.Name+"\n\n"+r.Description+"\n") {
			t.Errorf("%s: page %s does not open with the rule's name and description", r.Name, r.URL)
		}
		blocks := map[string][]string{}
		for _, m := range fence.FindAllStringSubmatch(string(page), -1) {
			blocks[m[1]] = append(blocks[m[1]], m[2])
		}
		if len(blocks["text"]) != 1 || len(blocks["hcl"]) != 3 || len(blocks["json"]) > 1 {
			t.Errorf("%s: page %s has %d text, %d hcl and %d json blocks, want 1, 3 and at most 1", r.Name, r.URL, len(blocks["text"]), len(blocks["hcl"]), len(blocks["json"]))
			continue
		}
		var closures Closures
		if len(blocks["json"]) == 1 {
			lock, err := lockfile.Parse([]byte(blocks["json"][0]))
			if err != nil {
				t.Errorf("%s: the page's lockfile: %v", r.Name, err)
				continue
			}
			closures = LockClosures(lock)
		}
		bad, good, skip := blocks["hcl"][0], blocks["hcl"][1], blocks["hcl"][2]
		if got := messages(t, r.Name, nil, bad, closures); len(got) != 1 || got[0]+"\n" != blocks["text"][0] {
			t.Errorf("%s: the bad example gives %q, the page says %q", r.Name, got, blocks["text"][0])
		}
		if got := messages(t, r.Name, nil, good, closures); len(got) != 0 {
			t.Errorf("%s: the good example gives %q", r.Name, got)
		}
		cfg, err := ConfigFor(nil, r.URL, []byte(skip))
		if err != nil {
			t.Fatal(err)
		}
		if got := messages(t, r.Name, cfg, bad, closures); len(got) != 0 || !strings.Contains(skip, "# check=skip="+r.Name+"\n") {
			t.Errorf("%s: with %q the bad example gives %q", r.Name, skip, got)
		}
	}
}

// TestReadmeLinksRules keeps the README's links to the rule pages true.
func TestReadmeLinksRules(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range checks() {
		if link := "[" + c.rule.Name + "](" + c.rule.URL + ")"; !strings.Contains(string(readme), link) {
			t.Errorf("README lacks %s", link)
		}
	}
}

// messages lints src as a whole file, with closures (nil: no lockfile),
// and returns the named rule's messages.
func messages(t *testing.T, rule string, cfg *bklinter.Config, src string, closures Closures) []string {
	t.Helper()
	def := lowered(t, src)
	var out []string
	for _, w := range New(cfg).Check(def, def.Images, closures) {
		if w.Rule.Name == rule {
			out = append(out, w.Message)
		}
	}
	return out
}

// lowered decodes and lowers src, as the frontend does before linting.
func lowered(t *testing.T, src string) *definition.Definition {
	t.Helper()
	def, diags := definition.Parse("distill.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if def, diags = plan.Lower(def); diags.HasErrors() {
		t.Fatal(diags)
	}
	return def
}

// TestRequestedAndExcluded warns where an image's own exclude line drops
// nothing because the image asks for the package, and nowhere else.
func TestRequestedAndExcluded(t *testing.T) {
	const repo = "repository \"debian\" {\n  url   = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\n"
	for _, tc := range []struct {
		name, images string
		want         []string // image@line of each warning
	}{
		{"same block", "image \"a\" {\n  packages = [\"tzdata\"]\n  exclude = [\"tzdata\"]\n}\n", []string{"a@7"}},
		{"qualified request", "image \"a\" {\n  packages = [\"tzdata:amd64\", \"libc6 (>= 2.36)\"]\n  exclude = [\"libc6\", \"tzdata\"]\n}\n", []string{"a@7", "a@7"}},
		{"child excludes the parent's request", "image \"a\" { packages = [\"tzdata\"] }\nimage \"b\" {\n  from = image.a\n  exclude = [\"tzdata\"]\n}\n", []string{"b@8"}},
		{"child takes back the parent's exclusion", "image \"a\" {\n  packages = [\"base-files\"]\n  exclude = [\"tzdata\"]\n}\nimage \"b\" {\n  from = image.a\n  packages = [\"tzdata\"]\n}\n", nil},
		{"nothing asked", "image \"a\" {\n  packages = [\"base-files\"]\n  exclude = [\"mawk\"]\n}\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def := lowered(t, repo+tc.images)
			var got []string
			for _, w := range New(nil).Check(def, def.Images, nil) {
				if w.Rule.Name == RuleRequestedAndExcluded.Name {
					got = append(got, fmt.Sprintf("%s@%d", strings.Split(w.Message, `"`)[1], w.Range.Start.Line))
				}
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("warnings %q, want %q", got, tc.want)
			}
		})
	}
}

// TestExamplesLintClean: the examples show the language as meant; the
// rules that read closures run with each example's lockfile.
func TestExamplesLintClean(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/distill.hcl")
	if err != nil || len(files) == 0 {
		t.Fatal(files, err)
	}
	locked := 0
	for _, f := range files {
		def := loweredFile(t, f)
		var closures Closures
		if data, err := os.ReadFile(lockfile.Name(f)); err == nil {
			lock, err := lockfile.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			closures = LockClosures(lock)
			locked++
		}
		for _, w := range New(nil).Check(def, def.Images, closures) {
			// ImplicitRootUser fires on images that run as root as
			// upstream's do (hello, tini, and the debug mixin alone).
			if w.Rule.Name != RuleImplicitRootUser.Name {
				t.Errorf("%s: %s: %s", w.Range, w.Rule.Name, w.Message)
			}
		}
	}
	if locked < 5 {
		t.Errorf("%d examples have a lockfile: the closure rules ran on too few", locked)
	}
}

// loweredFile reads an example's definition, lowered, with the mirrors
// the tests of the examples name.
func loweredFile(tb testing.TB, file string) *definition.Definition {
	tb.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	def, diags := definition.Parse(file, src, definition.Options{Args: args})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	if def, diags = plan.Lower(def); diags.HasErrors() {
		tb.Fatal(diags)
	}
	return def
}
