package frontend

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/definition"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
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

func parse(t *testing.T, src string) *definition.Definition {
	t.Helper()
	def, diags := definition.Parse("distill.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return def
}

// TestDiagnosticsCarrySource checks that HCL errors become BuildKit source
// errors whose ranges point at the offending lines.
func TestDiagnosticsCarrySource(t *testing.T) {
	src := "image \"x\" {\n  user = NOBODY\n}\n"
	_, diags := definition.Parse("distill.hcl", []byte(src), definition.Options{})
	sm := llb.NewSourceMap(nil, "distill.hcl", Language, []byte(src))
	err := diagnosticsError(diags, sm)
	if !strings.HasPrefix(err.Error(), `distill.hcl:2,10-16: Unknown variable`) {
		t.Errorf("message %q", err)
	}
	srcs := errdefs.Sources(err)
	if len(srcs) != 1 || srcs[0].Info.Filename != "distill.hcl" || len(srcs[0].Ranges) != 1 || srcs[0].Ranges[0].Start.Line != 2 {
		t.Fatalf("sources %+v", srcs)
	}
	var b strings.Builder
	if err := srcs[0].Print(&b); err != nil || !strings.Contains(b.String(), ">>>   user = NOBODY") {
		t.Errorf("printed source %q (%v)", b.String(), err)
	}
	if wrapSource(errors.New("plain"), sm).Error() != "plain" || len(errdefs.Sources(wrapSource(errors.New("plain"), sm))) != 0 {
		t.Error("an error without a range gained a source")
	}
}

func TestSourceDateEpoch(t *testing.T) {
	for _, tc := range []struct {
		arg  string
		want int64
		err  bool
	}{{"", 0, false}, {"1700000000", 1700000000, false}, {"-1", 0, true}, {"soon", 0, true}} {
		got, err := sourceDateEpoch(map[string]string{"SOURCE_DATE_EPOCH": tc.arg})
		if (err != nil) != tc.err || (err == nil && !got.Equal(time.Unix(tc.want, 0))) {
			t.Errorf("%q: got %v, %v", tc.arg, got, err)
		}
	}
}

func TestLintAndTargets(t *testing.T) {
	def := parse(t, twoImages)
	sm := llb.NewSourceMap(nil, "distill.hcl", Language, []byte(twoImages))
	sm.Definition = &llb.Definition{} // ReadEntrypoint sets it
	res := lint(def, sm)
	if len(res.Warnings) != 1 || res.Warnings[0].RuleName != "UnusedVariable" || !strings.Contains(res.Warnings[0].Detail, `"UNUSED"`) ||
		res.Warnings[0].Location == nil || res.Warnings[0].Location.Ranges[0].Start.Line != 2 {
		t.Errorf("lint %+v", res.Warnings)
	}
	named := "image \"a\" {\n  user = \"nonroot\"\n}\nimage \"b\" { from = image.a }\nimage \"c\" { user = \"65532:65532\" }\n"
	res = lint(parse(t, named), sm)
	if len(res.Warnings) != 1 || res.Warnings[0].RuleName != "NonNumericUser" || !strings.Contains(res.Warnings[0].Detail, `run_as = "nonroot"`) ||
		res.Warnings[0].Location.Ranges[0].Start.Line != 2 {
		t.Errorf("lint of a named user %+v", res.Warnings)
	}
	l := listTargets(def, sm)
	if len(l.Targets) != 2 || l.Targets[0].Description != "first" || l.Targets[0].Default || !l.Targets[1].Default {
		t.Errorf("targets %+v", l.Targets)
	}
}
