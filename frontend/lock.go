package frontend

import (
	"context"
	"fmt"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
)

const (
	// LockOpt asks the frontend to solve every image's packages from the
	// verified indexes and return the lockfile instead of building.
	LockOpt = "distill-lock"
	// LockfileKey is the result metadata key holding that lockfile.
	LockfileKey = "distill.lockfile"
	// LockUpdateOpt, with LockOpt, names the packages to update,
	// comma separated: every other package keeps the version the
	// existing lockfile has, where the archive still has it.
	LockUpdateOpt = "distill-lock-update"
)

// lock solves every image for its platforms (or the requested ones) and
// returns the lockfile: a refresh, ignoring any existing lockfile unless
// LockUpdateOpt names the packages to update.
func lock(ctx context.Context, bc *dockerui.Client, c client.Client, def *definition.Definition, sm *llb.SourceMap, warn func(*hcl.Diagnostic)) (*client.Result, error) {
	opt := planOptions(bc, c, "")
	opt.Warn = warn
	if names, ok := bc.BuildOpts().Opts[LockUpdateOpt]; ok {
		old, err := readLockfile(ctx, c, sm)
		if err != nil {
			return nil, err
		}
		if old == nil {
			return nil, fmt.Errorf("no %s to update: run distill lock first", lockfile.Name(sm.Filename))
		}
		opt.Keep = old.Keep(strings.Split(names, ","))
	}
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
