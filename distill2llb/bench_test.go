package distill2llb

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/arch"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
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
	helper := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		def, diags := definition.Parse("distill.hcl", src, definition.Options{Args: args})
		if diags.HasErrors() {
			b.Fatal(diags)
		}
		if def, diags = plan.Lower(def); diags.HasErrors() {
			b.Fatal(diags)
		}
		lock, err := lockfile.Parse(lockData)
		if err != nil {
			b.Fatal(err)
		}
		img := def.Image("python3")
		pkgs, err := plan.Packages(ctx, def, img, img.Platforms, lock, plan.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range img.Platforms {
			d := pkgs[arch.ForPlatform(p)]
			st, _, err := Image(img, Options{Platform: p, Epoch: time.Unix(0, 0), Packages: d.Groups, CACertificates: d.CA, Helper: helper})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Marshal(ctx, llb.Platform(p)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
