package frontend

import (
	"context"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
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
func lock(ctx context.Context, bc *dockerui.Client, c client.Client, def *definition.Definition, warn func(*hcl.Diagnostic)) (*client.Result, error) {
	opt := planOptions(bc, c, "")
	opt.Warn = warn
	l, err := plan.Lock(ctx, def, bc.TargetPlatforms, bc.BuildPlatforms[0], opt)
	if err != nil {
		return nil, err
	}
	dt, err := l.Marshal()
	if err != nil {
		return nil, err
	}
	res := client.NewResult()
	res.AddMeta(LockfileKey, dt)
	return res, nil
}
