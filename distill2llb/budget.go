package distill2llb

import (
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
)

// mergePlan groups package indexes into at most budget units, each in
// package order. One layer per package makes an update cheap to pull, but
// Docker refuses images deeper than about 125 layers. What is merged first
// changes together anyway: the packages of one source package (libc6 and
// libc-bin, or gcc's runtime libraries), which Debian always updates at
// once. Then, from the front, the packages every image of the lineage
// starts with (base-files, libc), before the leaf libraries an application
// adds. The choice depends on the package list alone, so digests stay
// reproducible. Each package's status.d record is kept, so scanners still
// list it.
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

// mergedLayer is one layer of the packages the budget merged: their
// unpacked layers (debs, by index in the image's groups) copied together.
func mergedLayer(image string, l Layer, debs []llb.State, budget int) llb.State {
	var c chain
	for _, i := range l.debs {
		c.copy(debs[i], "/", "/", &llb.CopyInfo{CopyDirContentsOnly: true})
	}
	return llb.Scratch().File(c.fa, llb.WithCustomNamef("[%s] one layer for %d packages (layer budget %d)", image, len(l.debs), budget))
}
