package frontend

import (
	"context"
	"fmt"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/frontend/linter"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	bklinter "github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	lintpkg "github.com/moby/buildkit/frontend/subrequests/lint"
	outlinepkg "github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"
)

type (
	targetsList = targets.List
	outlineT    = outlinepkg.Outline
	lintResults = lintpkg.LintResults
)

func location(r hcl.Range) *pb.Location {
	return &pb.Location{SourceIndex: 0, Ranges: []*pb.Range{distill2llb.Range(r)}}
}

// listTargets answers `--call targets`: every image, the default marked.
func listTargets(def *definition.Definition, sm *llb.SourceMap) *targets.List {
	l := &targets.List{Sources: [][]byte{sm.Data}}
	last := len(def.Images) - 1
	for i, img := range def.Images {
		l.Targets = append(l.Targets, targets.Target{
			Name:        img.Name,
			Default:     i == last,
			Description: img.Description,
			Location:    location(img.DeclRange),
		})
	}
	return l
}

// lint answers `--check`: the target's image, or every image when none is
// named (as the Dockerfile frontend lints all stages), plus the file-wide
// rules. Every warning is located in the definition. With error=true the
// warnings also become the result's build error, which buildx prints and
// fails on, as for Dockerfiles. closures are the lockfile's (nil without
// one).
func lint(def *definition.Definition, target string, l *linter.Linter, closures linter.Closures, sm *llb.SourceMap) (*lintpkg.LintResults, error) {
	images := def.Images
	if target != "" {
		img, err := plan.Target(def, target)
		if err != nil {
			return nil, err
		}
		images = []*definition.Image{img}
	}
	warnings := l.Check(def, images, closures)
	res := &lintpkg.LintResults{}
	res.AddSource(sm) // the only source: index 0, which location names
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, lintpkg.Warning{
			RuleName:    w.Rule.Name,
			Description: w.Rule.Description,
			URL:         w.Rule.URL,
			Detail:      w.Message,
			Location:    location(w.Range),
		})
	}
	if err := l.Error(warnings); err != nil {
		res.Error = &lintpkg.BuildError{Message: err.Error()}
	}
	return res, nil
}

// warnLint reports lint warnings on a build's progress, as the Dockerfile
// frontend does, each pointing at its line of the definition.
func warnLint(ctx context.Context, src *dockerui.Source, warnings []linter.Warning) {
	for _, w := range warnings {
		src.Warn(ctx, bklinter.LintFormatShort(w.Rule.Name, w.Message, w.Range.Start.Line), client.WarnOpts{
			Detail: [][]byte{[]byte(w.Rule.Description)},
			URL:    w.Rule.URL,
			Range:  []*pb.Range{distill2llb.Range(w.Range)},
		})
	}
}

// warnDiag shows the planner's warnings on the build's progress, at their
// lines, as lint warnings show.
func warnDiag(ctx context.Context, src *dockerui.Source) func(*hcl.Diagnostic) {
	return func(d *hcl.Diagnostic) {
		opts := client.WarnOpts{}
		msg := d.Summary + ": " + d.Detail
		if d.Subject != nil {
			opts.Range = []*pb.Range{distill2llb.Range(*d.Subject)}
			msg += fmt.Sprintf(" (line %d)", d.Subject.Start.Line)
		}
		src.Warn(ctx, msg, opts)
	}
}
