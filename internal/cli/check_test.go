package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distill-build/distill/lockfile"
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

// TestCheckReadsLockfile: check gives the rules that need a closure the
// lockfile beside the definition, and they are silent without one.
func TestCheckReadsLockfile(t *testing.T) {
	dir := t.TempDir()
	const src = "repository \"debian\" {\n  url   = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\n" +
		"image \"app\" {\n  user     = \"0\"\n  packages = [\"app\"]\n}\n"
	sum := strings.Repeat("0", 64)
	lock := &lockfile.Lockfile{
		Version: lockfile.LockfileVersion,
		Images: map[string]*lockfile.LockedImage{"app": {
			LockInputs: lockfile.LockInputs{Packages: []string{"app"}, Repositories: []string{"debian bookworm main"}},
			Closure:    map[string][]string{"amd64": {"app", "dash"}},
		}},
		Architectures: map[string]*lockfile.LockedArch{"amd64": {Packages: []lockfile.LockedPackage{
			{Name: "app", Version: "1", Architecture: "amd64", Filename: "pool/app.deb", SHA256: sum, Source: "app", Depends: []string{"dash"}},
			{Name: "dash", Version: "1", Architecture: "amd64", Filename: "pool/dash.deb", SHA256: sum, Source: "dash"},
		}}},
	}
	data, err := lock.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		locked bool
		want   string
	}{
		{"with lockfile", true, ":7: ShellNotAsked: Image \"app\" installs the shell \"dash\" without asking for it (pulled in by app -> dash)"},
		{"without", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".hcl")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			if tc.locked {
				if err := os.WriteFile(lockfile.Name(file), data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			stdout, _, err := runCLI(t, "check", file)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" && stdout != "" || tc.want != "" && !strings.HasPrefix(stdout, file+tc.want) {
				t.Errorf("stdout:\n%s\nwant a line starting %q", stdout, file+tc.want)
			}
		})
	}
}
