package cli

import (
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/definition"
)

// source says where the graph's Debian packages come from.
func (g *graph) source() string {
	if g.lockPath == "" {
		return "the packages the definition names (no lockfile)"
	}
	return "Debian packages from " + g.lockPath
}

// dot writes the graph in Graphviz's language: images as bold boxes,
// packages built from source as components, Debian packages as ellipses;
// build requirements dashed, package dependencies grey.
func (g *graph) dot(r *report) {
	q := strconv.Quote
	r.printf("// distill graph of %s: %s\n", g.file, g.source())
	r.printf("digraph distill {\n  rankdir=LR;\n")
	seen := map[string]bool{}
	node := func(id, attrs string) {
		if !seen[id] {
			seen[id] = true
			r.printf("  %s [%s];\n", q(id), attrs)
		}
	}
	var edges []string
	edge := func(from, to, attrs string) {
		e := "  " + q(from) + " -> " + q(to)
		if attrs != "" {
			e += " [" + attrs + "]"
		}
		if !seen["edge "+e] {
			seen["edge "+e] = true
			edges = append(edges, e+";\n")
		}
	}
	for _, gi := range g.images {
		id := "image " + gi.img.Name
		node(id, "shape=box, style=bold, label="+q("image "+gi.img.Name+"\n"+formatPlatforms(gi)))
		for _, from := range gi.img.From {
			edge(id, "image "+from, `label="from"`)
		}
		for _, b := range gi.built {
			edge(id, "package "+b.Name, subLabel(b, ""))
		}
		for _, d := range gi.debs {
			edge(id, d.id(), "")
		}
	}
	for _, p := range g.packages {
		id := "package " + p.Name
		node(id, "shape=component, label="+q(strings.TrimSpace("package "+p.Name+" "+p.Version)))
		if p.Build != nil {
			for _, req := range p.Build.Requires {
				node("deb "+req, "shape=ellipse, label="+q(req))
				edge(id, "deb "+req, `style=dashed, label="build"`)
			}
			for _, req := range p.Build.RequiresBuilt {
				edge(id, "package "+req.Name, "style=dashed, "+subLabel(req, "build"))
			}
		}
		for _, rt := range p.Runtime {
			node("deb "+rt, "shape=ellipse, label="+q(rt))
			edge(id, "deb "+rt, `label="runtime"`)
		}
		for _, rt := range p.RuntimeBuilt {
			edge(id, "package "+rt.Name, subLabel(rt, "runtime"))
		}
	}
	for _, gi := range g.images {
		for _, d := range gi.debs {
			node(d.id(), "shape=ellipse, label="+q(strings.TrimSpace(d.name+"\n"+d.version)))
			for _, dep := range d.depends {
				edge(d.id(), dep, "color=gray")
			}
		}
	}
	for _, e := range edges {
		r.printf("%s", e)
	}
	r.printf("}\n")
}

// tree writes the graph as indented text, one image or package a block.
func (g *graph) tree(r *report) {
	r.printf("%s: %s\n", g.file, g.source())
	for _, gi := range g.images {
		r.printf("\nimage %s (%s)\n", gi.img.Name, formatPlatforms(gi))
		if len(gi.img.From) > 0 {
			r.printf("  from: %s\n", strings.Join(gi.img.From, ", "))
		}
		if len(gi.built) > 0 {
			var keys []string
			for _, b := range gi.built {
				keys = append(keys, "package."+b.Key())
			}
			r.printf("  built: %s\n", strings.Join(keys, ", "))
		}
		what := "debian packages"
		if g.lockPath != "" {
			what += " (" + gi.arch
			if len(gi.img.From) > 0 {
				what += ", over " + strings.Join(gi.img.From, ", ")
			}
			what += ")"
		}
		if len(gi.debs) > 0 {
			r.printf("  %s:\n", what)
		}
		for _, d := range gi.debs {
			r.printf("    %s\n", strings.TrimSpace(d.name+" "+d.version))
		}
	}
	for _, p := range g.packages {
		r.printf("\npackage %s\n", strings.TrimSpace(p.Name+" "+p.Version))
		if p.Build != nil {
			var reqs []string
			reqs = append(reqs, p.Build.Requires...)
			for _, b := range p.Build.RequiresBuilt {
				reqs = append(reqs, "package."+b.Key())
			}
			if len(reqs) > 0 {
				r.printf("  build requires: %s\n", strings.Join(reqs, ", "))
			}
		}
		rt := append([]string(nil), p.Runtime...)
		for _, b := range p.RuntimeBuilt {
			rt = append(rt, "package."+b.Key())
		}
		if len(rt) > 0 {
			r.printf("  runtime: %s\n", strings.Join(rt, ", "))
		}
	}
}

func formatPlatforms(gi graphImage) string {
	names := make([]string, len(gi.plats))
	for i, p := range gi.plats {
		names[i] = platforms.FormatAll(p)
	}
	return strings.Join(names, ", ")
}

// subLabel labels an edge to a package with what it is for and, for a
// subpackage, which one: the edge goes to the package's node.
func subLabel(ref definition.PackageRef, what string) string {
	if ref.Sub != "" {
		what = strings.TrimSpace(what + " " + ref.Sub)
	}
	if what == "" {
		return ""
	}
	return "label=" + strconv.Quote(what)
}
