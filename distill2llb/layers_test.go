package distill2llb

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
)

// TestLayers: the layers of an image in order, with the budget left to
// Debian packages once the CA files, the built packages and the files are
// counted, and every package in exactly one layer whatever the groups.
func TestLayers(t *testing.T) {
	budgetRange := hcl.Range{Filename: "distill.hcl", Start: hcl.Pos{Line: 4, Column: 3}, End: hcl.Pos{Line: 4, Column: 20}}
	hello := plan.Output{Build: &plan.Build{Package: &definition.Package{Name: "hello", Version: "2.10"}}}
	ca := testPackage("ca-certificates")
	// Two groups, out of order: libc6 and libc-bin share a source.
	groups := [][]plan.Package{
		{fromSource("libc6", "glibc"), testPackage("base-files")},
		{fromSource("libssl3", "openssl"), fromSource("libc-bin", "glibc"), testPackage("zlib1g")},
	}
	for _, tc := range []struct {
		name   string
		budget int
		want   []string // kind: packages or what the history names
		err    string
	}{
		{"within the budget", 0, []string{
			"package: base-files", "package: libc-bin", "package: libc6", "package: libssl3", "package: zlib1g",
			"ca-bundle: distill: CA bundle from ca-certificates 1.0", "java-trust-store: distill: Java trust store from ca-certificates 1.0",
			"built: distill: package hello 2.10 built from source", "files: distill: files of image app",
		}, ""},
		{"one source merged", 8, []string{
			"package: base-files", "merged: libc-bin libc6", "package: libssl3", "package: zlib1g",
			"ca-bundle: distill: CA bundle from ca-certificates 1.0", "java-trust-store: distill: Java trust store from ca-certificates 1.0",
			"built: distill: package hello 2.10 built from source", "files: distill: files of image app",
		}, ""},
		{"then from the front", 6, []string{
			"merged: base-files libc-bin libc6 libssl3", "package: zlib1g",
			"ca-bundle: distill: CA bundle from ca-certificates 1.0", "java-trust-store: distill: Java trust store from ca-certificates 1.0",
			"built: distill: package hello 2.10 built from source", "files: distill: files of image app",
		}, ""},
		{"nothing left for packages", 4, nil, "needs 4 layers besides those of its Debian packages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := &definition.Image{Name: "app", LayerBudget: tc.budget, CACertificates: true, JavaCACerts: true,
				Attrs:   map[definition.Attr]hcl.Range{definition.AttrLayerBudget: budgetRange},
				Entries: []*definition.Entry{{Kind: definition.KindFile, Path: "/etc/motd"}}}
			l, err := Layers(img, plan.Debs{Groups: groups, CA: &ca, Built: []plan.Output{hello}})
			if tc.err != "" {
				var d *hcl.Diagnostic
				if !errors.As(err, &d) || !strings.Contains(d.Detail, tc.err) || d.Subject == nil || *d.Subject != budgetRange {
					t.Fatalf("got %v, want a diagnostic at layer_budget saying %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, layer := range l.Layers {
				what := layer.History()
				if len(layer.Packages) > 0 {
					var names []string
					for _, p := range layer.Packages {
						names = append(names, p.Name)
					}
					what = strings.Join(names, " ")
				}
				got = append(got, fmt.Sprintf("%s: %s", layer.Kind, what))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("layers:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if len(l.Layers) > img.Budget() || l.Budget != img.Budget() {
				t.Errorf("%d layers, budget %d; the image's budget is %d", len(l.Layers), l.Budget, img.Budget())
			}
		})
	}
}
