package frontend

import (
	"context"
	"fmt"

	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/frontend/dockerui"

	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	digest "github.com/opencontainers/go-digest"
)

// gatewayFetcher downloads archive files through BuildKit, so its cache and
// progress stream see every one.
type gatewayFetcher struct {
	c       client.Client
	noCache bool // --no-cache: download again
}

func (f gatewayFetcher) Fetch(ctx context.Context, url, sha256, name string) ([]byte, error) {
	return fetch(ctx, f.c, url, sha256, name, f.noCache)
}

// planOptions are the planner's options for a build of target ("" for all
// images): it fetches through BuildKit, honouring --no-cache.
func planOptions(bc *dockerui.Client, c client.Client, target string) plan.Options {
	return plan.Options{Fetcher: gatewayFetcher{c: c, noCache: bc.IsNoCache(target)}, BuildPlatform: bc.BuildPlatforms[0]}
}

// readChunk stays well under BuildKit's 16 MiB gRPC message cap.
const readChunk = 4 << 20

// fetch downloads url through BuildKit, so the cache and the progress stream
// see it, and returns its bytes. With a sha256, BuildKit checks the bytes
// and caches the download by that sum.
func fetch(ctx context.Context, c client.Client, url, sha256, name string, noCache bool) ([]byte, error) {
	opts := []llb.HTTPOption{llb.Filename("data"), llb.WithCustomName(name)}
	if sha256 != "" {
		opts = append(opts, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, sha256)))
	}
	var cons []llb.ConstraintsOpt
	if noCache {
		cons = append(cons, llb.IgnoreCache)
	}
	def, err := llb.HTTP(url, opts...).Marshal(ctx, cons...)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	st, err := ref.StatFile(ctx, client.StatRequest{Path: "data"})
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", url, err)
	}
	out := make([]byte, 0, st.Size)
	for int64(len(out)) < st.Size {
		chunk, err := ref.ReadFile(ctx, client.ReadRequest{
			Filename: "data",
			Range:    &client.FileRange{Offset: len(out), Length: readChunk},
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", url, err)
		}
		if len(chunk) == 0 {
			break
		}
		out = append(out, chunk...)
	}
	return out, nil
}
