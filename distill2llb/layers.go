package distill2llb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
)

// LayerKind says what a layer of an image holds.
type LayerKind string

// The kinds of layer, in the order an image stacks them.
const (
	LayerPackage        LayerKind = "package"          // one Debian package
	LayerMerged         LayerKind = "merged"           // Debian packages the layer budget put in one layer
	LayerCABundle       LayerKind = "ca-bundle"        // /etc/ssl/certs/ca-certificates.crt
	LayerJavaTrustStore LayerKind = "java-trust-store" // /etc/ssl/certs/java/cacerts
	LayerBuilt          LayerKind = "built"            // a package built from source
	LayerFiles          LayerKind = "files"            // the image's declared files
)

// Layer is one layer of an image, described without LLB.
type Layer struct {
	Kind LayerKind
	// Packages are the Debian packages the layer holds, in package order:
	// one, or more when merged.
	Packages []plan.Package
	// Built is the package built from source a LayerBuilt holds.
	Built *plan.Output
	// Name is what the layer's entry in the image config's history calls
	// it: "package base-files 12.4+deb12u5 (amd64)", "files of image
	// static".
	Name string

	debs []int // indexes of Packages in the image's groups, flattened
}

// History is the layer's entry in the image config's history.
func (l Layer) History() string { return "distill: " + l.Name }

// Layout is an image's layers for one platform, bottom first.
type Layout struct {
	Layers []Layer
	// Budget is the image's layer budget; debBudget the part of it left to
	// Debian packages once the other layers are counted.
	Budget    int
	debBudget int
}

// Layers decides an image's layers for one platform from its planned
// packages, LLB aside: Image stacks exactly these, and the outline
// subrequest shows them, so the two cannot disagree about what the layer
// budget merged. The budget too small for the layers that are never merged
// is a diagnostic at layer_budget.
func Layers(img *definition.Image, d plan.Debs) (Layout, error) {
	all, order := packageOrder(d.Groups)
	ca := d.CA != nil && img.CACertificates
	java := d.CA != nil && img.JavaCACerts
	others := len(d.Built) // the layers no budget merges
	for _, yes := range []bool{ca, java, len(img.Entries) > 0} {
		if yes {
			others++
		}
	}
	budget := img.Budget()
	if len(all) > 0 && budget-others < 1 || len(all) == 0 && budget < others {
		r := img.AttrRange(definition.AttrLayerBudget)
		return Layout{}, &hcl.Diagnostic{Severity: hcl.DiagError, Subject: &r, Summary: "Layer budget too small",
			Detail: fmt.Sprintf("Image %s needs %d layers besides those of its Debian packages (one per package built from source, the CA files, its files), and its layer_budget is %d: raise it.", img.Name, others, budget)}
	}
	l := Layout{Budget: budget, debBudget: budget - others}
	sorted := make([]plan.Package, len(order))
	for i, k := range order {
		sorted[i] = all[k]
	}
	for _, unit := range mergePlan(sorted, l.debBudget) {
		layer := Layer{Kind: LayerPackage}
		for _, i := range unit {
			layer.Packages = append(layer.Packages, sorted[i])
			layer.debs = append(layer.debs, order[i])
		}
		if len(unit) == 1 {
			p := layer.Packages[0]
			layer.Name = fmt.Sprintf("package %s %s (%s)", p.Name, p.Version, p.Architecture)
		} else {
			names := make([]string, len(unit))
			for i, p := range layer.Packages {
				names[i] = p.Name + " " + p.Version
			}
			layer.Kind = LayerMerged
			layer.Name = fmt.Sprintf("packages %s (one layer, for the layer budget of %d)", strings.Join(names, ", "), l.debBudget)
		}
		l.Layers = append(l.Layers, layer)
	}
	if ca {
		l.Layers = append(l.Layers, Layer{Kind: LayerCABundle, Name: fmt.Sprintf("CA bundle from %s %s", d.CA.Name, d.CA.Version)})
	}
	if java {
		l.Layers = append(l.Layers, Layer{Kind: LayerJavaTrustStore, Name: fmt.Sprintf("Java trust store from %s %s", d.CA.Name, d.CA.Version)})
	}
	for _, b := range d.Built {
		l.Layers = append(l.Layers, Layer{Kind: LayerBuilt, Built: &b,
			Name: fmt.Sprintf("package %s %s built from source", b.Name(), b.Build.Package.Version)})
	}
	if len(img.Entries) > 0 {
		l.Layers = append(l.Layers, Layer{Kind: LayerFiles, Name: "files of image " + img.Name})
	}
	return l, nil
}

// packageOrder flattens an image's package groups and orders them by
// package: the layers are in that order whatever the groups, so an image's
// digest depends on its packages alone, not on how they were grouped (which
// follows other images' lock entries). order holds indexes into all.
func packageOrder(groups [][]plan.Package) (all []plan.Package, order []int) {
	for _, g := range groups {
		all = append(all, g...)
	}
	order = make([]int, len(all))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return packageLess(all[order[i]], all[order[j]]) })
	return all, order
}
