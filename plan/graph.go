package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
)

// The package graph: a package needs others at run time (package.NAME in
// its runtime) and at build time (in its build's requires). An image takes
// the runtime closure of its packages; a build sandbox has the runtime
// closure of its requirements installed. Independent packages build
// concurrently because the LLB graph says so.

// runtimeClosure is the packages refs name and, transitively, those they
// need at run time, each once, dependencies first.
func runtimeClosure(def *definition.Definition, refs []definition.PackageRef) []*definition.Package {
	var out []*definition.Package
	seen := map[string]bool{}
	var visit func(name string)
	visit = func(name string) {
		p := def.Package(name)
		if p == nil || seen[name] {
			return // unknown: reported by Lower; seen: once each (cycles are refused too)
		}
		seen[name] = true
		for _, r := range p.RuntimeBuilt {
			visit(r.Name)
		}
		out = append(out, p)
	}
	for _, r := range refs {
		visit(r.Name)
	}
	return out
}

// buildClosure is every package that building refs' runtime closure takes:
// those, and the runtime closures of their build requirements, recursively;
// each once, dependencies first.
func buildClosure(def *definition.Definition, refs []definition.PackageRef) []*definition.Package {
	var out []*definition.Package
	seen := map[string]bool{}
	var visit func(refs []definition.PackageRef)
	visit = func(refs []definition.PackageRef) {
		for _, p := range runtimeClosure(def, refs) {
			if seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			if p.Build != nil {
				visit(p.Build.RequiresBuilt)
			}
			out = append(out, p)
		}
	}
	visit(refs)
	return out
}

// checkGraph reports references to no package block and cycles, each once,
// where they are written.
func checkGraph(def *definition.Definition) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[hcl.Range]bool{}
	unknown := func(refs []definition.PackageRef) {
		for _, ref := range refs {
			p := def.Package(ref.Name)
			switch {
			case seen[ref.Range]:
			case p == nil:
				seen[ref.Range] = true
				diags = append(diags, errorAt(ref.Range, "Unknown package",
					fmt.Sprintf("There is no package block named %q.", ref.Name)))
			case ref.Sub != "" && p.Subpackage(ref.Sub) == nil:
				seen[ref.Range] = true
				diags = append(diags, errorAt(ref.Range, "Unknown subpackage",
					fmt.Sprintf("Package %s has no subpackage %q.", ref.Name, ref.Sub)))
			}
		}
	}
	for _, img := range def.Images {
		unknown(img.Built)
	}
	for _, p := range def.Packages {
		unknown(p.RuntimeBuilt)
		if p.Build != nil {
			unknown(p.Build.RequiresBuilt)
		}
	}
	if diags.HasErrors() {
		return diags
	}
	// Depth-first over both kinds of edge; a grey node met again closes a
	// cycle, reported at the package that starts it.
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var visit func(p *definition.Package) bool
	visit = func(p *definition.Package) bool {
		color[p.Name] = grey
		stack = append(stack, p.Name)
		edges := p.RuntimeBuilt
		if p.Build != nil {
			edges = append(append([]definition.PackageRef(nil), edges...), p.Build.RequiresBuilt...)
		}
		for _, e := range edges {
			switch color[e.Name] {
			case grey:
				i := 0
				for stack[i] != e.Name {
					i++
				}
				cycle := append(append([]string(nil), stack[i:]...), e.Name)
				diags = append(diags, errorAt(e.Range, "Package cycle",
					fmt.Sprintf("Package %s needs itself: %s.", e.Name, strings.Join(cycle, " -> "))))
				return false
			case white:
				if !visit(def.Package(e.Name)) {
					return false
				}
			}
		}
		stack = stack[:len(stack)-1]
		color[p.Name] = black
		return true
	}
	for _, p := range def.Packages {
		if color[p.Name] == white && !visit(p) {
			break
		}
	}
	return diags
}

// PackagesToBuild is every package that building refs takes, each once,
// dependencies first: refs, what they need at run time, and what those need
// to be built.
func PackagesToBuild(def *definition.Definition, refs []definition.PackageRef) []*definition.Package {
	return buildClosure(def, refs)
}

// Output is what an image or a sandbox takes of a package built from
// source: the package, or one of its subpackages.
type Output struct {
	Build *Build
	Sub   string // "" for the package itself
}

// Name is the output's package name, as dpkg and scanners see it: the
// package's, or NAME-SUB for a subpackage.
func (o Output) Name() string {
	if o.Sub == "" {
		return o.Build.Package.Name
	}
	return o.Build.Package.Name + "-" + o.Sub
}

// outputs are what refs take: the package of every member of their
// runtime closure, then each subpackage a reference among them names
// (a subpackage comes with its package), each once.
func outputs(def *definition.Definition, refs []definition.PackageRef, builds map[string]*Build) []Output {
	closure := runtimeClosure(def, refs)
	var out []Output
	for _, p := range closure {
		out = append(out, Output{Build: builds[p.Name]})
	}
	seen := map[string]bool{}
	named := slices.Clone(refs)
	for _, p := range closure {
		named = append(named, p.RuntimeBuilt...)
	}
	for _, r := range named {
		if r.Sub != "" && !seen[r.Key()] {
			seen[r.Key()] = true
			out = append(out, Output{Build: builds[r.Name], Sub: r.Sub})
		}
	}
	return out
}
