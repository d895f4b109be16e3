package frontend

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
	outlinepkg "github.com/moby/buildkit/frontend/subrequests/outline"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/moby/client/pkg/versions"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// exampleArgs are the build arguments the offline tests plan the examples
// with: no mirror is reached, the lockfiles pin every package.
var exampleArgs = map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}

// TestOutlineLayers plans example images from their committed lockfiles, as
// a build with that lockfile does, and checks the outline's LAYERS: one
// section per platform a build would produce, every planned package in
// exactly one layer, the budget's merges, the text and JSON telling the
// same, and the history the image config would get.
func TestOutlineLayers(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for _, tc := range []struct {
		name, example, target string
		src                   string   // a definition with no packages, instead of an example
		platforms             []string // --platform; none: the image's own
		budget                int      // overrides the image's layer_budget
		headers               []string // the LAYERS lines, as regular expressions
		last                  []distill2llb.LayerKind
	}{
		{name: "the image's platforms", example: "distroless-debian12", target: "static",
			headers: []string{`^LAYERS linux/amd64: 6 layers \(budget 100\)$`, `^LAYERS linux/arm64: 6 layers \(budget 100\)$`},
			last:    []distill2llb.LayerKind{distill2llb.LayerCABundle, distill2llb.LayerFiles}},
		{name: "the platform asked for", example: "distroless-debian12", target: "static", platforms: []string{"linux/arm64"},
			headers: []string{`^LAYERS linux/arm64: 6 layers \(budget 100\)$`},
			last:    []distill2llb.LayerKind{distill2llb.LayerCABundle, distill2llb.LayerFiles}},
		{name: "default target", example: "distroless-debian13", platforms: []string{"linux/amd64"},
			headers: []string{`^LAYERS linux/amd64: \d+ layers \(budget 100\)$`}},
		{name: "over the budget", example: "distroless-debian12", target: "python3", platforms: []string{"linux/amd64"}, budget: 12,
			headers: []string{`^LAYERS linux/amd64: 12 layers \(budget 12\), \d+ packages merged into \d+$`},
			last:    []distill2llb.LayerKind{distill2llb.LayerCABundle, distill2llb.LayerFiles}},
		{name: "Java trust store", example: "distroless-debian12", target: "java-nonroot", platforms: []string{"linux/arm64"},
			headers: []string{`^LAYERS linux/arm64: \d+ layers \(budget 100\)$`},
			last:    []distill2llb.LayerKind{distill2llb.LayerCABundle, distill2llb.LayerJavaTrustStore, distill2llb.LayerFiles}},
		{name: "files only", src: "image \"motd\" {\n  file \"/etc/motd\" { content = \"hi\" }\n}\n",
			headers: []string{`^LAYERS linux/amd64: 1 layer \(budget 100\)$`},
			last:    []distill2llb.LayerKind{distill2llb.LayerFiles}},
		{name: "built from source", example: "hello", platforms: []string{"linux/amd64"},
			headers: []string{`^LAYERS linux/amd64: \d+ layers \(budget 100\)$`},
			last:    []distill2llb.LayerKind{distill2llb.LayerBuilt}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var written, def *definition.Definition
			var lock *lockfile.Lockfile
			var sm *llb.SourceMap
			if tc.src != "" {
				written, def, sm = parseWritten(t, tc.src, nil)
			} else {
				written, def, lock, sm = planExample(t, tc.example)
			}
			o, err := outline(written, tc.target, sm)
			if err != nil {
				t.Fatal(err)
			}
			img, err := plan.Target(def, tc.target)
			if err != nil {
				t.Fatal(err)
			}
			if tc.budget != 0 {
				img.LayerBudget = tc.budget
			}
			var requested []ocispecs.Platform
			for _, p := range tc.platforms {
				requested = append(requested, platforms.MustParse(p))
			}
			plats, err := plan.Platforms(img, requested, amd64)
			if err != nil {
				t.Fatal(err)
			}
			pkgs, err := plan.Packages(t.Context(), def, img, plats, lock, plan.Options{BuildPlatform: amd64})
			if err != nil {
				t.Fatal(err)
			}
			lo, err := withLayers(o, img, plats, pkgs)
			if err != nil {
				t.Fatal(err)
			}
			res, err := lo.result()
			if err != nil {
				t.Fatal(err)
			}

			// buildx prints result.txt when the version is newer than the
			// outline it knows, compared as it compares them.
			if v := string(res.Metadata["version"]); !versions.LessThan(outlinepkg.SubrequestsOutlineDefinition.Version, v) {
				t.Errorf("version %q is not newer than outline %s: buildx would drop LAYERS", v, outlinepkg.SubrequestsOutlineDefinition.Version)
			}
			// A reader of outline 1.0.0 gets BuildKit's outline, and the
			// text starts as BuildKit prints it.
			var std outlinepkg.Outline
			if err := json.Unmarshal(res.Metadata["result.json"], &std); err != nil || std.Name != img.Name || len(std.Args) != len(written.Variables) {
				t.Errorf("result.json as outline 1.0.0: %+v, %v", std, err)
			}
			var printed bytes.Buffer
			if err := outlinepkg.PrintOutline(res.Metadata["result.json"], &printed); err != nil {
				t.Fatal(err)
			}
			txt := string(res.Metadata["result.txt"])
			if !strings.HasPrefix(txt, printed.String()) {
				t.Errorf("result.txt does not start with BuildKit's outline:\n%s", txt)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(res.Metadata["result.json"], &fields); err != nil {
				t.Fatal(err)
			}
			var decoded []outlinePlatform
			if err := json.Unmarshal(fields["layers"], &decoded); err != nil {
				t.Fatalf("result.json's layers: %v", err)
			}

			sections := layerSections(t, strings.TrimPrefix(txt, printed.String()))
			if len(sections) != len(tc.headers) || len(decoded) != len(plats) {
				t.Fatalf("%d LAYERS sections and %d in JSON, want %d:\n%s", len(sections), len(decoded), len(tc.headers), txt)
			}
			for i, p := range plats {
				sec, js := sections[i], decoded[i]
				if !regexp.MustCompile(tc.headers[i]).MatchString(sec.header) {
					t.Errorf("header %q, want %s", sec.header, tc.headers[i])
				}
				if js.Platform != platforms.FormatAll(p) || js.Budget != img.Budget() || len(js.Layers) > img.Budget() {
					t.Errorf("%s: JSON says platform %s, budget %d, %d layers", platforms.FormatAll(p), js.Platform, js.Budget, len(js.Layers))
				}
				// Every planned package in exactly one layer.
				var want, got []string
				for _, g := range pkgs[arch.ForPlatform(p)].Groups {
					for _, pk := range g {
						want = append(want, pk.Name+" "+pk.Version+" "+pk.Architecture)
					}
				}
				merged := false
				for _, l := range js.Layers {
					for _, pk := range l.Packages {
						if l.Kind != distill2llb.LayerBuilt {
							got = append(got, pk.Name+" "+pk.Version+" "+pk.Architecture)
						}
					}
					if (l.Kind == distill2llb.LayerMerged) != (len(l.Packages) > 1) {
						t.Errorf("a %s layer of %d packages", l.Kind, len(l.Packages))
					}
					merged = merged || l.Kind == distill2llb.LayerMerged
				}
				slices.Sort(want)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s: the layers hold\n%v\nthe plan has\n%v", js.Platform, got, want)
				}
				if over := len(want)+len(tc.last) > img.Budget(); merged != over || over && len(js.Layers) != img.Budget() {
					t.Errorf("%s: %d packages, budget %d: merged %v, %d layers", js.Platform, len(want), img.Budget(), merged, len(js.Layers))
				}
				// The text's rows are the JSON's layers.
				if len(sec.rows) != len(js.Layers) {
					t.Fatalf("%d rows, %d layers in JSON", len(sec.rows), len(js.Layers))
				}
				for j, l := range js.Layers {
					r := sec.rows[j]
					ok := r.layer == strconv.Itoa(j+1) && r.kind == string(l.Kind) && len(r.holds) == max(1, len(l.Packages))
					for k, pk := range l.Packages {
						ok = ok && strings.HasPrefix(r.holds[k], pk.Name+" "+pk.Version)
					}
					if !ok {
						t.Errorf("row %+v for layer %+v", r, l)
					}
				}
				var kinds []distill2llb.LayerKind
				for _, l := range js.Layers[max(0, len(js.Layers)-len(tc.last)):] {
					kinds = append(kinds, l.Kind)
				}
				if !slices.Equal(kinds, tc.last) {
					t.Errorf("%s: the last layers are %v, want %v", js.Platform, kinds, tc.last)
				}
				// The image config a build makes names the same layers.
				d := pkgs[arch.ForPlatform(p)]
				helper := &distill2llb.Helper{State: llb.Image("distill-frontend"), Path: HelperPath, Platform: amd64}
				_, cfg, err := distill2llb.Image(img, distill2llb.Options{Platform: p, Epoch: time.Unix(0, 0), Context: llb.Scratch(),
					Contexts: map[string]llb.State{"": llb.Scratch()}, Packages: d.Groups, CACertificates: d.CA, Built: d.Built, Helper: helper})
				if err != nil {
					t.Fatal(err)
				}
				var history []string
				for _, h := range cfg.History {
					history = append(history, h.CreatedBy)
				}
				var createdBy []string
				for _, l := range js.Layers {
					createdBy = append(createdBy, l.CreatedBy)
				}
				if !slices.Equal(history, createdBy) {
					t.Errorf("%s: the image's history\n%s\nthe outline's\n%s", js.Platform, strings.Join(history, "\n"), strings.Join(createdBy, "\n"))
				}
			}
		})
	}
}

// TestOutlineBudgetTooSmall: a budget the layers that are never merged fill
// fails the outline as it fails the build, at the image's line.
func TestOutlineBudgetTooSmall(t *testing.T) {
	written, def, lock, sm := planExample(t, "distroless-debian12")
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	o, err := outline(written, "java", sm)
	if err != nil {
		t.Fatal(err)
	}
	img := def.Image("java")
	img.LayerBudget = 3 // the CA bundle, the trust store and the files
	pkgs, err := plan.Packages(t.Context(), def, img, []ocispecs.Platform{amd64}, lock, plan.Options{BuildPlatform: amd64})
	if err != nil {
		t.Fatal(err)
	}
	_, err = withLayers(o, img, []ocispecs.Platform{amd64}, pkgs)
	if err == nil || !strings.Contains(err.Error(), "its layer_budget is 3: raise it") {
		t.Fatalf("got %v", err)
	}
	srcs := errdefs.Sources(wrapSource(err, sm))
	if len(srcs) != 1 || len(srcs[0].Ranges) != 1 || int(srcs[0].Ranges[0].Start.Line) != img.AttrRange(definition.AttrLayerBudget).Start.Line {
		t.Errorf("sources %+v, want the image's line %d", srcs, img.AttrRange(definition.AttrLayerBudget).Start.Line)
	}
}

// planExample reads an example and its committed lockfile: the definition
// as written, lowered, the lock and the source map.
func planExample(t *testing.T, example string) (written, def *definition.Definition, lock *lockfile.Lockfile, sm *llb.SourceMap) {
	t.Helper()
	file := filepath.Join("..", "examples", example, "distill.hcl")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(lockfile.Name(file))
	if err != nil {
		t.Fatal(err)
	}
	if lock, err = lockfile.Parse(data); err != nil {
		t.Fatal(err)
	}
	written, def, sm = parseWritten(t, string(src), exampleArgs)
	return written, def, lock, sm
}

// parseWritten decodes a definition as Build does: as written, lowered, and
// its source map.
func parseWritten(t *testing.T, src string, args map[string]string) (written, def *definition.Definition, sm *llb.SourceMap) {
	t.Helper()
	written, diags := definition.Parse("distill.hcl", []byte(src), definition.Options{Args: args})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if def, diags = plan.Lower(written); diags.HasErrors() {
		t.Fatal(diags)
	}
	return written, def, llb.NewSourceMap(nil, "distill.hcl", Language, []byte(src))
}

// section is one platform's LAYERS as printed: its header and its rows.
type section struct {
	header string
	rows   []row
}

// row is one layer as printed: a merged layer's packages continue on the
// lines below its first.
type row struct {
	layer, kind string
	holds       []string
}

// layerSections reads the LAYERS sections back from the text.
func layerSections(t *testing.T, txt string) []section {
	t.Helper()
	var out []section
	first := regexp.MustCompile(`^(\d+) +(\S+) +(.+)$`)
	more := regexp.MustCompile(`^ +(.+)$`)
	for _, block := range strings.Split(strings.TrimSpace(txt), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) < 2 || !strings.HasPrefix(lines[0], "LAYERS ") || strings.Fields(lines[1])[0] != "LAYER" {
			t.Fatalf("not a LAYERS section:\n%s", block)
		}
		s := section{header: lines[0]}
		for _, l := range lines[2:] {
			if m := first.FindStringSubmatch(l); m != nil {
				s.rows = append(s.rows, row{layer: m[1], kind: m[2], holds: []string{m[3]}})
			} else if m := more.FindStringSubmatch(l); m != nil && len(s.rows) > 0 {
				r := &s.rows[len(s.rows)-1]
				r.holds = append(r.holds, m[1])
			} else {
				t.Fatalf("row %q", l)
			}
		}
		out = append(out, s)
	}
	return out
}

// TestOutlinePackageTarget: a package target has an outline too (its build
// arguments), and a target that is neither image nor package says which
// packages there are.
func TestOutlinePackageTarget(t *testing.T) {
	written, _, _, sm := planExample(t, "hello")
	o, err := outline(written, "package.hello", sm)
	if err != nil {
		t.Fatal(err)
	}
	if o.Name != "package.hello" || !strings.Contains(o.Description, "hello 2.10") || len(o.Args) == 0 {
		t.Errorf("outline %+v, want package.hello, its version and the build arguments", o)
	}
	if _, err := outline(written, "package.nope", sm); err == nil || !strings.Contains(err.Error(), "the packages are package.hello") {
		t.Errorf("an unknown package target: %v", err)
	}
}
