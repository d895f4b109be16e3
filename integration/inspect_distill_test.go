package integration

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestInspect builds two images that differ by one package and inspects
// them with the CLI, as a user would: the one image's packages and layers,
// then the difference and what it costs to pull, which must be the one
// package's layer.
func TestInspect(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	const body = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "small" {
  platforms = ["linux/amd64"]
  packages  = [%s]
}
`
	var tars []string
	for i, pkgs := range []string{`"netbase"`, `"netbase", "media-types"`} {
		dir := definition(t, b, fmt.Sprintf(body, pkgs), nil)
		out := filepath.Join(t.TempDir(), fmt.Sprintf("small-%d.tar", i))
		if _, _, err := run(t, exec.CommandContext(t.Context(), cli, "build", "--addr", b.BuildkitAddr, "--progress", "plain",
			"-o", "type=oci,dest="+out, filepath.Join(dir, "distill.hcl"))); err != nil {
			t.Fatal(err)
		}
		tars = append(tars, out)
	}

	start := time.Now()
	stdout, stderr, err := run(t, exec.CommandContext(t.Context(), cli, "inspect", tars[1]))
	t.Logf("distill inspect of one image: %v", time.Since(start))
	if err != nil || stderr != "" {
		t.Fatalf("inspect: %v\n%s", err, stderr)
	}
	for _, re := range []string{
		`^` + regexp.QuoteMeta(tars[1]) + ` \(linux/amd64\): 2 packages, \d+ layers, `,
		`\nPACKAGE +VERSION +SIZE +COMPRESSED +LAYER\n`,
		`\nmedia-types +\S+ +[0-9.]+ kB `,
		`\nnetbase +6\.4 +[0-9.]+ kB `,
		`\nLAYER +DIGEST +COMPRESSED +UNCOMPRESSED +PACKAGES\n`,
		// netbase's /etc/services is a conffile, which md5sums leaves out.
		`\nFILES NO PACKAGE LISTS \(\d+\) +SIZE +LAYER\n(.*\n)*/etc/services +`,
	} {
		if !regexp.MustCompile(re).MatchString(stdout) {
			t.Errorf("inspect output does not match %s:\n%s", re, stdout)
		}
	}

	// The layers to pull are those of the second image the first lacks.
	first, err := ReadOCILayout(tars[0])
	if err != nil {
		t.Fatal(err)
	}
	second, err := ReadOCILayout(tars[1])
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, l := range first.Images[0].Manifest.Layers {
		have[l.Digest.String()] = true
	}
	var lacking int
	for _, l := range second.Images[0].Manifest.Layers {
		if !have[l.Digest.String()] {
			lacking++
		}
	}
	if lacking != 1 {
		t.Errorf("the images differ by %d layers, want one (media-types')", lacking)
	}
	start = time.Now()
	stdout, _, err = run(t, exec.CommandContext(t.Context(), cli, "inspect", tars[0], tars[1]))
	t.Logf("distill inspect of two images: %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{
		tars[0] + " (linux/amd64) -> " + tars[1] + " (linux/amd64)\n",
		"\n+  media-types  -     ",
		fmt.Sprintf("\nto pull: 1 of %d layers, ", len(second.Images[0].Manifest.Layers)),
	} {
		if !strings.Contains(stdout, w) {
			t.Errorf("inspect of two images lacks %q:\n%s", w, stdout)
		}
	}
	if strings.Contains(stdout, "netbase") {
		t.Errorf("inspect lists netbase, which did not change:\n%s", stdout)
	}

	// The same image pushed to a registry reads the same, by reference.
	dir := definition(t, b, fmt.Sprintf(body, `"netbase", "media-types"`), nil)
	ref := b.Registry + "/distill/inspect:test"
	if _, _, err := run(t, exec.CommandContext(t.Context(), cli, "build", "--addr", b.BuildkitAddr, "--progress", "plain",
		"-o", "type=image,name="+ref+",push=true,registry.insecure=true", filepath.Join(dir, "distill.hcl"))); err != nil {
		t.Fatal(err)
	}
	fromTar, _, err := run(t, exec.CommandContext(t.Context(), cli, "inspect", tars[1]))
	if err != nil {
		t.Fatal(err)
	}
	fromRegistry, stderr, err := run(t, exec.CommandContext(t.Context(), cli, "inspect", ref))
	if err != nil {
		t.Fatalf("inspect %s: %v\n%s", ref, err, stderr)
	}
	_, tarBody, _ := strings.Cut(fromTar, "\n")
	_, regBody, _ := strings.Cut(fromRegistry, "\n")
	if tarBody != regBody || !strings.HasPrefix(fromRegistry, ref) {
		t.Errorf("inspect of %s:\n%s\nof the tarball:\n%s", ref, fromRegistry, fromTar)
	}
}
