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

	"github.com/distill-build/distill/definition"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden lowers each testdata definition for two platforms and compares
// the marshalled LLB and image config with the golden files. Marshalling
// twice must give the same bytes.
func TestGolden(t *testing.T) {
	defs, err := filepath.Glob("testdata/*.hcl")
	if err != nil {
		t.Fatal(err)
	}
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
			var out bytes.Buffer
			for _, img := range def.Images {
				for _, p := range []string{"linux/amd64", "linux/arm64"} {
					first := lower(t, img, p)
					if second := lower(t, img, p); first != second {
						t.Fatalf("%s: marshalling twice gave different LLB:\n%s\n---\n%s", p, first, second)
					}
					out.WriteString("### " + img.Name + " " + p + "\n" + first)
				}
			}
			golden := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./llb -update)", err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Errorf("LLB differs from %s (run go test ./llb -update and review the diff):\n%s", golden, out.String())
			}
		})
	}
}

// lower marshals one image for one platform as readable, deterministic text:
// each op's digest and JSON, then the image config.
func lower(t *testing.T, img *definition.Image, platform string) string {
	t.Helper()
	os, arch, _ := strings.Cut(platform, "/")
	p := ocispecs.Platform{OS: os, Architecture: arch}
	ctx := llb.Local("context", llb.SharedKeyHint("context"), llb.LocalUniqueID("golden"))
	st, cfg, err := Image(img, Options{Platform: p, Epoch: time.Unix(1700000000, 0), Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	def, err := st.Marshal(context.Background(), llb.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
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
