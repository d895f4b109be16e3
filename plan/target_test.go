package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const twoImages = `variable "USED" { default = "x" }
variable "UNUSED" { default = "y" }
image "a" {
  description = "first"
  platforms   = ["linux/amd64", "linux/arm64"]
  labels      = { v = USED }
}
image "b" {}
`

func mustParse(t *testing.T, src string) *definition.Definition {
	t.Helper()
	def, diags := parse("distill.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return def
}

func TestTarget(t *testing.T) {
	def := mustParse(t, twoImages)
	for _, tc := range []struct{ target, want, err string }{
		{"", "b", ""},
		{"a", "a", ""},
		{"c", "", `target "c" not found in distill.hcl: the images are a, b`},
	} {
		img, err := Target(def, tc.target)
		switch {
		case tc.err != "":
			if err == nil || err.Error() != tc.err {
				t.Errorf("target %q: error %v, want %q", tc.target, err, tc.err)
			}
		case err != nil || img.Name != tc.want:
			t.Errorf("target %q: got %v, %v; want %s", tc.target, img, err, tc.want)
		}
	}
}

func TestPlatforms(t *testing.T) {
	def := mustParse(t, twoImages)
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	s390x := ocispecs.Platform{OS: "linux", Architecture: "s390x"}
	for _, tc := range []struct {
		image     string
		requested []ocispecs.Platform
		want      int
		err       string
	}{
		{"a", nil, 2, ""},
		{"a", []ocispecs.Platform{amd64}, 1, ""},
		{"a", []ocispecs.Platform{s390x}, 0, `distill.hcl:5,3-47: Unsupported platform; Image "a" is built for linux/amd64, linux/arm64; linux/s390x was requested.`},
		{"b", nil, 1, ""}, // the fallback
		{"b", []ocispecs.Platform{s390x}, 1, ""},
		{"a", []ocispecs.Platform{amd64, amd64}, 1, ""},
		{"b", []ocispecs.Platform{amd64, {OS: "linux", Architecture: "x86_64"}, s390x}, 2, ""},
		// What the image does not declare is still checked.
		{"b", []ocispecs.Platform{{OS: "windows", Architecture: "amd64"}}, 0, "--platform windows/amd64: distill builds Linux images from Debian packages, not windows ones"},
		{"b", []ocispecs.Platform{{OS: "linux", Architecture: "nonsense"}}, 0, `--platform linux/nonsense: Debian has no architecture "nonsense"; the Linux ones are 386, amd64, arm, arm64, loong64, mips64le, ppc64le, riscv64, s390x`},
	} {
		got, err := Platforms(def.Image(tc.image), tc.requested, s390x)
		if tc.err != "" {
			// An error about the definition's list carries its range; one
			// about the command line is the command line's.
			var d *hcl.Diagnostic
			if errors.As(err, &d) != strings.HasPrefix(tc.err, "distill.hcl:") || err.Error() != tc.err {
				t.Errorf("%s %v: error %v, want %q", tc.image, tc.requested, err, tc.err)
			}
			continue
		}
		if err != nil || len(got) != tc.want {
			t.Errorf("%s %v: got %v, %v; want %d platforms", tc.image, tc.requested, got, err, tc.want)
		}
	}
}
