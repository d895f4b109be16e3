package plan

import (
	"context"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Package is one .deb to install and where to fetch it.
type Package struct {
	lockfile.LockedPackage
	URL string // the repository's base URL
}

// Debs are an image's .debs for one Debian architecture.
type Debs struct {
	Groups [][]Package // see packageGroups
	CA     *Package    // the source of the CA bundle, when asked for
	// Built are the image's packages built from source and those they
	// need at run time, dependencies first, with their build sandboxes.
	Built []*Build
}

// Packages returns the image's packages per Debian architecture: from lock
// when there is one (no index is fetched), else solved from the verified
// indexes. The images it extends are looked up too, to group the packages
// as theirs are. def is lowered (see Lower); an image that takes nothing
// from an archive has none.
func Packages(ctx context.Context, def *definition.Definition, img *definition.Image, plats []ocispecs.Platform, lock *lockfile.Lockfile, o Options) (map[string]Debs, error) {
	if !img.NeedsArchive() {
		return nil, nil
	}
	chain := lineage(def, img)
	locks := map[string]*lockfile.Lockfile{} // where each image of the lineage is locked
	var a *repos
	for i := len(chain) - 1; i >= 0; i-- {
		anc := chain[i]
		if lock != nil {
			locks[anc.Name] = lock
			continue
		}
		if !anc.NeedsArchive() {
			continue // nothing to solve; its closure is empty
		}
		if a == nil {
			var err error
			if a, err = newRepos(def, o); err != nil {
				return nil, err
			}
		}
		l := lockfile.New()
		if err := a.resolve(ctx, anc, plats, l); err != nil {
			if anc == img {
				return nil, err
			}
			break // the groups stop below this ancestor
		}
		if anc == img {
			if err := a.resolveSandboxes(ctx, img, plats, l); err != nil {
				return nil, err
			}
		}
		locks[anc.Name] = l
	}
	out := map[string]Debs{}
	for _, arch := range debianArchs(plats) {
		pkgs, ca, err := imagePackages(locks[img.Name], def, img, arch)
		if err != nil {
			return nil, err
		}
		closure := func(anc *definition.Image) ([]lockfile.LockedPackage, bool) {
			if !anc.NeedsArchive() {
				return nil, true
			}
			l := locks[anc.Name]
			if l == nil {
				return nil, false
			}
			p, _, err := imagePackages(l, def, anc, arch)
			return p, err == nil
		}
		var d Debs
		for _, g := range packageGroups(chain, pkgs, closure) {
			withURL, err := withURLs(def, g)
			if err != nil {
				return nil, err
			}
			d.Groups = append(d.Groups, withURL)
		}
		if ca != nil {
			c, err := withURLs(def, []lockfile.LockedPackage{*ca})
			if err != nil {
				return nil, err
			}
			d.CA = &c[0]
		}
		builds := map[string]*Build{}
		for _, p := range buildClosure(def, img.Built) {
			b, err := sandbox(locks[img.Name], def, p, arch)
			if err != nil {
				return nil, err
			}
			for _, dep := range runtimeClosure(def, p.Build.RequiresBuilt) {
				b.Deps = append(b.Deps, builds[dep.Name])
			}
			for _, dep := range runtimeClosure(def, p.RuntimeBuilt) {
				b.Runtime = append(b.Runtime, builds[dep.Name])
			}
			builds[p.Name] = b
		}
		for _, p := range runtimeClosure(def, img.Built) {
			d.Built = append(d.Built, builds[p.Name])
		}
		out[arch] = d
	}
	return out, nil
}

// Lock solves every image that takes packages for its platforms (see
// Platforms) against the verified indexes and returns the lockfile: a
// refresh, whatever lock there was before. def is lowered (see Lower).
func Lock(ctx context.Context, def *definition.Definition, requested []ocispecs.Platform, fallback ocispecs.Platform, o Options) (*lockfile.Lockfile, error) {
	a, err := newRepos(def, o)
	if err != nil {
		return nil, err
	}
	l := lockfile.New()
	for _, img := range def.Images {
		if !img.NeedsArchive() {
			continue
		}
		plats, err := Platforms(img, requested, fallback)
		if err != nil {
			return nil, err
		}
		if err := a.resolve(ctx, img, plats, l); err != nil {
			return nil, err
		}
		if err := a.resolveSandboxes(ctx, img, plats, l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// resolveSandboxes solves, into lock, the build sandboxes of the packages
// an image builds from source and of every package those need.
func (a *repos) resolveSandboxes(ctx context.Context, img *definition.Image, plats []ocispecs.Platform, lock *lockfile.Lockfile) error {
	for _, p := range buildClosure(a.def, img.Built) {
		if err := a.resolveSandbox(ctx, p, plats, lock); err != nil {
			return err
		}
	}
	return nil
}
