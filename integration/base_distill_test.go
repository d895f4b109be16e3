package integration

import (
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// baseDefinition has an image "app" on an image "base" of the definition.
const baseDefinition = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "base" {
  platforms = ["linux/amd64"]
  packages  = ["base-files"]
}
image "app" {
  from     = image.base
  packages = ["netbase"]
}
`

// replacementDefinition makes another "base": base-files and tzdata, and a
// file that says where it came from.
const replacementDefinition = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "base" {
  platforms = ["linux/amd64"]
  packages  = ["base-files", "tzdata"]
  file "/etc/replaced" {
    content = "the base from the build context\n"
  }
}
`

// TestBaseFromContext: --build-context NAME=… naming an image that the
// target extends builds the target on that instead, as for a Dockerfile's
// FROM NAME: the context's layers and history first, then the target's
// packages that the definition's NAME does not have. Through the CLI with
// an OCI layout, and through buildx with an image in a registry; the SBOM
// lists what distill added and names the base it does not describe.
func TestBaseFromContext(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	dir := definition(t, b, baseDefinition, nil)
	other := definition(t, b, replacementDefinition, nil)
	cliBuild := func(def, out string, more ...string) {
		t.Helper()
		args := append([]string{"build", "--addr", b.BuildkitAddr, "--progress", "plain", "-o", out}, more...)
		if _, stderr, err := run(t, exec.CommandContext(t.Context(), cli, append(append(args, mirrorArgs(t)...), def)...)); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
	}
	layout := filepath.Join(t.TempDir(), "base")
	cliBuild(filepath.Join(other, "distill.hcl"), "type=oci,tar=false,dest="+layout)
	replacement := readLayoutDir(t, layout)
	ref, _ := pushImage(t, b, other, "replacement-base")

	plain := filepath.Join(t.TempDir(), "plain.tar")
	cliBuild(filepath.Join(dir, "distill.hcl"), "type=oci,dest="+plain, "--target", "app")
	if _, ok := readLayout(t, plain).Images[0].File("/etc/replaced"); ok {
		t.Fatal("without --build-context, app has the replacement's /etc/replaced")
	}

	viaCLI := filepath.Join(t.TempDir(), "cli.tar")
	cliBuild(filepath.Join(dir, "distill.hcl"), "type=oci,dest="+viaCLI, "--target", "app", "--build-context", "base=oci-layout://"+layout)
	viaBuildx := filepath.Join(t.TempDir(), "buildx.tar")
	args := append([]string{"build", "-f", "distill.hcl", "--target", "app", "--sbom=true", "--provenance=false",
		"--build-context", "base=docker-image://" + ref, "-o", "type=oci,dest=" + viaBuildx}, mirrorArgs(t)...)
	if _, stderr, err := b.Buildx(t, dir, append(args, ".")...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}

	want := replacement.Images[0]
	for name, file := range map[string]string{"CLI, oci-layout": viaCLI, "buildx, docker-image": viaBuildx} {
		l := readLayout(t, file)
		img := l.Images[0]
		if f, ok := img.File("/etc/replaced"); !ok || string(f.Data) != "the base from the build context\n" {
			t.Errorf("%s: /etc/replaced %q (present %v), want the replacement base's", name, f.Data, ok)
		}
		for _, path := range []string{"/etc/services", "/usr/share/zoneinfo/UTC", "/etc/os-release"} {
			if _, ok := img.File(path); !ok {
				t.Errorf("%s: no %s (netbase from app, tzdata and base-files from the base)", name, path)
			}
		}
		// The base's layers, unchanged, then app's: netbase alone, since
		// the definition's base already has base-files.
		if len(img.Layers) != len(want.Layers)+1 || !slices.EqualFunc(img.Manifest.Layers[:len(want.Layers)], want.Manifest.Layers,
			func(a, b ocispec.Descriptor) bool { return a.Digest == b.Digest }) {
			t.Errorf("%s: %d layers, want the base's %d and one of netbase's", name, len(img.Layers), len(want.Layers))
		}
		var history []string
		for _, h := range img.Config.History {
			history = append(history, h.CreatedBy)
		}
		var wantHistory []string
		for _, h := range want.Config.History {
			wantHistory = append(wantHistory, h.CreatedBy)
		}
		if len(history) != len(wantHistory)+1 || !slices.Equal(history[:len(wantHistory)], wantHistory) || !strings.Contains(history[len(history)-1], "netbase") {
			t.Errorf("%s: history %q, want the base's %q then netbase's", name, history, wantHistory)
		}
	}

	// The outline shows the base, and the one layer distill adds on it.
	outlineArgs := append([]string{"build", "-f", "distill.hcl", "--target", "app", "--call", "outline",
		"--build-context", "base=docker-image://" + ref}, mirrorArgs(t)...)
	stdout, stderr, err := b.Buildx(t, dir, append(outlineArgs, ".")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"BASE: build context base", "LAYERS linux/amd64: 1 layer (budget", "package   netbase"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the outline lacks %q:\n%s", want, stdout)
		}
	}

	doc := sbomOf(t, readLayout(t, viaBuildx))
	if got := doc.contained(t); len(got) != 1 || !strings.HasPrefix(got[0], "netbase ") {
		t.Errorf("the SBOM's image contains %q, want netbase alone (what distill added)", got)
	}
	if rels := doc.relationships(t); !slices.Contains(rels, "app DESCENDANT_OF build context base") {
		t.Errorf("the SBOM does not name the base it does not describe: %q", rels)
	}
}
