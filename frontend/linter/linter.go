// Package linter holds distill's lint rules as data, each with a doc page
// under docs/rules, and runs them over a definition.
//
// It follows BuildKit's Dockerfile linter so that the same switches work on
// distill files: `# check=skip=Rule1,Rule2;error=true` as a directive at the
// top of the file, or the BUILDKIT_DOCKERFILE_CHECK build argument (which
// dockerui parses into the same *linter.Config and which wins over the
// directive). It knows nothing of the gateway: the frontend turns warnings
// into lint results or progress warnings.
package linter

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	bklinter "github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Warning is one violation of a rule, at the range that violates it.
type Warning struct {
	Rule    Meta
	Message string
	Range   hcl.Range
}

// Linter runs the rules a configuration leaves on. No rule of ours is
// experimental, so the configuration's experimental settings change nothing.
type Linter struct {
	skipAll         bool
	skip            map[string]bool
	errorOnWarnings bool
}

// New makes a linter from a check configuration; nil means every rule on
// and warnings that do not fail the build.
func New(cfg *bklinter.Config) *Linter {
	l := &Linter{skip: map[string]bool{}}
	if cfg == nil {
		return l
	}
	l.skipAll = cfg.SkipAll
	l.errorOnWarnings = cfg.ReturnAsError
	for _, name := range cfg.SkipRules {
		l.skip[name] = true
	}
	return l
}

// Check runs every rule not skipped over the lowered definition (see
// plan.Lower: an image runs as the user it inherits); image rules look at
// images only (the build's target, or every image for a lint of the file).
// closures gives the images' locked closures to the rules that need them;
// with nil (no lockfile) those rules are silent. The warnings are sorted by
// position, then rule, so output is stable.
func (l *Linter) Check(def *definition.Definition, images []*definition.Image, closures Closures) []Warning {
	var out []Warning
	for _, c := range checks() {
		if l.skipAll || l.skip[c.rule.Name] {
			continue
		}
		out = append(out, c.find(def, images, closures)...)
	}
	slices.SortStableFunc(out, func(a, b Warning) int {
		return cmp.Or(
			cmp.Compare(a.Range.Filename, b.Range.Filename),
			cmp.Compare(a.Range.Start.Line, b.Range.Start.Line),
			cmp.Compare(a.Range.Start.Column, b.Range.Start.Column),
			cmp.Compare(a.Rule.Name, b.Rule.Name),
		)
	})
	return out
}

// Error fails the build on warnings when the configuration says error=true,
// naming the rules that fired (sorted, each once).
func (l *Linter) Error(warnings []Warning) error {
	if !l.errorOnWarnings || len(warnings) == 0 {
		return nil
	}
	var names []string
	for _, w := range warnings {
		names = append(names, w.Rule.Name)
	}
	slices.Sort(names)
	return fmt.Errorf("lint violation found for rules: %s (error=true in the check configuration)", strings.Join(slices.Compact(names), ", "))
}

// ConfigFor is the check configuration of a build: the build argument's
// when there is one (fromBuildArg, dockerui's bc.LinterConfig), as the
// Dockerfile frontend does, else the file's `# check=` directive. dockerui
// reads only the build argument; the directive is ours to read, and in a
// distill file it is an HCL comment after `# syntax=`. An invalid directive
// is an error at its line.
func ConfigFor(fromBuildArg *bklinter.Config, filename string, src []byte) (*bklinter.Config, error) {
	if fromBuildArg != nil {
		return fromBuildArg, nil
	}
	value, _, loc, ok := parser.ParseDirective("check", src)
	if !ok {
		return &bklinter.Config{}, nil
	}
	cfg, err := bklinter.ParseLintOptions(value)
	if err != nil {
		return nil, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Invalid check directive",
			Detail:   fmt.Sprintf("Parsing %q: %v.", value, err),
			Subject:  lineRange(filename, src, loc[0].Start.Line).Ptr(),
		}
	}
	return cfg, nil
}

// lineRange is the whole of a 1-based line, as an HCL range.
func lineRange(filename string, src []byte, line int) hcl.Range {
	lines := bytes.Split(src, []byte("\n"))
	width := 0
	if line >= 1 && line <= len(lines) {
		width = len(bytes.TrimRight(lines[line-1], "\r"))
	}
	return hcl.Range{
		Filename: filename,
		Start:    hcl.Pos{Line: line, Column: 1},
		End:      hcl.Pos{Line: line, Column: width + 1},
	}
}
