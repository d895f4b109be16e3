package frontend

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/frontend/linter"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// fuzzLocks are the examples' committed lockfiles, one of which each fuzz
// input plans with: the planner then needs no network.
func fuzzLocks(f *testing.F) (locks []*lockfile.Lockfile, defs [][]byte) {
	files, err := filepath.Glob("../examples/*/distill.hcl")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(lockfile.Name(file))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			f.Fatal(err)
		}
		l, err := lockfile.Parse(data)
		if err != nil {
			f.Fatal(err)
		}
		src, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		locks, defs = append(locks, l), append(defs, src)
	}
	return locks, defs
}

// FuzzPlan drives what Build does between the definition's bytes and the
// LLB it solves, offline: decode, answer targets, outline and lint, lower,
// pick platforms, take the packages from a lockfile, outline the target
// image's layers, lower the target image
// or package to LLB and marshal it. Nothing may panic, and every error must reach the client
// with a range of the definition, as wrapSource attaches it.
//
// Run it with -fuzzminimizetime 2s: by default each new input is minimized
// for up to a minute, and with catalogue-sized seeds that is most of a run.
func FuzzPlan(f *testing.F) {
	locks, defs := fuzzLocks(f)
	for i, src := range defs {
		f.Add(src, uint8(i), uint8(0))
		f.Add(src, uint8(i), uint8(1))
	}
	f.Add([]byte("repository \"debian\" {\n  url = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\nimage \"a\" {\n  packages = [\"libc6\"]\n  exclude = [\"nope\"]\n  file \"/etc/motd\" { source = \"motd\" }\n}\n"), uint8(0), uint8(0))
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	helper := &distill2llb.Helper{State: llb.Image("distill-frontend"), Path: HelperPath, Platform: amd64}
	// The frontend loads the main context for patches, as contexts does.
	named := map[string]llb.State{"": llb.Scratch()}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	// which picks the lockfile; target the image or package built, as one
	// build builds one target.
	f.Fuzz(func(t *testing.T, src []byte, which, target uint8) {
		lock := locks[int(which)%len(locks)]
		sm := llb.NewSourceMap(nil, "distill.hcl", Language, src)
		sm.Definition = &llb.Definition{} // ReadEntrypoint sets it
		// must fails the input when err reaches the client without a range.
		must := func(what string, err error) bool {
			if err == nil {
				return true
			}
			if len(errdefs.Sources(wrapSource(err, sm))) == 0 {
				t.Fatalf("%s: error without a range: %v", what, err)
			}
			return false
		}
		written, diags := definition.Parse("distill.hcl", src, definition.Options{Args: args})
		if !must("parse", diagsErr(diags)) {
			return
		}
		// The subrequests answer from the definition as written.
		listTargets(written, sm)
		if _, err := outline(written, "", sm); err != nil {
			t.Fatalf("outline: %v", err)
		}
		cfg, err := linter.ConfigFor(nil, "distill.hcl", src)
		if !must("check directive", err) {
			return
		}
		def, diags := plan.Lower(written)
		if !must("lower", diagsErr(diags)) {
			return
		}
		res, err := lint(def, "", linter.New(cfg), nil, sm)
		if err != nil {
			t.Fatalf("lint: %v", err)
		}
		for _, w := range res.Warnings {
			if w.Location == nil || len(w.Location.Ranges) == 0 {
				t.Fatalf("lint warning without a location: %+v", w)
			}
		}
		opt := plan.Options{BuildPlatform: amd64}
		ctx := t.Context()
		if k := int(target) % (len(def.Images) + len(def.Packages)); k < len(def.Images) {
			img := def.Images[k]
			plats, err := plan.Platforms(img, nil, amd64)
			if !must("platforms of "+img.Name, err) {
				return
			}
			pkgs, err := plan.Packages(ctx, def, img, plats, lock, opt)
			if !must("packages of "+img.Name, err) {
				return
			}
			// The outline's layers, as --call outline shows them.
			o, err := outline(written, img.Name, sm)
			if err != nil {
				t.Fatalf("outline of %s: %v", img.Name, err)
			}
			lo, err := withLayers(o, img, plats, pkgs)
			if !must("layers of "+img.Name, err) {
				return
			}
			if _, err := lo.result(); err != nil {
				t.Fatalf("outline result of %s: %v", img.Name, err)
			}
			for _, p := range plats {
				d := pkgs[arch.ForPlatform(p)]
				st, _, err := distill2llb.Image(img, distill2llb.Options{Platform: p, Epoch: time.Unix(0, 0), Context: llb.Scratch(), Contexts: named, SourceMap: sm,
					Packages: d.Groups, CACertificates: d.CA, Built: d.Built, Helper: helper})
				if !must("LLB of "+img.Name, err) {
					return
				}
				if _, err := st.Marshal(ctx, llb.Platform(p)); err != nil {
					t.Fatalf("marshalling %s: %v", img.Name, err)
				}
			}
		} else {
			p := def.Packages[k-len(def.Images)]
			builds, err := plan.PackageBuilds(ctx, def, p, []ocispecs.Platform{amd64}, lock, opt)
			if !must("builds of package "+p.Name, err) {
				return
			}
			st, err := distill2llb.Deb(builds["amd64"], distill2llb.Options{Platform: amd64, Epoch: time.Unix(0, 0), Contexts: named, SourceMap: sm, Helper: helper})
			if !must("LLB of package "+p.Name, err) {
				return
			}
			if _, err := st.Marshal(ctx, llb.Platform(amd64)); err != nil {
				t.Fatalf("marshalling package %s: %v", p.Name, err)
			}
		}
	})
}

// diagsErr is the error diagnostics as the frontend returns them, or nil.
func diagsErr(diags hcl.Diagnostics) error {
	if !diags.HasErrors() {
		return nil
	}
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject == nil {
			return errors.New(d.Error()) // loses its range: must reports it
		}
	}
	return diags
}
