package frontend

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	outlinepkg "github.com/moby/buildkit/frontend/subrequests/outline"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/zclconf/go-cty/cty"
)

// outlineVersion is the version of our outline result. buildx prints an
// outline itself when it knows the result's version, and prints result.txt
// as it is when the version is newer than its own (1.0.0); it compares
// dot-separated numbers, so a suffix ("1.0.0+distill") would count as
// 1.0.0 and lose the LAYERS section. A minor step says what changed: fields
// were added, and any reader of 1.0.0 still parses result.json. A buildx
// that one day knows a newer outline prints ours itself, without LAYERS,
// from the JSON it still parses.
const outlineVersion = "1.1.0"

// layeredOutline is BuildKit's outline plus the target image's layers: a
// superset of outline 1.0.0's JSON.
type layeredOutline struct {
	outlinepkg.Outline
	// Layers are the image's layers on each platform a build would
	// produce, in the order it would produce them.
	Layers []outlinePlatform `json:"layers,omitempty"`
	// Base, when set, is the named context the image is built on
	// (--build-context naming an image it extends): its layers come
	// first, and Layers are those distill adds.
	Base string `json:"base,omitempty"`
}

// outlinePlatform is an image's layers for one platform, bottom first.
type outlinePlatform struct {
	Platform string         `json:"platform"`
	Budget   int            `json:"budget"` // the image's layer budget
	Layers   []outlineLayer `json:"layers"`
}

type outlineLayer struct {
	Kind distill2llb.LayerKind `json:"kind"`
	// Packages are the Debian packages the layer holds (several when the
	// budget merged them), or the package built from source.
	Packages []outlinePackage `json:"packages,omitempty"`
	// CreatedBy is the layer's history entry, as the image config has it.
	CreatedBy string `json:"created_by"`

	name string // what the history calls it, for the text
}

type outlinePackage struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Architecture is a Debian package's; a package built from source is
	// of the platform's.
	Architecture string `json:"architecture,omitempty"`
}

// outline is BuildKit's part of the outline, from the definition as
// written: the target and the variables a build argument can set.
func outline(def *definition.Definition, target string, sm *llb.SourceMap) (*outlinepkg.Outline, error) {
	o := &outlinepkg.Outline{Sources: [][]byte{sm.Data}}
	if p, err := plan.PackageTarget(def, target); err != nil {
		return nil, err
	} else if p != nil {
		o.Name, o.Description = "package."+p.Name, fmt.Sprintf("the package %s %s, built from source, as .debs", p.Name, p.Version)
	} else {
		img, err := plan.Target(def, target)
		if err != nil {
			return nil, err
		}
		o.Name, o.Description = img.Name, img.Description
	}
	for _, v := range def.Variables {
		o.Args = append(o.Args, outlinepkg.Arg{
			Name:        v.Name,
			Description: v.Description,
			Value:       displayValue(v.Value),
			Location:    location(v.DeclRange),
		})
	}
	return o, nil
}

// outlineWithLayers answers `--call outline`: the outline of the target as
// written, with the layers of the image as lowered, on the platforms and
// from the packages a build of it would plan (the lockfile when there is
// one, else the archives through BuildKit).
func outlineWithLayers(ctx context.Context, bc *dockerui.Client, c client.Client, written, def *definition.Definition, lowerDiags hcl.Diagnostics, src *dockerui.Source) (*layeredOutline, error) {
	o, err := outline(written, bc.Target, src.SourceMap)
	if err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}
	if lowerDiags.HasErrors() {
		return nil, diagnosticsError(lowerDiags, src.SourceMap)
	}
	if p, _ := plan.PackageTarget(def, bc.Target); p != nil {
		return &layeredOutline{Outline: *o}, nil // .debs, not an image: no layers
	}
	tp, err := planTarget(ctx, bc, c, def, src)
	if err != nil {
		return nil, err
	}
	lo, err := withLayers(o, tp.img, tp.plats, tp.pkgs)
	if err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}
	if tp.base != nil {
		lo.Base = "build context " + tp.base.Name
	}
	return lo, nil
}

// withLayers adds to an outline the layers of img (lowered) for each
// platform in plats, from its planned packages (see plan.Packages), as
// distill2llb.Image stacks them.
func withLayers(o *outlinepkg.Outline, img *definition.Image, plats []ocispecs.Platform, pkgs map[string]plan.Debs) (*layeredOutline, error) {
	lo := &layeredOutline{Outline: *o}
	for _, p := range plats {
		layout, err := distill2llb.Layers(img, pkgs[arch.ForPlatform(p)])
		if err != nil {
			return nil, err
		}
		op := outlinePlatform{Platform: platforms.FormatAll(p), Budget: layout.Budget}
		for _, l := range layout.Layers {
			ol := outlineLayer{Kind: l.Kind, CreatedBy: l.History(), name: l.Name}
			for _, pk := range l.Packages {
				ol.Packages = append(ol.Packages, outlinePackage{Name: pk.Name, Version: pk.Version, Architecture: pk.Architecture})
			}
			if l.Built != nil {
				ol.Packages = append(ol.Packages, outlinePackage{Name: l.Built.Name(), Version: l.Built.Build.Package.Version})
			}
			op.Layers = append(op.Layers, ol)
		}
		lo.Layers = append(lo.Layers, op)
	}
	return lo, nil
}

// result is the subrequest's answer, as outline.ToResult makes one, with
// our version and the LAYERS section after BuildKit's own text.
func (lo *layeredOutline) result() (*client.Result, error) {
	dt, err := json.MarshalIndent(lo, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the outline: %w", err)
	}
	var txt bytes.Buffer
	if err := outlinepkg.PrintOutline(dt, &txt); err != nil {
		return nil, fmt.Errorf("printing the outline: %w", err)
	}
	if lo.Base != "" {
		fmt.Fprintf(&txt, "BASE: %s (its layers first; the LAYERS below are added on it)\n\n", lo.Base)
	}
	if err := printLayers(&txt, lo.Layers); err != nil {
		return nil, fmt.Errorf("printing the outline's layers: %w", err)
	}
	res := client.NewResult()
	res.AddMeta("result.json", dt)
	res.AddMeta("result.txt", txt.Bytes())
	res.AddMeta("version", []byte(outlineVersion))
	return res, nil
}

// printLayers writes the LAYERS section: per platform, the total against
// the budget, then each layer with what it holds, in columns as BuildKit
// prints the outline's.
func printLayers(b *bytes.Buffer, plats []outlinePlatform) error {
	for _, p := range plats {
		merged, into := 0, 0
		for _, l := range p.Layers {
			if l.Kind == distill2llb.LayerMerged {
				merged, into = merged+len(l.Packages), into+1
			}
		}
		word := "layers"
		if len(p.Layers) == 1 {
			word = "layer"
		}
		fmt.Fprintf(b, "LAYERS %s: %d %s (budget %d)", p.Platform, len(p.Layers), word, p.Budget)
		if merged > 0 {
			fmt.Fprintf(b, ", %d packages merged into %d", merged, into)
		}
		b.WriteString("\n")
		var rows bytes.Buffer // tab-separated, for the tabwriter
		rows.WriteString("LAYER\tKIND\tHOLDS\n")
		for i, l := range p.Layers {
			// A merged layer lists its packages one a line.
			for j, h := range holds(l) {
				if j == 0 {
					fmt.Fprintf(&rows, "%d\t%s\t%s\n", i+1, l.Kind, h)
				} else {
					fmt.Fprintf(&rows, "\t\t%s\n", h)
				}
			}
		}
		tw := tabwriter.NewWriter(b, 0, 0, 3, ' ', 0)
		if _, err := tw.Write(rows.Bytes()); err != nil {
			return err
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		b.WriteString("\n")
	}
	return nil
}

// holds says what a layer holds: its packages as NAME VERSION, or what its
// history entry calls it.
func holds(l outlineLayer) []string {
	if len(l.Packages) == 0 {
		return []string{l.name}
	}
	out := make([]string, len(l.Packages))
	for i, p := range l.Packages {
		out[i] = p.Name + " " + p.Version
	}
	if l.Kind == distill2llb.LayerBuilt {
		out[0] += ", built from source"
	}
	return out
}

func displayValue(v cty.Value) string {
	if v.IsNull() || !v.IsKnown() {
		return ""
	}
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return fmt.Sprint(v.True())
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return ""
}
