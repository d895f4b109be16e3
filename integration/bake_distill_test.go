package integration

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestBakeCatalogue builds every image of the Debian 12 catalogue with one
// `docker buildx bake distroless-debian12`, through the frontend target of
// the same bake (built from the bed's binaries, as BINARIES=prebuilt
// allows), and checks that the release group names what a release
// publishes.
func TestBakeCatalogue(t *testing.T) {
	b := needBed(t)
	repo := mustRepoRoot(t)
	mirrors := mirrorArgs(t)
	bake := func(args ...string) (string, error) {
		cmd := b.buildxCommand(t.Context(), repo, append([]string{"--builder", builderName, "bake", "-f", "docker-bake.hcl"}, args...)...)
		for i := 1; i < len(mirrors); i += 2 {
			cmd.Env = append(cmd.Env, mirrors[i]) // MIRROR=…, SECURITY_MIRROR=…: bake reads variables from the environment
		}
		stdout, _, err := run(t, cmd)
		return stdout, err
	}
	start := time.Now()
	if _, err := bake("distroless-debian12", "--progress", "plain",
		"--allow", "fs.read="+b.FrontendBinaries,
		"--set", "frontend.args.BINARIES=prebuilt",
		"--set", "frontend.contexts.prebuilt="+b.FrontendBinaries,
		"--set", "frontend.platforms=linux/amd64",
		"--set", "*.output=type=cacheonly"); err != nil {
		t.Fatal(err)
	}
	t.Logf("figure: bake of the 19 Debian 12 images for amd64 and arm64: %s", time.Since(start).Round(100*time.Millisecond))

	printed, err := bake("--print", "release")
	if err != nil {
		t.Fatal(err)
	}
	var plan struct {
		Group  map[string]struct{ Targets []string }
		Target map[string]struct {
			Target    string
			Platforms []string
			Attest    []map[string]string
			Output    []map[string]string
		}
	}
	if err := json.Unmarshal([]byte(printed), &plan); err != nil {
		t.Fatal(err)
	}
	if got := plan.Group["release"].Targets; !slices.Equal(got, []string{"frontend-release", "cli"}) {
		t.Errorf("release builds %q", got)
	}
	fr, cli := plan.Target["frontend-release"], plan.Target["cli"]
	var attest []string
	for _, a := range fr.Attest {
		attest = append(attest, a["type"]+":"+a["mode"])
	}
	if fr.Target != "frontend" || !slices.Contains(fr.Platforms, "linux/arm64") || !slices.Equal(attest, []string{"sbom:", "provenance:max"}) {
		t.Errorf("frontend-release: %+v", fr)
	}
	if cli.Target != "cli" || !slices.Equal(cli.Platforms, []string{"linux/amd64", "linux/arm64"}) || len(cli.Output) != 1 || cli.Output[0]["type"] != "local" {
		t.Errorf("cli: %+v", cli)
	}
}
