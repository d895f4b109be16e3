package frontend

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// debs answers --target package.NAME: the package as a .deb per platform,
// for a local or tar export (-o type=local,dest=out), laid out per platform
// as BuildKit lays out multi-platform local exports.
func debs(ctx context.Context, bc *dockerui.Client, c client.Client, def *definition.Definition, pkg *definition.Package, sm *llb.SourceMap) (*client.Result, error) {
	plats, err := plan.Requested(bc.TargetPlatforms)
	if err != nil {
		return nil, err
	}
	if len(plats) == 0 {
		plats = []ocispecs.Platform{bc.BuildPlatforms[0]}
	}
	lock, err := readLockfile(ctx, c, sm)
	if err != nil {
		return nil, err
	}
	builds, err := plan.PackageBuilds(ctx, def, pkg, plats, lock, planOptions(bc, c, "package."+pkg.Name))
	if err != nil {
		return nil, err
	}
	h, err := inBuildHelper(bc, c, bc.BuildPlatforms[0])
	if err != nil {
		return nil, err
	}
	_, named, err := contexts(ctx, bc, nil, plan.PackagesToBuild(def, []definition.PackageRef{{Name: pkg.Name}}))
	if err != nil {
		return nil, err
	}
	epoch, err := sourceDateEpoch(bc.BuildArgs)
	if err != nil {
		return nil, err
	}
	res := client.NewResult()
	var exp exptypes.Platforms
	for _, p := range plats {
		st, err := distill2llb.Deb(builds[arch.ForPlatform(p)], distill2llb.Options{Platform: p, Epoch: epoch, Contexts: named, SourceMap: sm, Helper: h})
		if err != nil {
			return nil, err
		}
		cons := []llb.ConstraintsOpt{llb.Platform(p)}
		if bc.IsNoCache("package." + pkg.Name) {
			cons = append(cons, llb.IgnoreCache)
		}
		dt, err := st.Marshal(ctx, cons...)
		if err != nil {
			return nil, fmt.Errorf("marshalling LLB for package %s: %w", pkg.Name, err)
		}
		// Lazy, unlike an image's solve: platforms here are solved one after
		// another, and evaluating would serialize their builds.
		r, err := c.Solve(ctx, client.SolveRequest{Definition: dt.ToPB(), CacheImports: bc.CacheImports})
		if err != nil {
			return nil, err
		}
		ref, err := r.SingleRef()
		if err != nil {
			return nil, err
		}
		if len(plats) == 1 {
			res.SetRef(ref)
			return res, nil
		}
		id := platforms.FormatAll(p)
		res.AddRef(id, ref)
		exp.Platforms = append(exp.Platforms, exptypes.Platform{ID: id, Platform: p})
	}
	dt, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return res, nil
}
