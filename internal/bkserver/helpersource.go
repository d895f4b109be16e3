package bkserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/distill-build/distill/helper"
	"github.com/moby/buildkit/cache"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/snapshot"
	"github.com/moby/buildkit/solver"
	"github.com/moby/buildkit/solver/llbsolver/provenance"
	provenancetypes "github.com/moby/buildkit/solver/llbsolver/provenance/types"
	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/source"
	digest "github.com/opencontainers/go-digest"
)

// selfExe is this process's binary, even once the file it was started from
// is replaced (an upgrade while the daemon runs): the bytes its build ID
// names.
const selfExe = "/proc/self/exe"

// helperSource serves the daemon's own binary, which is distill's, as the
// in-build helper (helper.SourceScheme): a CLI of the same build then
// uploads nothing, where it would otherwise upload its whole binary on a
// cold build.
type helperSource struct {
	cm      cache.Accessor
	buildID string // of selfExe
}

func (s *helperSource) Schemes() []string { return []string{helper.SourceScheme} }

func (s *helperSource) Identifier(_, ref string, _ map[string]string, _ *pb.Platform) (source.Identifier, error) {
	if ref != s.buildID {
		return nil, fmt.Errorf("this daemon serves the distill helper of build %s, not %s", s.buildID, ref)
	}
	return helperID(ref), nil
}

func (s *helperSource) Resolve(_ context.Context, id source.Identifier, _ *session.Manager, _ solver.Vertex) (source.SourceInstance, error) {
	return &helperInstance{src: s, id: id.(helperID)}, nil
}

// helperID is a build ID the daemon serves.
type helperID string

func (id helperID) String() string { return helper.SourceScheme + "://" + string(id) }
func (id helperID) Scheme() string { return helper.SourceScheme }

// Capture records the helper as the uploaded one is recorded, a local
// named after it, so provenance does not depend on how it arrived.
func (id helperID) Capture(c *provenance.Capture, _ string) error {
	c.AddLocal(provenancetypes.LocalSource{Name: helper.SourceScheme})
	return nil
}

type helperInstance struct {
	src *helperSource
	id  helperID
}

// CacheKey is the build ID's: the same binary gives the same snapshot, and
// BuildKit keeps it from build to build.
func (i *helperInstance) CacheKey(context.Context, solver.JobContext, int) (string, string, solver.CacheOpts, bool, error) {
	return digest.FromString(i.id.String()).String(), string(i.id), nil, true, nil
}

// Snapshot copies the binary into a new snapshot as helper.DaemonPath.
func (i *helperInstance) Snapshot(ctx context.Context, _ solver.JobContext) (_ cache.ImmutableRef, err error) {
	ref, err := i.src.cm.New(ctx, nil, nil, cache.CachePolicyRetain, cache.WithDescription("the distill helper, from the daemon's binary"))
	if err != nil {
		return nil, fmt.Errorf("a snapshot for the distill helper: %w", err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, ref.Release(context.WithoutCancel(ctx)))
		}
	}()
	m, err := ref.Mount(ctx, false, nil)
	if err != nil {
		return nil, fmt.Errorf("mounting the distill helper's snapshot: %w", err)
	}
	lm := snapshot.LocalMounter(m)
	dir, err := lm.Mount()
	if err != nil {
		return nil, fmt.Errorf("mounting the distill helper's snapshot: %w", err)
	}
	err = copyExe(filepath.Join(dir, helper.DaemonPath))
	if uerr := lm.Unmount(); err == nil {
		err = uerr
	}
	if err != nil {
		return nil, fmt.Errorf("copying the daemon's binary as the distill helper: %w", err)
	}
	return ref.Commit(ctx)
}

// copyExe writes this process's binary to dst, executable.
func copyExe(dst string) error {
	in, err := os.Open(selfExe)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close())
	}
	return out.Close()
}
