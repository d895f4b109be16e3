package plan

import (
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
)

// Lineage is the image and the images it extends through the first image
// of each from, root first: static, base-nossl, base, cc, python3.
func Lineage(def *definition.Definition, img *definition.Image) []*definition.Image {
	chain := []*definition.Image{img}
	for cur := img; len(cur.From) > 0; {
		cur = def.Image(cur.From[0])
		if cur == nil || len(chain) > len(def.Images) {
			break // cannot happen after definition.Parse; stay finite anyway
		}
		chain = append([]*definition.Image{cur}, chain...)
	}
	return chain
}

// packageGroups splits an image's closure into the groups of packages that
// are unpacked by one helper run each: the closure of the root of its
// lineage, then what each image down the lineage adds, then the rest. An
// image shares its groups with the images it extends, so building several
// of them (base, cc, python3) unpacks each shared package once, while one
// run per group rather than per package saves a container start for each
// package. closure gives an ancestor's packages, or false when they are not
// known (no lockfile entry, say): the image's own packages then start a
// group of their own.
func packageGroups(lineage []*definition.Image, own []lockfile.LockedPackage, closure func(*definition.Image) ([]lockfile.LockedPackage, bool)) [][]lockfile.LockedPackage {
	// A package is its .deb: the same bytes unpack the same.
	want := map[string]bool{}
	for _, p := range own {
		want[p.SHA256] = true
	}
	var groups [][]lockfile.LockedPackage
	taken := map[string]bool{}
	for _, anc := range lineage[:len(lineage)-1] {
		pkgs, ok := closure(anc)
		if !ok {
			break
		}
		// Each group must be the same whichever image down the lineage
		// asks: what this ancestor adds to the one before it, all of it
		// in the image, and the ancestor keeping everything before it.
		var group []lockfile.LockedPackage
		kept := 0
		usable := true
		for _, p := range pkgs {
			switch {
			case taken[p.SHA256]:
				kept++
			case want[p.SHA256]:
				group = append(group, p)
			default:
				usable = false
			}
		}
		if !usable || kept != len(taken) {
			break
		}
		if len(group) > 0 {
			groups = append(groups, group)
			for _, p := range group {
				taken[p.SHA256] = true
			}
		}
	}
	var rest []lockfile.LockedPackage
	for _, p := range own {
		if !taken[p.SHA256] {
			rest = append(rest, p)
		}
	}
	if len(rest) > 0 {
		groups = append(groups, rest)
	}
	return groups
}
