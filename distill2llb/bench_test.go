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
	benchmarkPlan(b, "distroless-debian12", "python3")
}

// BenchmarkPlanZversion is the same for an image of packages built from
// source: zversion, whose sandbox has zlib and zlib's dev subpackage
// installed and whose image takes zlib too, each cross-compiled for arm64.
func BenchmarkPlanZversion(b *testing.B) {
	benchmarkPlan(b, "zlib", "zversion")
}

func benchmarkPlan(b *testing.B, example, image string) {
	src, err := os.ReadFile("../examples/" + example + "/distill.hcl")
	if err != nil {
		b.Fatal(err)
	}
	lockData, err := os.ReadFile("../examples/" + example + "/distill.lock.json")
	if err != nil {
		b.Fatal(err)
	}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	helper := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: amd64}
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
		img := def.Image(image)
		pkgs, err := plan.Packages(ctx, def, img, img.Platforms, lock, plan.Options{BuildPlatform: amd64})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range img.Platforms {
			d := pkgs[arch.ForPlatform(p)]
			st, _, err := Image(img, Options{Platform: p, Epoch: time.Unix(0, 0), Packages: d.Groups, CACertificates: d.CA, Built: d.Built, Helper: helper})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Marshal(ctx, llb.Platform(p)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
