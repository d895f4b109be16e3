package frontend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/frontend/linter"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	bklinter "github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/grpcerrors"
	digest "github.com/opencontainers/go-digest"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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

// parse decodes and lowers a definition, as Build does before linting.
func parse(t *testing.T, src string) *definition.Definition {
	t.Helper()
	def, diags := definition.Parse("distill.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if def, diags = plan.Lower(def); diags.HasErrors() {
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

func TestTargets(t *testing.T) {
	def := parse(t, twoImages)
	sm := llb.NewSourceMap(nil, "distill.hcl", Language, []byte(twoImages))
	l := listTargets(def, sm)
	if len(l.Targets) != 2 || l.Targets[0].Description != "first" || l.Targets[0].Default || !l.Targets[1].Default {
		t.Errorf("targets %+v", l.Targets)
	}
}

// namedUsers has one unused variable (line 1) and two images running as
// names (lines 3 and 6); b inherits a's user line.
const namedUsers = `variable "UNUSED" { default = "y" }
image "a" {
  user = "nonroot"
}
image "b" { from = image.a }
image "c" { user = "app" }
image "d" { user = "65532" }
`

// TestLint checks the `--check` answer: what buildx prints and fails on.
func TestLint(t *testing.T) {
	def := parse(t, namedUsers)
	sm := llb.NewSourceMap(nil, "distill.hcl", Language, []byte(namedUsers))
	sm.Definition = &llb.Definition{} // ReadEntrypoint sets it
	for _, tc := range []struct {
		name, target string
		cfg          *bklinter.Config // as dockerui parses BUILDKIT_DOCKERFILE_CHECK
		want         []string         // rule@line:column
		err          string           // the result's build error
	}{
		{name: "every image", want: []string{"UnusedVariable@1:0", "NonNumericUser@3:2", "NonNumericUser@6:12"}},
		{name: "target b", target: "b", want: []string{"UnusedVariable@1:0", "NonNumericUser@3:2"}},
		{name: "numeric target", target: "d", want: []string{"UnusedVariable@1:0"}},
		{name: "skip", cfg: &bklinter.Config{SkipRules: []string{"NonNumericUser"}}, want: []string{"UnusedVariable@1:0"}},
		{name: "skip all", cfg: &bklinter.Config{SkipAll: true, ReturnAsError: true}},
		{name: "error", target: "d", cfg: &bklinter.Config{ReturnAsError: true}, want: []string{"UnusedVariable@1:0"},
			err: "lint violation found for rules: UnusedVariable (error=true in the check configuration)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := lint(def, tc.target, linter.New(tc.cfg), nil, sm)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Sources) != 1 || res.Sources[0].Filename != "distill.hcl" || string(res.Sources[0].Data) != namedUsers {
				t.Fatalf("sources %+v", res.Sources)
			}
			var got []string
			for _, w := range res.Warnings {
				loc := w.Location
				if loc == nil || loc.SourceIndex != 0 || len(loc.Ranges) != 1 || w.Detail == "" || w.Description == "" ||
					!strings.HasPrefix(w.URL, "docs/rules/") {
					t.Fatalf("warning %+v", w)
				}
				got = append(got, fmt.Sprintf("%s@%d:%d", w.RuleName, loc.Ranges[0].Start.Line, loc.Ranges[0].Start.Character))
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("warnings %q, want %q", got, tc.want)
			}
			gotErr := ""
			if res.Error != nil {
				gotErr = res.Error.Message
			}
			if gotErr != tc.err {
				t.Errorf("build error %q, want %q", gotErr, tc.err)
			}
		})
	}
	if _, err := lint(def, "nope", linter.New(nil), nil, sm); err == nil || !strings.Contains(err.Error(), `target "nope" not found`) {
		t.Errorf("unknown target: %v", err)
	}
}

// TestWarnLint checks the warnings a build shows on its progress.
func TestWarnLint(t *testing.T) {
	def := parse(t, namedUsers)
	type sent struct {
		msg  string
		opts client.WarnOpts
	}
	var got []sent
	src := &dockerui.Source{
		SourceMap: llb.NewSourceMap(nil, "distill.hcl", Language, []byte(namedUsers)),
		Warn:      func(_ context.Context, msg string, opts client.WarnOpts) { got = append(got, sent{msg, opts}) },
	}
	warnLint(context.Background(), src, linter.New(nil).Check(def, []*definition.Image{def.Image("b")}, nil))
	if len(got) != 2 {
		t.Fatalf("warnings %+v", got)
	}
	if got[0].msg != `UnusedVariable: Variable "UNUSED" is declared but never used (line 1)` ||
		!strings.HasPrefix(got[1].msg, `NonNumericUser: Image "b" runs as "nonroot", a name`) || !strings.HasSuffix(got[1].msg, "(line 3)") {
		t.Errorf("messages %q, %q", got[0].msg, got[1].msg)
	}
	o := got[1].opts
	if o.URL != linter.RuleNonNumericUser.URL || len(o.Detail) != 1 || string(o.Detail[0]) != linter.RuleNonNumericUser.Description ||
		len(o.Range) != 1 || o.Range[0].Start.Line != 3 || o.Range[0].Start.Character != 2 || o.Range[0].End.Character != 18 {
		t.Errorf("options %+v", o)
	}
}

// TestDetachedKeepsContext: context wrapped around an error from a solve
// reaches the client, with the source ranges and the vertex; BuildKit's
// ToGRPC alone would send the solve's message.
func TestDetachedKeepsContext(t *testing.T) {
	ctx := context.Background()
	inner := grpcerrors.FromGRPC(status.Error(codes.Unknown, "invalid response status 404"))
	inner = errdefs.WrapVertex(inner, digest.FromString("fetch"))
	src := &errdefs.Source{Info: &pb.SourceInfo{Filename: "distill.hcl"}, Ranges: []*pb.Range{{Start: &pb.Position{Line: 3}}}}
	wrapped := fmt.Errorf("repository \"debian\" at distill.hcl:3: fetching http://mirror.invalid/dists/bookwrm/InRelease: %w", errdefs.WithSource(inner, src))

	if got := grpcerrors.FromGRPC(grpcerrors.ToGRPC(ctx, wrapped)).Error(); got != "invalid response status 404" {
		t.Logf("BuildKit now keeps the context (%q): detached may no longer be needed", got)
	}
	back := grpcerrors.FromGRPC(grpcerrors.ToGRPC(ctx, detached(wrapped)))
	if back.Error() != wrapped.Error() {
		t.Errorf("the client reads %q, want %q", back.Error(), wrapped.Error())
	}
	if srcs := errdefs.Sources(back); len(srcs) != 1 || srcs[0].Info.Filename != "distill.hcl" {
		t.Errorf("sources %v", srcs)
	}
	var ve *errdefs.VertexError
	if !errors.As(back, &ve) || ve.Digest != digest.FromString("fetch").String() {
		t.Errorf("vertex lost: %v", back)
	}
	if plain := errors.New("no solve inside"); !errors.Is(detached(plain), plain) || detached(plain).Error() != plain.Error() {
		t.Error("an error without a gRPC status is changed")
	}
}

// TestUndeclaredArgs checks the warning for build arguments that name no
// variable: a typo in --build-arg would otherwise change nothing silently.
func TestUndeclaredArgs(t *testing.T) {
	def := parse(t, "variable \"MIRROR\" { default = \"\" }\nvariable \"SUITE\" { default = \"bookworm\" }\nimage \"x\" {\n  labels = { m = MIRROR, s = SUITE }\n}\n")
	for _, tc := range []struct {
		args map[string]string
		want []string
	}{
		{map[string]string{"MIRROR": "x", "SUITE": "trixie"}, nil},
		// BuildKit's own and proxies are read without a variable.
		{map[string]string{"BUILDKIT_DOCKERFILE_CHECK": "skip=all", "SOURCE_DATE_EPOCH": "0", "http_proxy": "x", "NO_PROXY": "y"}, nil},
		{map[string]string{"MIRRROR": "x", "suite": "trixie"}, []string{
			`--build-arg MIRRROR: distill.hcl declares no variable "MIRRROR", so the argument changes nothing (did you mean MIRROR?)`,
			`--build-arg suite: distill.hcl declares no variable "suite", so the argument changes nothing (did you mean SUITE?)`}},
		{map[string]string{"VERSION": "1"}, []string{
			`--build-arg VERSION: distill.hcl declares no variable "VERSION", so the argument changes nothing (its variables are MIRROR, SUITE)`}},
	} {
		if got := undeclaredArgs(def, tc.args); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%v: got %q\nwant %q", tc.args, got, tc.want)
		}
	}
}

// TestWarnDiag checks that the planner's warnings reach the progress with
// their line.
func TestWarnDiag(t *testing.T) {
	var msgs []string
	var opts []client.WarnOpts
	src := &dockerui.Source{Warn: func(_ context.Context, msg string, o client.WarnOpts) {
		msgs, opts = append(msgs, msg), append(opts, o)
	}}
	rng := hcl.Range{Filename: "distill.hcl", Start: hcl.Pos{Line: 8, Column: 3}, End: hcl.Pos{Line: 8, Column: 39}}
	warnDiag(t.Context(), src)(&hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: "Unknown excluded package", Detail: `"mawkk" is no package.`, Subject: &rng})
	if len(msgs) != 1 || msgs[0] != `Unknown excluded package: "mawkk" is no package. (line 8)` || len(opts[0].Range) != 1 || opts[0].Range[0].Start.Line != 8 {
		t.Errorf("warned %q %+v", msgs, opts)
	}
}

// TestFailedFetch: a solve error's vertex leads back to the HTTP source it
// came from, with its name, URL and the definition's lines.
func TestFailedFetch(t *testing.T) {
	sm := llb.NewSourceMap(nil, "distill.hcl", "HCL", []byte("package \"app\" {\n  source \"http\" {}\n}\n"))
	st := llb.HTTP("http://mirror.invalid/app.tar.gz", llb.WithCustomName("[app 1 linux/amd64] fetch http://mirror.invalid/app.tar.gz"),
		sm.Location([]*pb.Range{{Start: &pb.Position{Line: 2}, End: &pb.Position{Line: 2}}}))
	dt, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var vertex digest.Digest
	for _, b := range dt.Def[:len(dt.Def)-1] { // the last is the definition's output, no op
		vertex = digest.FromBytes(b)
	}
	solveErr := errdefs.WrapVertex(errors.New("digest mismatch"), vertex)
	f, ok := failedFetch(solveErr, dt)
	if !ok || f.url != "http://mirror.invalid/app.tar.gz" || !strings.HasPrefix(f.name, "[app 1 linux/amd64] fetch") {
		t.Fatalf("failedFetch = %+v, %v", f, ok)
	}
	err = f.wrap(solveErr, false, nil, "distill.lock.json")
	srcs := errdefs.Sources(err)
	if len(srcs) != 1 || srcs[0].Info.Filename != "distill.hcl" || srcs[0].Ranges[0].Start.Line != 2 {
		t.Errorf("lines %v", srcs)
	}
	if !strings.Contains(err.Error(), "other bytes than the pinned sha256") {
		t.Errorf("message %q", err)
	}
	if _, ok := failedFetch(errors.New("no vertex"), dt); ok {
		t.Error("an error without a vertex is a fetch")
	}
}
