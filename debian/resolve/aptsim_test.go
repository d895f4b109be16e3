package resolve

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// aptArchive is the one suite and component an aptSim reads.
type aptArchive struct {
	suite, component string
	// inRelease is the suite's InRelease as fetched; empty: the lists get
	// an unsigned Release naming the suite and architectures, which apt
	// accepts for a [trusted=yes] source.
	inRelease []byte
	packages  map[string][]byte // Packages lists by architecture
}

// aptSim runs apt-get -s against an archive alone, offline: a throw-away
// apt configuration whose only lists are the archive's, and a dpkg status of
// its own.
type aptSim struct {
	dir  string
	opts []string
}

// newAptSim configures apt for the archive with archs (native first)
// enabled.
func newAptSim(t *testing.T, a aptArchive, archs []string) *aptSim {
	t.Helper()
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Fatal("apt-get is not installed: closures are compared with apt's (run the tests on Debian)")
	}
	dir := t.TempDir()
	for _, d := range []string{"lists/partial", "cache/archives/partial", "empty", "etc"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A source apt will never fetch from (".invalid" cannot resolve), whose
	// list files are put in place directly: apt-get -s reads lists, it does
	// not download them.
	const fake = "http://distill.invalid/debian"
	prefix := "distill.invalid_debian_dists_" + a.suite + "_"
	files := map[string][]byte{
		"etc/sources.list": fmt.Appendf(nil, "deb [trusted=yes] %s %s %s\n", fake, a.suite, a.component),
		"status":           nil,
	}
	if a.inRelease != nil {
		files["lists/"+prefix+"InRelease"] = a.inRelease
	} else {
		files["lists/"+prefix+"Release"] = fmt.Appendf(nil, "Suite: %s\nCodename: %s\nArchitectures: %s\nComponents: %s\n",
			a.suite, a.suite, strings.Join(archs, " "), a.component)
	}
	for arch, data := range a.packages {
		files["lists/"+prefix+a.component+"_binary-"+arch+"_Packages"] = data
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &aptSim{dir: dir, opts: []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(dir, "etc/sources.list"),
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(dir, "empty"),
		"-o", "Dir::Etc::PreferencesParts=" + filepath.Join(dir, "empty"),
		"-o", "Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"-o", "Dir::State::extended_states=" + filepath.Join(dir, "extended_states"),
		"-o", "Dir::Cache=" + filepath.Join(dir, "cache"),
		// Keep apt's binary cache between runs (hosts built from container
		// images often turn it off): only the first run builds it.
		"-o", "Dir::Cache::pkgcache=pkgcache.bin",
		"-o", "Dir::Cache::srcpkgcache=srcpkgcache.bin",
		"-o", "APT::Architecture=" + archs[0],
		"-o", "APT::Architectures=" + strings.Join(archs, ","),
		"-o", "Debug::NoLocking=1",
	}}
}

// aptRun is what one apt-get -s install decided.
type aptRun struct {
	// installs maps the keys of the packages apt would install to their
	// versions; nil when apt found no solution.
	installs map[string]string
	out      []byte
	err      error // apt-get's exit status
}

// aptSetup is the state one apt-get run starts from.
type aptSetup struct {
	status string // dpkg status paragraphs: what is installed already
	prefs  string // apt_preferences(5) paragraphs
}

// solve runs apt-get -s install pkgs. The closure is read from the list of
// NEW packages (-V gives their versions), which apt prints once its solver
// is done and before it orders the installation, so an installation it
// cannot order still shows what it solved.
func (a *aptSim) solve(t *testing.T, pkgs []string, s aptSetup) aptRun {
	t.Helper()
	state := t.TempDir()
	status, prefs := filepath.Join(state, "status"), filepath.Join(state, "preferences")
	for name, data := range map[string]string{status: s.status, prefs: s.prefs} {
		if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	args := append([]string{"-s", "-q", "-V"}, a.opts...)
	args = append(args, "-o", "Dir::State::status="+status, "-o", "Dir::Etc::Preferences="+prefs, "--no-install-recommends")
	args = append(append(args, "install"), pkgs...)
	cmd := exec.Command("apt-get", args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	return aptRun{installs: parseNew(out), out: out, err: err}
}

var aptNew = regexp.MustCompile(`^\s+(\S+) \((\S+)\)$`)

// parseNew reads apt-get -V's list of NEW packages: key -> version.
func parseNew(out []byte) map[string]string {
	var got map[string]string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "The following NEW packages will be installed:":
			in, got = true, map[string]string{}
		case in && aptNew.MatchString(line):
			m := aptNew.FindStringSubmatch(line)
			got[m[1]] = m[2]
		default:
			in = false
		}
	}
	return got
}

// install returns what apt-get -s install would install from an empty
// system, which must succeed: key -> version.
func (a *aptSim) install(t *testing.T, pkgs []string) map[string]string {
	t.Helper()
	r := a.solve(t, pkgs, aptSetup{})
	if r.err != nil {
		t.Fatalf("apt-get -s install %s: %v\n%s", strings.Join(pkgs, " "), r.err, r.out)
	}
	if len(r.installs) == 0 {
		t.Fatalf("apt-get installs nothing:\n%s", r.out)
	}
	return r.installs
}
