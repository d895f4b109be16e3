package frontend

import (
	"context"
	"fmt"
	"time"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	"github.com/distill-build/distill/sbom"
	intoto "github.com/in-toto/in-toto-golang/in_toto"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	gatewaypb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/result"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// sbomPath is where the attestation's ref holds the document.
const sbomPath = "/distill.spdx.json"

// generatedPaths are the files distill makes from ca-certificates.
var generatedPaths = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/certs/java/cacerts"}

// attachSBOMs gives each platform's image distill's own SPDX document, for
// --sbom=true: it knows every package exactly, where BuildKit's scanner
// image (which it would otherwise pull) can only guess, and needs no
// registry. An image built on a base from a named context (base) lists
// what distill added, and the base as an image it does not describe.
func attachSBOMs(ctx context.Context, c client.Client, rb *dockerui.ResultBuilder, def *definition.Definition, img, base *definition.Image, pkgs map[string]plan.Debs, epoch time.Time) error {
	return rb.EachPlatform(ctx, func(ctx context.Context, id string, p ocispecs.Platform) error {
		ref, ok := rb.FindRef(id)
		if !ok {
			return fmt.Errorf("no result for %s", id)
		}
		in := sbom.Input{Image: img.Name, Platform: p, Created: epoch, Tool: "distill-" + Version,
			Repositories: def.Repositories, Debs: pkgs[arch.ForPlatform(p)], Copyright: map[string][]byte{}}
		if base != nil {
			in.Base = "build context " + base.Name
		}
		// A package without a copyright file in the image (a subpackage
		// sharing another's doc directory, say) gets no license: reading
		// fails and the document says NOASSERTION.
		for _, g := range in.Debs.Groups {
			for _, pk := range g {
				if dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: "/usr/share/doc/" + pk.Name + "/copyright"}); err == nil {
					in.Copyright[pk.Name] = dt
				}
			}
		}
		if in.Debs.CA != nil {
			for _, path := range generatedPaths {
				if dt, err := ref.ReadFile(ctx, client.ReadRequest{Filename: path}); err == nil {
					in.Generated = append(in.Generated, sbom.Generated{Path: path, Content: dt, From: *in.Debs.CA})
				}
			}
		}
		doc, err := sbom.Document(in)
		if err != nil {
			return fmt.Errorf("the SBOM of %s for %s: %w", img.Name, id, err)
		}
		st := llb.Scratch().File(llb.Mkfile(sbomPath, 0o644, doc, llb.WithCreatedTime(epoch)),
			llb.WithCustomNamef("SBOM of %s (%s)", img.Name, id))
		dt, err := st.Marshal(ctx)
		if err != nil {
			return err
		}
		r, err := c.Solve(ctx, client.SolveRequest{Definition: dt.ToPB()})
		if err != nil {
			return err
		}
		rb.AddAttestation(id, result.Attestation[client.Reference]{
			Kind:     gatewaypb.AttestationKind_InToto,
			Ref:      r.Ref,
			Path:     sbomPath,
			Metadata: map[string][]byte{result.AttestationReasonKey: []byte(result.AttestationReasonSBOM)},
			InToto:   result.InTotoAttestation{PredicateType: intoto.PredicateSPDX},
		})
		return nil
	})
}
