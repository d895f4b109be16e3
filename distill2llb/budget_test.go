package distill2llb

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func fromSource(name, source string) plan.Package {
	p := testPackage(name)
	p.Source = source
	return p
}

func TestMergePlan(t *testing.T) {
	// In package order: a0 a1 (source a), b, c0 c1 c2 (source c), d, e.
	pkgs := []plan.Package{fromSource("a0", "a"), fromSource("a1", "a"), testPackage("b"),
		fromSource("c0", "c"), fromSource("c1", "c"), fromSource("c2", "c"), testPackage("d"), testPackage("e")}
	for _, tc := range []struct {
		budget int
		want   [][]int
	}{
		{8, [][]int{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}}},   // within budget
		{100, [][]int{{0}, {1}, {2}, {3}, {4}, {5}, {6}, {7}}}, //
		{7, [][]int{{0, 1}, {2}, {3}, {4}, {5}, {6}, {7}}},     // one source first
		{6, [][]int{{0, 1}, {2}, {3, 4}, {5}, {6}, {7}}},       // then part of the next
		{5, [][]int{{0, 1}, {2}, {3, 4, 5}, {6}, {7}}},         // every source
		{4, [][]int{{0, 1, 2}, {3, 4, 5}, {6}, {7}}},           // then from the front
		{3, [][]int{{0, 1, 2, 3, 4, 5}, {6}, {7}}},             //
		{1, [][]int{{0, 1, 2, 3, 4, 5, 6, 7}}},                 // all in one
	} {
		got := mergePlan(pkgs, tc.budget)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("budget %d: %v, want %v", tc.budget, got, tc.want)
		}
	}
}

// TestLayerBudget: an image of 150 packages with the default budget has
// 100 layers, every package's layer copied into one of them, and a history
// entry per layer naming its packages.
func TestLayerBudget(t *testing.T) {
	h := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	var pkgs []plan.Package
	for i := range 150 {
		pkgs = append(pkgs, fromSource(fmt.Sprintf("p%03d", i), fmt.Sprintf("s%03d", i/3)))
	}
	img := &definition.Image{Name: "big", Attrs: map[definition.Attr]hcl.Range{},
		Entries: []*definition.Entry{{Kind: definition.KindFile, Path: "/etc/motd", Mode: 0o644}}}
	opt := Options{Platform: h.Platform, Epoch: time.Unix(0, 0), Packages: [][]plan.Package{pkgs[:50], pkgs[50:]}, Helper: h}
	st, cfg, err := Image(img, opt)
	if err != nil {
		t.Fatal(err)
	}
	def, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var merged int
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if m := op.GetMerge(); m != nil {
			merged = len(m.Inputs)
		}
	}
	if merged != definition.DefaultLayerBudget || len(cfg.History) != merged {
		t.Errorf("%d layers, %d history entries; want %d each", merged, len(cfg.History), definition.DefaultLayerBudget)
	}
	var listed int
	for _, e := range cfg.History {
		if names, ok := strings.CutPrefix(e.CreatedBy, "distill: packages "); ok {
			names, _, _ = strings.Cut(names, " (")
			listed += strings.Count(names, ",") + 1
		} else if strings.HasPrefix(e.CreatedBy, "distill: package ") {
			listed++
		}
	}
	if listed != len(pkgs) {
		t.Errorf("the history names %d packages, want %d", listed, len(pkgs))
	}

	img.LayerBudget = 1
	_, _, err = Image(img, opt)
	var d *hcl.Diagnostic
	if !errors.As(err, &d) || !strings.Contains(d.Detail, "its layer_budget is 1: raise it") {
		t.Errorf("a budget the files alone fill: %v", err)
	}
}
