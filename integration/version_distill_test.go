package integration

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestVersionOfDaemon asks the bed's buildkitd for its version through the
// CLI, by --addr and by BUILDKIT_HOST, and checks the linked BuildKit
// client's version, which only a built binary records.
func TestVersionOfDaemon(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	want := regexp.MustCompile(`(?m)^buildkit daemon  github\.com/moby/buildkit v\d+\.\d+\.\d+\S*( \(revision \S+\))? at ` + regexp.QuoteMeta(b.BuildkitAddr) + `$`)
	byFlag := exec.CommandContext(t.Context(), cli, "version", "--addr", b.BuildkitAddr)
	byEnv := exec.CommandContext(t.Context(), cli, "version")
	byEnv.Env = append(byEnv.Environ(), "BUILDKIT_HOST="+b.BuildkitAddr)
	linked := regexp.MustCompile(`(?m)^buildkit client  v\d+\.\d+\.\d+\S*$`)
	for _, cmd := range []*exec.Cmd{byFlag, byEnv} {
		stdout, _, err := run(t, cmd)
		if err != nil || !want.MatchString(stdout) || !linked.MatchString(stdout) {
			t.Errorf("%v: %v\n%s", cmd.Args, err, stdout)
		}
	}
}
