package frontend

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/distill-build/distill/lockfile"
	"golang.org/x/sync/errgroup"

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
	// Each platform's .deb is solved here, concurrently, so that a locked
	// file the mirror dropped is fetched from the snapshot (see solveMoving).
	refs := make([]client.Reference, len(plats))
	eg, ectx := errgroup.WithContext(ctx)
	for i, p := range plats {
		eg.Go(func() error {
			cons := []llb.ConstraintsOpt{llb.Platform(p)}
			if bc.IsNoCache("package." + pkg.Name) {
				cons = append(cons, llb.IgnoreCache)
			}
			r, err := solveMoving(ectx, c, def, lock, lockfile.Name(sm.Filename), client.SolveRequest{CacheImports: bc.CacheImports}, func(moved map[string]string) (*llb.Definition, error) {
				st, err := distill2llb.Deb(builds[arch.ForPlatform(p)], distill2llb.Options{Platform: p, Epoch: epoch, Contexts: named, SourceMap: sm, Helper: h, Moved: moved})
				if err != nil {
					return nil, err
				}
				dt, err := st.Marshal(ectx, cons...)
				if err != nil {
					return nil, fmt.Errorf("marshalling LLB for package %s: %w", pkg.Name, err)
				}
				return dt, nil
			})
			if err != nil {
				return err
			}
			refs[i], err = r.SingleRef()
			return err
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	res := client.NewResult()
	if len(plats) == 1 {
		res.SetRef(refs[0])
		return res, nil
	}
	var exp exptypes.Platforms
	for i, p := range plats {
		id := platforms.FormatAll(p)
		res.AddRef(id, refs[i])
		exp.Platforms = append(exp.Platforms, exptypes.Platform{ID: id, Platform: p})
	}
	dt, err := json.Marshal(exp)
	if err != nil {
		return nil, err
	}
	res.AddMeta(exptypes.ExporterPlatformsKey, dt)
	return res, nil
}
