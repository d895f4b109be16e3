package frontend

import (
	"errors"
	"strings"

	"github.com/moby/buildkit/util/grpcerrors"
	digest "github.com/opencontainers/go-digest"

	"github.com/distill-build/distill/distill2llb"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
)

// diagnosticsError turns HCL error diagnostics into one error whose message
// names file:line,column for each, and which carries the ranges as a BuildKit
// source so that buildx and buildctl print the offending lines.
func diagnosticsError(diags hcl.Diagnostics, sm *llb.SourceMap) error {
	var msgs []string
	var ranges []*pb.Range
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		msgs = append(msgs, d.Error())
		if d.Subject != nil {
			ranges = append(ranges, distill2llb.Range(*d.Subject))
		}
	}
	err := errors.New(strings.Join(msgs, "\n"))
	return withSource(err, sm, ranges)
}

// wrapSource attaches the ranges of any diagnostics inside err.
func wrapSource(err error, sm *llb.SourceMap) error {
	var diags hcl.Diagnostics
	if errors.As(err, &diags) {
		return diagnosticsError(diags, sm)
	}
	var diag *hcl.Diagnostic
	if errors.As(err, &diag) && diag.Subject != nil {
		return withSource(err, sm, []*pb.Range{distill2llb.Range(*diag.Subject)})
	}
	return err
}

func withSource(err error, sm *llb.SourceMap, ranges []*pb.Range) error {
	if sm == nil || len(ranges) == 0 {
		return err
	}
	info := &pb.SourceInfo{Data: sm.Data, Filename: sm.Filename, Language: sm.Language}
	if sm.Definition != nil {
		info.Definition = sm.Definition.ToPB()
	}
	return errdefs.WithSource(err, &errdefs.Source{Info: info, Ranges: ranges})
}

// detached is err as a new error with err's whole message, the source
// ranges and the vertex err carries. An error that wraps one from a solve
// (a gRPC status) would reach the client with the status's message alone:
// BuildKit's ToGRPC keeps the inner status whenever the chain has one, and
// the context distill wrapped around it (the package, the URL, the
// repository's line) would be lost.
func detached(err error) error {
	st, ok := grpcerrors.AsGRPCStatus(err)
	if err == nil || !ok || st.Message() == err.Error() {
		return err
	}
	out := errors.New(err.Error())
	for _, src := range errdefs.Sources(err) {
		out = errdefs.WithSource(out, src)
	}
	var ve *errdefs.VertexError
	if errors.As(err, &ve) {
		out = errdefs.WrapVertex(out, digest.Digest(ve.Digest))
	}
	return out
}
