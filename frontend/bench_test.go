package frontend

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/arch"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// BenchmarkPlanPython3 is the frontend's own work for the python3 example
// with its lockfile, from the definition's bytes to marshalled LLB for two
// platforms: what happens between reading the inputs and the Solve request.
func BenchmarkPlanPython3(b *testing.B) {
	src, err := os.ReadFile("../examples/distroless-debian12/distill.hcl")
	if err != nil {
		b.Fatal(err)
	}
	lockData, err := os.ReadFile("../examples/distroless-debian12/distill.lock.json")
	if err != nil {
		b.Fatal(err)
	}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	helper := &distill2llb.Helper{State: llb.Image("distill-frontend"), Path: HelperPath, Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		def, diags := definition.Parse("distill.hcl", src, definition.Options{Args: args})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		lock, err := lockfile.ParseLockfile(lockData)
		if err != nil {
			b.Fatal(err)
		}
		img := def.Image("python3")
		pkgs, err := packagesFor(ctx, &repos{def: def}, lock, img, img.Platforms)
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range img.Platforms {
			d := pkgs[arch.ForPlatform(p)]
			st, _, err := distill2llb.Image(img, distill2llb.Options{Platform: p, Epoch: time.Unix(0, 0), Packages: d.Groups, CACertificates: d.CA, Helper: helper})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Marshal(ctx, llb.Platform(p)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
