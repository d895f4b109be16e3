package linter

import "github.com/distill-build/distill/definition"

// unpinnedSources finds packages whose build reaches the network: the
// definition refuses http sources without a checksum and git sources
// without a commit, and the lockfile pins Debian sources, so a build step
// that downloads is what can still float. Only packages the linted images
// take (through runtime and requires too) are looked at, each once.
func unpinnedSources(def *definition.Definition, images []*definition.Image, _ Closures) []Warning {
	var out []Warning
	for _, p := range packagesTaken(def, images) {
		if p.Build != nil && p.Build.Network {
			out = append(out, warning(RuleUnpinnedSource.Meta, p.Build.NetworkRange, RuleUnpinnedSource.Format(p.Name)))
		}
	}
	return out
}

// packagesTaken lists the packages built from source for images, with the
// packages they need at run time or in their build sandbox, in the order
// first reached.
func packagesTaken(def *definition.Definition, images []*definition.Image) []*definition.Package {
	var out []*definition.Package
	seen := map[string]bool{}
	var visit func(refs []definition.PackageRef)
	visit = func(refs []definition.PackageRef) {
		for _, r := range refs {
			p := def.Package(r.Name)
			if p == nil || seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			out = append(out, p)
			visit(p.RuntimeBuilt)
			if p.Build != nil {
				visit(p.Build.RequiresBuilt)
			}
		}
	}
	for _, img := range images {
		visit(img.Built)
	}
	return out
}
