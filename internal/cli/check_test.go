package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const images = "variable \"UNUSED\" {\n  default = \"\"\n}\n" +
		"image \"base\" {\n  user = \"nonroot\"\n}\n" +
		"image \"app\" {\n  from = image.base\n  user = \"65532\"\n}\n"
	warned := write("warned.hcl", images)
	strict := write("strict.hcl", "# syntax=x\n# check=error=true\n"+images)
	skipped := write("skipped.hcl", "# check=skip=UnusedVariable,NonNumericUser\n"+images)
	broken := write("broken.hcl", "image \"x\" {\n  user = nonroot\n}\n")
	badDirective := write("directive.hcl", "# check=frob=1\n"+images)
	unusedWarning := warned + ":1: UnusedVariable: Variable \"UNUSED\" is declared but never used\n" +
		"  Variables should be referenced by the definition (see docs/rules/unused-variable.md)\n"
	userWarning := warned + ":5: NonNumericUser: Image \"base\" runs as \"nonroot\", a name: runtimes that check for a non-root user (Kubernetes' runAsNonRoot) cannot verify it; use accounts { run_as = \"nonroot\" } or a numeric uid\n" +
		"  Images should name their user by uid (see docs/rules/non-numeric-user.md)\n"
	for _, tc := range []struct {
		name           string
		args           []string
		exit           int
		stdout, stderr string
		err            string
	}{
		{"warnings", []string{warned}, ExitOK, unusedWarning + userWarning, warned + ": 2 warning(s)\n", ""},
		{"target", []string{"--target", "app", warned}, ExitOK, unusedWarning, warned + ": 1 warning(s)\n", ""},
		{"error=true", []string{strict}, ExitFailure,
			strings.ReplaceAll(strings.ReplaceAll(unusedWarning+userWarning, warned+":1:", strict+":3:"), warned+":5:", strict+":7:"), "2 warning(s)",
			"lint violation found for rules: NonNumericUser, UnusedVariable (error=true in the check configuration)"},
		{"build argument wins", []string{"--build-arg", "BUILDKIT_DOCKERFILE_CHECK=skip=all", strict}, ExitOK, "", "0 warning(s)", ""},
		{"skip", []string{skipped}, ExitOK, "", skipped + ": 0 warning(s)\n", ""},
		{"definition error", []string{broken}, ExitFailure, "", "",
			"the definition has 1 error(s):\n" + broken + ":2:10: Unknown variable: There is no variable named \"nonroot\".\n     2 |   user = nonroot"},
		{"bad directive", []string{badDirective}, ExitFailure, "", "", "Invalid check directive"},
		{"bad build argument", []string{"--build-arg", "BUILDKIT_DOCKERFILE_CHECK=frob=1", warned}, ExitUsage, "", "", "--build-arg BUILDKIT_DOCKERFILE_CHECK=frob=1"},
		{"unknown target", []string{"--target", "nope", warned}, ExitFailure, "", "", `target "nope" not found in ` + warned + ": the images are base, app"},
		{"missing file", []string{filepath.Join(dir, "none.hcl")}, ExitFailure, "", "", "reading the definition: open " + filepath.Join(dir, "none.hcl")},
		{"two files", []string{warned, strict}, ExitUsage, "", "", "one definition at a time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, append([]string{"check"}, tc.args...)...)
			if ExitCode(err) != tc.exit || (tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err))) {
				t.Errorf("exit %d, error %v; want %d, %q", ExitCode(err), err, tc.exit, tc.err)
			}
			if stdout != tc.stdout || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stdout:\n%s\nstderr:\n%s\nwant stdout:\n%s\nstderr with %q", stdout, stderr, tc.stdout, tc.stderr)
			}
		})
	}
}

// TestCheckExamples lints every example: none has an error.
func TestCheckExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/distill.hcl")
	if err != nil || len(files) < 5 {
		t.Fatalf("examples: %v, %v", files, err)
	}
	for _, file := range files {
		_, stderr, err := runCLI(t, "check", "--build-arg", "MIRROR=http://mirror.invalid/debian",
			"--build-arg", "SECURITY_MIRROR=http://mirror.invalid/debian-security", file)
		if err != nil || !strings.HasPrefix(stderr, file+": ") {
			t.Errorf("%s: %v\n%s", file, err, stderr)
		}
	}
}
