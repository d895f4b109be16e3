package plan

import (
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
)

const builtSrc = `
repository "debian" {
  url   = "http://mirror.invalid/debian"
  suite = "bookworm"
}
package "hello" {
  version = "2.10"
  build { steps = ["make"] }
  runtime = ["libc6", "base-files"]
}
image "base" {
  packages = ["base-files"]
}
image "hello" {
  from     = image.base
  packages = [package.hello]
}
`

// TestBuiltPackages: an image inherits its parent's packages, takes the
// runtime requirements of the packages it builds (each once), and locks
// against all of them.
func TestBuiltPackages(t *testing.T) {
	def := mustParse(t, builtSrc)
	img := def.Image("hello")
	if len(img.Built) != 1 || img.Built[0].Name != "hello" || !img.NeedsArchive() {
		t.Fatalf("built %+v", img.Built)
	}
	reqs, err := requests(def, img)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range reqs {
		names = append(names, r.String())
	}
	if strings.Join(names, " ") != "base-files libc6" {
		t.Errorf("requests %v", names)
	}
	in := lockInputs(def, img)
	if strings.Join(in.Packages, ",") != "base-files,(package hello),libc6" {
		t.Errorf("lock inputs %q", in.Packages)
	}
	if in := lockInputs(def, def.Image("base")); strings.Join(in.Packages, ",") != "base-files" {
		t.Errorf("an image without built packages locks as before: %q", in.Packages)
	}
}

func TestUnknownPackage(t *testing.T) {
	src := "image \"a\" {\n  packages = [package.nope]\n}\nimage \"b\" { from = image.a }\n"
	_, diags := parse("d.hcl", []byte(src), definition.Options{})
	if got := diags.Error(); strings.Count(got, "Unknown package") != 1 || !strings.Contains(got, `d.hcl:2,15-27: Unknown package; There is no package block named "nope".`) {
		t.Errorf("diagnostics %s", got)
	}
}
