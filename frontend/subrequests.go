package frontend

import (
	"fmt"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	lintpkg "github.com/moby/buildkit/frontend/subrequests/lint"
	outlinepkg "github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/frontend/subrequests/targets"
	"github.com/moby/buildkit/solver/pb"
	"github.com/zclconf/go-cty/cty"
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

// outline answers `--call outline`: the variables a build argument can set.
func outline(def *definition.Definition, target string, sm *llb.SourceMap) (*outlinepkg.Outline, error) {
	img, err := plan.Target(def, target)
	if err != nil {
		return nil, err
	}
	o := &outlinepkg.Outline{Name: img.Name, Description: img.Description, Sources: [][]byte{sm.Data}}
	for _, v := range def.Variables {
		o.Args = append(o.Args, outlinepkg.Arg{
			Name:        v.Name,
			Description: v.Description,
			Value:       displayValue(v.Value),
			Location:    location(v.DeclRange),
		})
	}
	return o, nil
}

func displayValue(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return fmt.Sprint(v.True())
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return ""
}

// lint answers `--check`. Every warning has a location.
func lint(def *definition.Definition, sm *llb.SourceMap) *lintpkg.LintResults {
	res := &lintpkg.LintResults{}
	idx := res.AddSource(sm)
	for _, v := range def.Variables {
		if v.Used {
			continue
		}
		res.AddWarning("UnusedVariable", "Variables should be referenced by the definition", "",
			fmt.Sprintf("Variable %q is declared but never used", v.Name), idx, parserRange(v.DeclRange))
	}
	// A user given by name cannot be checked by Kubernetes' runAsNonRoot.
	// Images inheriting the line share one warning.
	warned := map[hcl.Range]bool{}
	for _, img := range def.Images {
		name, _, _ := strings.Cut(img.User, ":")
		if _, ok := img.Attrs["user"]; !ok || name == "" || isNumeric(name) || warned[img.AttrRange("user")] {
			continue
		}
		warned[img.AttrRange("user")] = true
		res.AddWarning("NonNumericUser", "Images should name their user by uid", "",
			fmt.Sprintf("Image %q runs as %q, a name: runtimes that check for a non-root user (Kubernetes' runAsNonRoot) cannot verify it; use accounts { run_as = %q } or a numeric uid", img.Name, img.User, name),
			idx, parserRange(img.AttrRange("user")))
	}
	return res
}

func isNumeric(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func parserRange(r hcl.Range) []parser.Range {
	return []parser.Range{{
		Start: parser.Position{Line: r.Start.Line, Character: r.Start.Column - 1},
		End:   parser.Position{Line: r.End.Line, Character: r.End.Column - 1},
	}}
}
