package distill2llb

import (
	"fmt"
	"strings"

	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
)

// fitBudget merges package layers until there are at most budget of them.
// One layer per package makes an update cheap to pull, but Docker refuses
// images deeper than about 125 layers. What is merged first changes
// together anyway: the packages of one source package (libc6 and libc-bin,
// or gcc's runtime libraries), which Debian always updates at once. Then,
// from the front, the packages every image of the lineage starts with
// (base-files, libc), before the leaf libraries an application adds. The
// choice depends on the package list alone, so digests stay reproducible.
// Each package's status.d record is kept, so scanners still list it.
func fitBudget(image string, pkgs []plan.Package, layers []llb.State, history []string, budget int) ([]llb.State, []string) {
	if len(pkgs) <= budget {
		return layers, history
	}
	units := mergePlan(pkgs, budget)
	outLayers := make([]llb.State, 0, len(units))
	outHistory := make([]string, 0, len(units))
	for _, u := range units {
		if len(u) == 1 {
			outLayers, outHistory = append(outLayers, layers[u[0]]), append(outHistory, history[u[0]])
			continue
		}
		var c chain
		names := make([]string, len(u))
		for i, m := range u {
			c.copy(layers[m], "/", "/", &llb.CopyInfo{CopyDirContentsOnly: true})
			names[i] = pkgs[m].Name + " " + pkgs[m].Version
		}
		outLayers = append(outLayers, llb.Scratch().File(c.fa,
			llb.WithCustomNamef("[%s] one layer for %d packages (layer budget %d)", image, len(u), budget)))
		outHistory = append(outHistory, fmt.Sprintf("distill: packages %s (one layer, for the layer budget of %d)", strings.Join(names, ", "), budget))
	}
	return outLayers, outHistory
}

// mergePlan groups package indexes into at most budget units, each in
// package order, first by source package, then from the front.
func mergePlan(pkgs []plan.Package, budget int) [][]int {
	units := make([][]int, 0, len(pkgs))
	unitOf := map[string]int{} // source package → its unit
	count := map[string]int{}
	for _, p := range pkgs {
		count[sourceOf(p)]++
	}
	excess := len(pkgs) - budget
	for i, p := range pkgs {
		src := sourceOf(p)
		if u, ok := unitOf[src]; ok && excess > 0 {
			units[u] = append(units[u], i)
			excess--
			continue
		}
		if count[src] > 1 {
			unitOf[src] = len(units)
		}
		units = append(units, []int{i})
	}
	if excess > 0 {
		first := excess + 1
		var front []int
		for _, u := range units[:first] {
			front = append(front, u...)
		}
		units = append([][]int{front}, units[first:]...)
	}
	return units
}

func sourceOf(p plan.Package) string {
	if p.Source != "" {
		return p.Source
	}
	return p.Name
}
