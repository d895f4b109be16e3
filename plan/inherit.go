package plan

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/distill-build/distill/definition"

	"github.com/hashicorp/hcl/v2"
)

// inherit applies `from`: an image starts as a copy of the images it extends
// (later ones winning) and overrides what it sets itself. Lists of packages concatenate, maps
// (env, labels, annotations) and entries merge with the child winning.
func inherit(images []*definition.Image) hcl.Diagnostics {
	byName := map[string]*definition.Image{}
	for _, img := range images {
		byName[img.Name] = img
	}
	done := map[string]bool{} // resolved: true, or failed: false
	var diags hcl.Diagnostics
	var resolve func(img *definition.Image, chain []string) bool
	resolve = func(img *definition.Image, chain []string) bool {
		if ok, seen := done[img.Name]; seen {
			return ok
		}
		if len(img.From) == 0 {
			done[img.Name] = true
			return true
		}
		if slices.Contains(chain, img.Name) {
			diags = append(diags, errorAt(img.AttrRange(definition.AttrFrom), "Image inheritance cycle",
				fmt.Sprintf("%s extends itself: %s.", img.Name, joinChain(append(chain, img.Name)))))
			return false
		}
		var parents []*definition.Image
		for _, name := range img.From {
			parent, ok := byName[name]
			if !ok {
				diags = append(diags, errorAt(img.AttrRange(definition.AttrFrom), "Unknown image",
					fmt.Sprintf("There is no image named %q.", name)))
				done[img.Name] = false
				return false
			}
			if !resolve(parent, append(chain, img.Name)) {
				done[img.Name] = false
				return false
			}
			parents = append(parents, parent)
		}
		// merge fills only what is still unset, so the last parent goes
		// first: later parents win over earlier ones, the image over all.
		for i := len(parents) - 1; i >= 0; i-- {
			merge(img, parents[i])
		}
		diags = append(diags, definition.CheckAncestors(img.Entries)...)
		done[img.Name] = true
		return true
	}
	for _, img := range images {
		resolve(img, nil)
	}
	return diags
}

func merge(img, parent *definition.Image) {
	set := func(a definition.Attr) bool { _, ok := img.Attrs[a]; return ok }
	if !set(definition.AttrPlatforms) {
		img.Platforms = parent.Platforms
	}
	if !set(definition.AttrEntrypoint) {
		img.Entrypoint = parent.Entrypoint
	}
	if !set(definition.AttrCmd) {
		img.Cmd = parent.Cmd
	}
	if !set(definition.AttrWorkdir) {
		img.Workdir = parent.Workdir
	}
	if !set(definition.AttrUser) && !set(definition.AttrRunAs) {
		img.User = parent.User
	}
	img.Accounts = mergeAccounts(parent.Accounts, img.Accounts, set(definition.AttrUser) || set(definition.AttrRunAs))
	if !set(definition.AttrCACertificates) {
		img.CACertificates = parent.CACertificates
	}
	if !set(definition.AttrJavaCACerts) {
		img.JavaCACerts = parent.JavaCACerts
	}
	if !set(definition.AttrLayerBudget) {
		img.LayerBudget = parent.LayerBudget
	}
	if !set(definition.AttrDescription) {
		img.Description = parent.Description
	}
	img.Labels = mergeMaps(parent.Labels, img.Labels)
	img.Annotations = mergeMaps(parent.Annotations, img.Annotations)

	env := map[string]string{}
	for _, e := range parent.Env {
		env[e.Name] = e.Value
	}
	for _, e := range img.Env {
		env[e.Name] = e.Value
	}
	img.Env = img.Env[:0]
	for _, k := range slices.Sorted(maps.Keys(env)) {
		img.Env = append(img.Env, definition.EnvVar{Name: k, Value: env[k]})
	}

	img.Packages = appendNew(slices.Clone(parent.Packages), img.Packages)
	img.Built = mergeByName(parent.Built, img.Built, func(r definition.PackageRef) string { return r.Key() })
	img.Exclude = appendNew(slices.Clone(parent.Exclude), img.Exclude)

	own := map[string]bool{}
	for _, e := range img.Entries {
		own[e.Path] = true
	}
	for _, e := range parent.Entries {
		if !own[e.Path] {
			img.Entries = append(img.Entries, e)
		}
	}
	sort.Slice(img.Entries, func(i, j int) bool { return img.Entries[i].Path < img.Entries[j].Path })

	// Inherited attributes keep their ranges, so errors about them point at
	// the parent's lines.
	for k, r := range parent.Attrs {
		if !set(k) {
			img.Attrs[k] = r
		}
	}
}

func mergeMaps(parent, child map[string]string) map[string]string {
	if len(parent) == 0 {
		return child
	}
	out := maps.Clone(parent)
	maps.Copy(out, child)
	return out
}

func appendNew(list, more []string) []string {
	for _, s := range more {
		if !slices.Contains(list, s) {
			list = append(list, s)
		}
	}
	return list
}

func joinChain(names []string) string {
	s := names[0]
	for _, n := range names[1:] {
		s += " -> " + n
	}
	return s
}

// mergeAccounts combines a parent's accounts with the image's own: users and
// groups merge by name with the image's winning, the parent's order first.
// The parent's run_as carries over unless the image says who it runs as
// (ownUser: it sets user or run_as itself). The result is a new value.
func mergeAccounts(parent, own *definition.Accounts, ownUser bool) *definition.Accounts {
	if parent == nil && own == nil {
		return nil
	}
	out := &definition.Accounts{}
	if own != nil {
		*out = *own
	} else {
		out.Range = parent.Range
	}
	if parent == nil {
		return out
	}
	var users []*definition.User
	var groups []*definition.Group
	if own != nil {
		users, groups = own.Users, own.Groups
	}
	out.Users = mergeByName(parent.Users, users, func(u *definition.User) string { return u.Name })
	out.Groups = mergeByName(parent.Groups, groups, func(g *definition.Group) string { return g.Name })
	if !ownUser {
		out.RunAs, out.RunAsRange = parent.RunAs, parent.RunAsRange
	}
	return out
}

func mergeByName[T any](parent, own []T, name func(T) string) []T {
	out := make([]T, 0, len(parent)+len(own))
	for _, p := range parent {
		if i := slices.IndexFunc(own, func(o T) bool { return name(o) == name(p) }); i >= 0 {
			p = own[i]
		}
		out = append(out, p)
	}
	for _, o := range own {
		if !slices.ContainsFunc(out, func(x T) bool { return name(x) == name(o) }) {
			out = append(out, o)
		}
	}
	return out
}
