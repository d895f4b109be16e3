package frontend

import (
	"context"

	"fmt"
	"path"
	"strings"

	"github.com/distill-build/distill/definition"

	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/helper"
	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// readLockfile reads the lockfile next to the definition, from wherever the
// definition came from (a local directory, git, HTTP), or returns nil when
// there is none.
func readLockfile(ctx context.Context, c client.Client, sm *llb.SourceMap) (*lockfile.Lockfile, error) {
	name := lockfile.Name(sm.Filename)
	def, err := sm.State.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	dir := path.Dir(name)
	entries, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: dir, IncludePattern: path.Base(name)})
	if err != nil {
		return nil, fmt.Errorf("looking for %s: %w", name, err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	data, err := ref.ReadFile(ctx, client.ReadRequest{Filename: name})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return lock, nil
}

// currentFrontend is implemented by the gateway client when the build runs
// in a frontend image: its rootfs carries the in-build helper.
type currentFrontend interface {
	CurrentFrontend() (*llb.State, error)
}

// HelperOpt names a frontend option the CLI sets when it runs the frontend
// in-process: the local holding its own static binary, which then serves as
// the in-build helper; HelperPlatformOpt is the platform that binary is for.
const (
	HelperOpt         = "distill-helper"
	HelperPlatformOpt = "distill-helper-platform"
	// HelperBuildIDOpt is the Go build ID of the CLI's binary: a worker
	// that serves the same binary (helper.WorkerLabel) gives it to the
	// build, and nothing is uploaded.
	HelperBuildIDOpt = "distill-helper-buildid"
)

// inBuildHelper finds the in-build helper: the frontend image itself, or the
// binary the CLI uploaded.
func inBuildHelper(bc *dockerui.Client, c client.Client, buildPlatform ocispecs.Platform) (*distill2llb.Helper, error) {
	if local, ok := bc.BuildOpts().Opts[HelperOpt]; ok {
		dir, file := path.Split(local)
		src, from := daemonHelper(bc)
		if from == "" {
			src = llb.Local(strings.TrimSuffix(dir, "/"), llb.SessionID(bc.BuildOpts().SessionID),
				llb.FollowPaths([]string{file}), llb.SharedKeyHint(HelperOpt), llb.WithCustomName("load the distill helper"))
			from = file
		}
		// A local's cache key is unique to the build, and an exec's rootfs
		// is keyed by its input's key; a copy is keyed by content, so the
		// execs that run the helper stay cached from build to build, and
		// are the same whichever way the helper came.
		st := llb.Scratch().File(llb.Copy(src, from, "/"+file), llb.WithCustomName("copy the distill helper"))
		p := buildPlatform
		if s, ok := bc.BuildOpts().Opts[HelperPlatformOpt]; ok {
			// The CLI's linux/GOARCH, normalized as the build platforms
			// are: a cross build's sandbox runs there too, so it must be a
			// platform Debian has packages for.
			var err error
			if p, err = definition.ParsePlatform(s); err != nil {
				return nil, fmt.Errorf("%s=%q: %w", HelperPlatformOpt, s, err)
			}
		}
		return &distill2llb.Helper{State: st, Path: "/" + file, Platform: p}, nil
	}
	if cf, ok := c.(currentFrontend); ok {
		st, err := cf.CurrentFrontend()
		if err == nil && st == nil {
			err = fmt.Errorf("BuildKit did not say which image this frontend runs from")
		}
		if err != nil {
			return nil, fmt.Errorf("the frontend image is needed to unpack packages: %w", err)
		}
		return &distill2llb.Helper{State: *st, Path: HelperPath, Platform: buildPlatform}, nil
	}
	return nil, fmt.Errorf("installing packages needs the distill frontend image (or the distill CLI): this gateway client offers neither")
}

// HelperPath is where the frontend image keeps its binary (see Dockerfile).
const HelperPath = "/bin/distill-frontend"

// daemonHelper is the in-build helper as a daemon built into distill serves
// it, and its path there, when a worker serves the very build of the CLI's
// binary (HelperBuildIDOpt); from is empty otherwise, and the CLI's upload
// is used.
func daemonHelper(bc *dockerui.Client) (src llb.State, from string) {
	id := bc.BuildOpts().Opts[HelperBuildIDOpt]
	if id == "" {
		return llb.State{}, ""
	}
	for _, w := range bc.BuildOpts().Workers {
		if w.Labels[helper.WorkerLabel] == id {
			var c llb.Constraints
			llb.WithCustomName("the distill helper, from the daemon").SetConstraintsOption(&c)
			return llb.NewState(llb.NewSource(helper.SourceScheme+"://"+id, nil, c).Output()), helper.DaemonPath
		}
	}
	return llb.State{}, ""
}
