package frontend

import (
	"context"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	// LockOpt asks the frontend to solve every image's packages from the
	// verified indexes and return the lockfile instead of building.
	LockOpt = "distill-lock"
	// LockfileKey is the result metadata key holding that lockfile.
	LockfileKey = "distill.lockfile"
)

// lock solves every image for its platforms (or the requested ones) and
// returns the lockfile, ignoring any existing one: a refresh.
func lock(ctx context.Context, bc *dockerui.Client, c client.Client, def *definition.Definition) (*client.Result, error) {
	a, err := newRepos(c, def, bc.IsNoCache(""))
	if err != nil {
		return nil, err
	}
	l := lockfile.NewLockfile()
	for _, img := range def.Images {
		if !img.NeedsArchive() {
			continue
		}
		plats := bc.TargetPlatforms
		if len(plats) == 0 {
			plats = img.Platforms
		}
		if len(plats) == 0 {
			plats = []ocispecs.Platform{bc.BuildPlatforms[0]}
		}
		if err := a.resolve(ctx, img, plats, l); err != nil {
			return nil, err
		}
	}
	dt, err := l.Marshal()
	if err != nil {
		return nil, err
	}
	res := client.NewResult()
	res.AddMeta(LockfileKey, dt)
	return res, nil
}
