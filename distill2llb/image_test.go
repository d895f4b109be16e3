package distill2llb

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/plan"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden lowers each testdata definition for two platforms and compares
// the marshalled LLB and image config with the golden files. Marshalling
// twice must give the same bytes.
func TestGolden(t *testing.T) {
	goldens(t, ".golden", func(t *testing.T, img *definition.Image, platform string, _ *llb.SourceMap) string {
		first := lower(t, img, platform)
		if second := lower(t, img, platform); first != second {
			t.Fatalf("%s: marshalling twice gave different LLB:\n%s\n---\n%s", platform, first, second)
		}
		return first
	})
}

// goldens renders every image of each testdata/<name>.hcl for two platforms
// and compares the text with testdata/<name><suffix>; -update rewrites the
// files of the tests that run. sm maps ops to the definition's lines.
func goldens(t *testing.T, suffix string, render func(t *testing.T, img *definition.Image, platform string, sm *llb.SourceMap) string) {
	t.Helper()
	defs, err := filepath.Glob("testdata/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
	test := t.Name()
	for _, file := range defs {
		name := strings.TrimSuffix(filepath.Base(file), ".hcl")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			def, diags := definition.Parse(filepath.Base(file), src, definition.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			if def, diags = plan.Lower(def); diags.HasErrors() {
				t.Fatal(diags)
			}
			sm := llb.NewSourceMap(nil, filepath.Base(file), "hcl", src)
			var out bytes.Buffer
			for _, img := range def.Images {
				for _, p := range []string{"linux/amd64", "linux/arm64"} {
					out.WriteString("### " + img.Name + " " + p + "\n" + render(t, img, p, sm))
				}
			}
			golden := filepath.Join("testdata", name+suffix)
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./distill2llb -run %s -update)", err, test)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("output differs from %s (run go test ./distill2llb -run %s -update and review the diff):\n%s", golden, test, out.String())
			}
		})
	}
}

// goldenOptions are the lowering options of the golden tests. The packages an
// image names, and ca-certificates when it wants certificates, become .debs
// of a fake mirror in one group, unpacked by a helper running on amd64 (the
// build platform), so the goldens hold the helper's exact command lines.
func goldenOptions(img *definition.Image, p ocispecs.Platform, sm *llb.SourceMap) Options {
	opt := Options{
		Platform:  p,
		Epoch:     time.Unix(1700000000, 0),
		Context:   llb.Local("context", llb.SharedKeyHint("context"), llb.LocalUniqueID("golden")),
		SourceMap: sm,
	}
	if !img.NeedsArchive() {
		return opt
	}
	var group []plan.Package
	for _, name := range img.Packages {
		group = append(group, debPackage(name, arch.ForPlatform(p)))
	}
	opt.Packages = [][]plan.Package{group}
	if img.NeedsCA() {
		ca := debPackage("ca-certificates", "all")
		opt.CACertificates = &ca
	}
	opt.Helper = &Helper{State: llb.Image("distill-frontend"), Path: "/distill-frontend", Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	return opt
}

// lowerGolden lowers one image for one platform ("linux/arm64") with the
// golden tests' options and marshals it.
func lowerGolden(t *testing.T, img *definition.Image, platform string, sm *llb.SourceMap) (*llb.Definition, *dockerspec.DockerOCIImage) {
	t.Helper()
	os, arch, _ := strings.Cut(platform, "/")
	p := ocispecs.Platform{OS: os, Architecture: arch}
	st, cfg, err := Image(img, goldenOptions(img, p, sm))
	if err != nil {
		t.Fatal(err)
	}
	def, err := st.Marshal(context.Background(), llb.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
	return def, cfg
}

// lower marshals one image for one platform as readable, deterministic text:
// each op's digest and JSON, then the image config.
func lower(t *testing.T, img *definition.Image, platform string) string {
	t.Helper()
	def, cfg := lowerGolden(t, img, platform, nil)
	var b strings.Builder
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		js, err := json.MarshalIndent(&op, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(digest.FromBytes(dt).String() + "\n" + string(js) + "\n")
	}
	js, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	b.WriteString("config:\n" + string(js) + "\n")
	return b.String()
}
