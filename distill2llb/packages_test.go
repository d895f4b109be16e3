package distill2llb

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/plan"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/helper"
	"github.com/distill-build/distill/lockfile"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func testPackage(name string) plan.Package { return debPackage(name, "amd64") }

// debPackage is a .deb of a fake mirror whose sha256 is that of its name.
func debPackage(name, arch string) plan.Package {
	return plan.Package{URL: "http://mirror.invalid/debian", LockedPackage: lockfile.LockedPackage{
		Name: name, Version: "1.0", Architecture: arch,
		Filename: "pool/main/" + name + "_1.0_" + arch + ".deb",
		SHA256:   digest.FromString(name).Encoded(),
	}}
}

// execs marshals a state and returns its exec ops' arguments.
func execs(t *testing.T, st llb.State) [][]string {
	t.Helper()
	def, err := st.Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		if e := op.GetExec(); e != nil {
			out = append(out, e.Meta.Args)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(strings.Join(a, " "), strings.Join(b, " ")) })
	return out
}

// TestPackageGroups: each group is one helper run with a mount and a layer
// per package; the layers are in package order whatever the groups; a group
// larger than maxGroup is split.
func TestPackageGroups(t *testing.T) {
	h := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	big := make([]plan.Package, maxGroup+3)
	for i := range big {
		big[i] = testPackage(fmt.Sprintf("big%02d", i))
	}
	groups := [][]plan.Package{{testPackage("libc6"), testPackage("base-files")}, {testPackage("python3")}, big}
	opt := Options{Platform: h.Platform, Epoch: time.Unix(0, 0), Packages: groups, Helper: h}
	img := &definition.Image{Name: "x", Attrs: map[definition.Attr]hcl.Range{}}
	st, cfg, err := Image(img, opt)
	if err != nil {
		t.Fatal(err)
	}
	runs := execs(t, st)
	if len(runs) != 4 {
		t.Fatalf("%d helper runs, want 4 (2 groups, and one of %d split in two)", len(runs), len(big))
	}
	for _, n := range []int{maxGroup, maxGroup + 1} {
		st, _, err := Image(img, Options{Platform: h.Platform, Epoch: time.Unix(0, 0), Packages: [][]plan.Package{big[:n]}, Helper: h})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(execs(t, st)), (n+maxGroup-1)/maxGroup; got != want {
			t.Errorf("a group of %d: %d helper runs, want %d", n, got, want)
		}
	}
	var history []string
	for _, h := range cfg.History {
		history = append(history, strings.TrimPrefix(h.CreatedBy, "distill: package "))
	}
	if len(history) != 3+len(big) || history[0] != "base-files 1.0 (amd64)" || history[1] != "big00 1.0 (amd64)" ||
		history[len(history)-2] != "libc6 1.0 (amd64)" || history[len(history)-1] != "python3 1.0 (amd64)" {
		t.Errorf("history %q", history)
	}

	// The same packages grouped otherwise make the same layers, in the same order.
	regrouped := [][]plan.Package{{testPackage("python3"), testPackage("base-files")}, {testPackage("libc6")}, big[:maxGroup], big[maxGroup:]}
	_, cfg2, err := Image(img, Options{Platform: h.Platform, Epoch: time.Unix(0, 0), Packages: regrouped, Helper: h})
	if err != nil {
		t.Fatal(err)
	}
	for i := range cfg.History {
		if cfg.History[i].CreatedBy != cfg2.History[i].CreatedBy {
			t.Fatalf("layer %d: %q regrouped is %q", i, cfg.History[i].CreatedBy, cfg2.History[i].CreatedBy)
		}
	}
	// Each run's command line reads back as the helper reads it.
	var first helper.Unpack
	for _, r := range runs {
		if r[0] != h.Path {
			t.Fatalf("run %q is not the helper", r)
		}
		cmd, err := helper.Parse(r[1:])
		if err != nil {
			t.Fatalf("the helper refuses %q: %v", r, err)
		}
		if u, ok := cmd.(helper.Unpack); ok && u.Debs[0].Name == "base-files" {
			first = u
		}
	}
	want := helper.Unpack{Epoch: time.Unix(0, 0).UTC(), Debs: []helper.UnpackDeb{
		{Deb: "/deb/0/base-files_1.0_amd64.deb", Root: "/out/0", Name: "base-files"},
		{Deb: "/deb/1/libc6_1.0_amd64.deb", Root: "/out/1", Name: "libc6"},
	}}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first group's run: %+v, want %+v", first, want)
	}
	for _, r := range runs {
		if n := strings.Count(strings.Join(r, " "), "--deb"); n > maxGroup {
			t.Errorf("a run unpacks %d packages, more than %d", n, maxGroup)
		}
	}
}

func TestStatusRecord(t *testing.T) {
	for _, tc := range []struct {
		name, source string
		depends      []string
		want         string
	}{
		{"zlib", "zlib", []string{"libc6"}, "Package: zlib\nVersion: 1.2.13\nArchitecture: arm64\nDepends: libc6\nMaintainer: distill\nDescription: zlib, built from source by distill\n"},
		{"zlib-dev", "zlib", []string{"zlib (= 1.2.13)"}, "Package: zlib-dev\nSource: zlib\nVersion: 1.2.13\nArchitecture: arm64\nDepends: zlib (= 1.2.13)\nMaintainer: distill\nDescription: zlib-dev, built from source by distill\n"},
		{"zversion", "zversion", nil, "Package: zversion\nVersion: 1.2.13\nArchitecture: arm64\nMaintainer: distill\nDescription: zversion, built from source by distill\n"},
	} {
		if got := statusRecord(tc.name, tc.source, "1.2.13", "arm64", tc.depends); got != tc.want {
			t.Errorf("statusRecord(%s):\n%s\nwant\n%s", tc.name, got, tc.want)
		}
	}
}
