package frontend

import (
	"context"
	"fmt"
	"slices"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/frontend/dockerui"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// baseOverride finds the image that a named context replaces as img's
// base, as `--build-context NAME=…` replaces a Dockerfile's FROM NAME: the
// nearest of the images img extends, through the first one each extends,
// that the build names a context after. None: nil.
func baseOverride(bc *dockerui.Client, def *definition.Definition, img *definition.Image) (*definition.Image, error) {
	chain := plan.Lineage(def, img) // root first, img last
	for i := len(chain) - 2; i >= 0; i-- {
		nc, err := bc.NamedContext(chain[i].Name, dockerui.ContextOpt{})
		if err != nil {
			return nil, fmt.Errorf("the build context %q, for image %s's base: %w", chain[i].Name, img.Name, err)
		}
		if nc != nil {
			return chain[i], nil
		}
	}
	return nil, nil
}

// loadBase loads the named context that replaces base, for platform p:
// its state, and the history of its image config when it has one.
func loadBase(ctx context.Context, bc *dockerui.Client, base *definition.Image, p ocispecs.Platform) (*distill2llb.BaseImage, error) {
	nc, err := bc.NamedContext(base.Name, dockerui.ContextOpt{Platform: &p})
	if err != nil || nc == nil {
		return nil, fmt.Errorf("the build context %q, replacing image %s: %w", base.Name, base.Name, err)
	}
	st, img, err := nc.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the build context %q, replacing image %s: %w", base.Name, base.Name, err)
	}
	if st == nil {
		return nil, fmt.Errorf("the build context %q, replacing image %s, is empty", base.Name, base.Name)
	}
	out := &distill2llb.BaseImage{State: *st}
	if img != nil {
		out.History = slices.Clone(img.History)
	}
	return out, nil
}

// withoutBase is what an image holds beyond the image it is built on: its
// Debian packages (known by their .deb, as packageGroups knows them) and
// packages built from source that base does not have. The CA files stay:
// they are made from the image's own package set.
func withoutBase(img, base plan.Debs) plan.Debs {
	have := map[string]bool{}
	for _, g := range base.Groups {
		for _, p := range g {
			have[p.SHA256] = true
		}
	}
	built := map[string]bool{}
	for _, o := range base.Built {
		built[o.Name()+" "+o.Build.Package.Version] = true
	}
	out := plan.Debs{CA: img.CA}
	for _, g := range img.Groups {
		var keep []plan.Package
		for _, p := range g {
			if !have[p.SHA256] {
				keep = append(keep, p)
			}
		}
		if len(keep) > 0 {
			out.Groups = append(out.Groups, keep)
		}
	}
	for _, o := range img.Built {
		if !built[o.Name()+" "+o.Build.Package.Version] {
			out.Built = append(out.Built, o)
		}
	}
	return out
}
