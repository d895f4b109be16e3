package frontend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// solveMoving solves what lower makes of the archive files' whereabouts.
// When a locked archive file fails to fetch (the mirror dropped a
// superseded .deb, say) and its repository names a snapshot, it lowers
// again with that file fetched from the snapshot as of the lock's time and
// solves again: what was done is cached, so each retry costs one fetch.
// A fetch that fails for good is named with its package and URL.
func solveMoving(ctx context.Context, c client.Client, def *definition.Definition, lock *lockfile.Lockfile, lockName string,
	req client.SolveRequest, lower func(moved map[string]string) (*llb.Definition, error)) (*client.Result, error) {
	moved := map[string]string{}
	fromSnapshot := map[string]bool{}
	for {
		dt, err := lower(moved)
		if err != nil {
			return nil, err
		}
		req.Definition = dt.ToPB()
		// Evaluated here, not lazily at export, so that a failed fetch
		// comes back to be retried or named.
		req.Evaluate = true
		res, err := c.Solve(ctx, req)
		if err == nil {
			return res, nil
		}
		f, ok := failedFetch(err, dt)
		if !ok {
			return nil, explainFetch(err, lock, lockName)
		}
		alt, ok := plan.SnapshotURL(def, lock, f.url)
		if !ok || fromSnapshot[f.url] {
			return nil, f.wrap(err, fromSnapshot[f.url], lock, lockName)
		}
		// A warning, not a log line: a mirror that lost a locked file is
		// worth a refresh of the lock.
		_ = c.Warn(ctx, f.vertex, fmt.Sprintf("%s: the mirror failed to serve %s (%v); fetching it from the snapshot at %s",
			f.name, f.url, f.cause, alt), client.WarnOpts{})
		moved[f.url] = alt
		fromSnapshot[alt] = true
	}
}

// fetchFailure is an HTTP source of the solved definition that failed.
type fetchFailure struct {
	url, name string
	vertex    digest.Digest
	cause     error             // BuildKit's, without the vertex
	lines     []*errdefs.Source // the definition's lines the fetch is for
}

// failedFetch finds the HTTP source whose vertex err comes from.
func failedFetch(err error, dt *llb.Definition) (fetchFailure, bool) {
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) {
		return fetchFailure{}, false
	}
	for _, b := range dt.Def {
		dgst := digest.FromBytes(b)
		if dgst.String() != ve.Digest {
			continue
		}
		var op pb.Op
		if err := op.UnmarshalVT(b); err != nil {
			return fetchFailure{}, false
		}
		src := op.GetSource()
		if src == nil || !(strings.HasPrefix(src.Identifier, "http://") || strings.HasPrefix(src.Identifier, "https://")) {
			return fetchFailure{}, false
		}
		name := dt.Metadata[dgst].Description["llb.customname"]
		if name == "" {
			name = "fetch"
		}
		return fetchFailure{url: src.Identifier, name: name, vertex: dgst, cause: ve.Unwrap(), lines: sourceLines(dt.Source, dgst)}, true
	}
	return fetchFailure{}, false
}

// wrap names the fetch in err, keeping err's vertex and source lines.
func (f fetchFailure) wrap(err error, snapshot bool, lock *lockfile.Lockfile, lockName string) error {
	where := " from " + f.url
	if strings.Contains(f.name, f.url) {
		where = "" // a source's fetch is named by its URL
	}
	if snapshot {
		where = " from the repository's snapshot, " + f.url + ", after the mirror failed"
	}
	hint := ""
	if strings.Contains(err.Error(), "digest mismatch") {
		// BuildKit keeps whatever a pinned download's server sends, an
		// error page too, and only then compares digests.
		hint = " (the server sent other bytes than the pinned sha256: it may not have the file and have sent an error page, as for a 404; a source's pin is its sha256 line)"
		if p, arch, ok := lockedDeb(err, lock); ok {
			hint = " (" + notPinned(p, arch, lockName) + "the server may not have the file and have sent an error page, as for a 404, " +
				"or the lock is older than the archive's packages or names another archive; run distill lock to refresh it)"
		}
	}
	// A new error, not a wrapper: gRPC would send the status inside err,
	// and its message, instead. The lines and the vertex go along.
	out := errors.New(f.name + where + hint + ": " + f.cause.Error())
	srcs := errdefs.Sources(err)
	if len(srcs) == 0 {
		// BuildKit attaches no lines to some failed sources: take the
		// fetch's own from the definition.
		srcs = f.lines
	}
	for _, src := range srcs {
		out = errdefs.WithSource(out, src)
	}
	return errdefs.WrapVertex(out, f.vertex)
}

// sourceLines are the lines of the definition a vertex was made for, from
// the source map the LLB carries.
func sourceLines(sm *pb.Source, dgst digest.Digest) []*errdefs.Source {
	if sm == nil || sm.Locations[dgst.String()] == nil {
		return nil
	}
	var out []*errdefs.Source
	for _, loc := range sm.Locations[dgst.String()].Locations {
		if int(loc.SourceIndex) < len(sm.Infos) {
			out = append(out, &errdefs.Source{Info: sm.Infos[loc.SourceIndex], Ranges: loc.Ranges})
		}
	}
	return out
}
