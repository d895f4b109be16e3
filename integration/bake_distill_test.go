package integration

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
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

// TestBakeRelease builds the release group itself, from prebuilt binaries
// and with no Go image: the frontend image for the platforms the bed has
// binaries for, pushed with its provenance (the SBOM attestation, disabled
// here, needs BuildKit's scanner image, which no registry here serves),
// and the CLI for amd64 with its checksum, summed in the catalogue's
// busybox debug image, which the same bake builds through its frontend
// target.
func TestBakeRelease(t *testing.T) {
	b := needBed(t)
	repo := mustRepoRoot(t)
	mirrors := mirrorArgs(t)
	// The prebuilt tree: the bed's frontend binaries, and the CLI.
	prebuilt := t.TempDir()
	if out, err := exec.Command("cp", "-a", b.FrontendBinaries+"/.", prebuilt).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	cli, err := os.ReadFile(cliBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(prebuilt, "linux", "amd64", "distill"), cli, 0o755); err != nil {
		t.Fatal(err)
	}
	dist := t.TempDir()
	const tag = "release-test"
	cmd := b.buildxCommand(t.Context(), repo, "--builder", builderName, "bake", "-f", "docker-bake.hcl", "release", "--progress", "plain",
		"--allow", "fs.read="+prebuilt, "--allow", "fs.write="+dist,
		"--set", "frontend.args.BINARIES=prebuilt", "--set", "frontend.contexts.prebuilt="+prebuilt,
		"--set", "frontend.platforms=linux/amd64",
		"--set", "frontend-release.args.BINARIES=prebuilt", "--set", "frontend-release.contexts.prebuilt="+prebuilt,
		"--set", "frontend-release.platforms="+strings.Join(frontendPlatforms, ","),
		"--set", "frontend-release.attest=type=sbom,disabled=true",
		"--set", "frontend-release.tags="+b.Registry+"/distill/frontend:"+tag,
		"--set", "frontend-release.output=type=image,push=true,registry.insecure=true",
		"--set", "cli.args.BINARIES=prebuilt", "--set", "cli.contexts.prebuilt="+prebuilt,
		"--set", "cli.args.TOOLS=tools", "--set", "cli.contexts.tools=target:debian12-debug",
		"--set", "cli.platforms=linux/amd64", "--set", "cli.output=type=local,dest="+dist)
	for i := 1; i < len(mirrors); i += 2 {
		cmd.Env = append(cmd.Env, mirrors[i]) // bake reads variables from the environment
	}
	if _, stderr, err := run(t, cmd); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}

	// The CLI and its checksum, as sha256sum writes it.
	got, err := os.ReadFile(filepath.Join(dist, "distill-linux-amd64"))
	if err != nil || !bytes.Equal(got, cli) {
		t.Fatalf("dist/distill-linux-amd64: %d bytes, %v; want the prebuilt CLI's %d", len(got), err, len(cli))
	}
	sum, err := os.ReadFile(filepath.Join(dist, "distill-linux-amd64.sha256"))
	if want := fmt.Sprintf("%x  distill-linux-amd64\n", sha256.Sum256(cli)); err != nil || string(sum) != want {
		t.Errorf("dist/distill-linux-amd64.sha256: %q, %v; want %q", sum, err, want)
	}

	// The frontend image: each platform, with its provenance.
	idx, err := fetchIndex(t.Context(), b.Registry, "distill/frontend", tag)
	if err != nil {
		t.Fatal(err)
	}
	var plats []string
	attestations := 0
	for _, m := range idx.Manifests {
		if m.Annotations[attestationRefType] == "attestation-manifest" {
			attestations++
			continue
		}
		plats = append(plats, platforms.FormatAll(*m.Platform))
	}
	slices.Sort(plats)
	want := slices.Clone(frontendPlatforms)
	slices.Sort(want)
	if !slices.Equal(plats, want) || attestations != len(want) {
		t.Errorf("the release's frontend image: platforms %q and %d attestations; want %q, one each", plats, attestations, want)
	}
}
