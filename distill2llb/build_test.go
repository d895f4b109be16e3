package distill2llb

import (
	"fmt"
	"testing"
	"time"

	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestBuiltLoweredOnce: zversion's image takes zlib, and its sandbox has
// zlib and zlib's dev subpackage installed, so three outputs take zlib's
// tree. It is lowered once: every copy of an op would tie the op to its
// line again in the source map, and a failing step would show its snippet
// as many times.
func TestBuiltLoweredOnce(t *testing.T) {
	src, def, lock := example(t, "zlib")
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	img := def.Image("zversion")
	pkgs, err := plan.Packages(t.Context(), def, img, []ocispecs.Platform{amd64}, lock, plan.Options{BuildPlatform: amd64})
	if err != nil {
		t.Fatal(err)
	}
	d := pkgs["amd64"]
	if len(d.Built) != 2 {
		t.Fatalf("zversion's image takes %d outputs built from source; the example's takes zversion and zlib", len(d.Built))
	}
	helper := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: amd64}
	sm := llb.NewSourceMap(nil, "distill.hcl", "", src)
	st, _, err := Image(img, Options{Platform: amd64, Epoch: time.Unix(0, 0), Packages: d.Groups, CACertificates: d.CA, Built: d.Built, Helper: helper, SourceMap: sm})
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Marshal(t.Context(), llb.Platform(amd64))
	if err != nil {
		t.Fatal(err)
	}
	tied := 0
	for dgst, locs := range m.Source.Locations {
		seen := map[string]bool{}
		for _, l := range locs.Locations {
			k := fmt.Sprint(l.SourceIndex, l.Ranges)
			if seen[k] {
				t.Errorf("op %s is tied to %s twice", dgst, k)
			}
			seen[k] = true
			tied++
		}
	}
	if tied == 0 {
		t.Fatal("no op is tied to a line of the definition")
	}
}
