package plan

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/distill-build/distill/debian/arch"
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
	// need at run time, dependencies first, with their build sandboxes,
	// then the subpackages they name.
	Built []Output
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
	chain := Lineage(def, img)
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
		builds, err := buildsFor(locks[img.Name], def, img.Built, arch, buildArch(o))
		if err != nil {
			return nil, err
		}
		d.Built = outputs(def, img.Built, builds)
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
	l.LockedAt = a.now.UTC().Truncate(time.Second)
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

// buildsFor takes from lock what building refs takes for one architecture:
// a Build for every package of their build closure, by name, each with its
// sandbox and the Builds it depends on.
func buildsFor(lock *lockfile.Lockfile, def *definition.Definition, refs []definition.PackageRef, arch, buildArch string) (map[string]*Build, error) {
	builds := map[string]*Build{}
	for _, p := range buildClosure(def, refs) {
		b, err := sandbox(lock, def, p, arch, buildArch)
		if err != nil {
			return nil, err
		}
		b.Deps = outputs(def, p.Build.RequiresBuilt, builds)
		b.Runtime = outputs(def, p.RuntimeBuilt, builds)
		builds[p.Name] = b
	}
	return builds, nil
}

// PackageTarget is the package a target names ("package.hello"), or nil
// when the target names an image.
func PackageTarget(def *definition.Definition, target string) (*definition.Package, error) {
	name, ok := strings.CutPrefix(target, "package.")
	if !ok {
		return nil, nil
	}
	if p := def.Package(name); p != nil {
		return p, nil
	}
	var names []string
	for _, p := range def.Packages {
		names = append(names, "package."+p.Name)
	}
	return nil, fmt.Errorf("target %q not found in %s: the packages are %s", target, def.Filename, strings.Join(names, ", "))
}

// PackageBuilds is what building one package takes, per Debian
// architecture, from lock or solved from the verified indexes: for a
// --target package.NAME that exports the package itself.
func PackageBuilds(ctx context.Context, def *definition.Definition, p *definition.Package, plats []ocispecs.Platform, lock *lockfile.Lockfile, o Options) (map[string]*Build, error) {
	refs := []definition.PackageRef{{Name: p.Name, Range: p.DeclRange}}
	if lock == nil {
		a, err := newRepos(def, o)
		if err != nil {
			return nil, err
		}
		lock = lockfile.New()
		for _, q := range buildClosure(def, refs) {
			if err := a.resolveSandbox(ctx, q, plats, lock); err != nil {
				return nil, err
			}
		}
	}
	out := map[string]*Build{}
	for _, arch := range debianArchs(plats) {
		builds, err := buildsFor(lock, def, refs, arch, buildArch(o))
		if err != nil {
			return nil, err
		}
		out[arch] = builds[p.Name]
	}
	return out, nil
}

// buildArch is the build platform's Debian architecture; "" when unknown,
// and then nothing builds cross.
func buildArch(o Options) string {
	if o.BuildPlatform.Architecture == "" {
		return ""
	}
	return arch.ForPlatform(o.BuildPlatform)
}
