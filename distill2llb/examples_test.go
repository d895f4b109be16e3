package distill2llb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestExamplesFromLock plans and lowers every image of every example that has
// a committed lockfile, for each of its platforms, from the lock alone: the
// planner gets no fetcher, so any index or network access fails the test. It
// checks the README's count of helper runs for Debian 12's python3 and that
// every architecture gets the same versions.
func TestExamplesFromLock(t *testing.T) {
	defs, err := filepath.Glob("../examples/*/distill.hcl")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	helper := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}}
	planned := 0
	for _, file := range defs {
		lockData, err := os.ReadFile(lockfile.Name(file))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		lock, err := lockfile.Parse(lockData)
		if err != nil {
			t.Fatalf("%s: %v", lockfile.Name(file), err)
		}
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		written, diags := definition.Parse(file, src, definition.Options{Args: args})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		def, diags := plan.Lower(written)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		example := filepath.Base(filepath.Dir(file))
		for _, img := range def.Images {
			plats, err := plan.Platforms(img, nil, ocispecs.Platform{OS: "linux", Architecture: "amd64"})
			if err != nil {
				t.Fatal(err)
			}
			pkgs, err := plan.Packages(t.Context(), def, img, plats, lock, plan.Options{BuildPlatform: ocispecs.Platform{OS: "linux", Architecture: "amd64"}})
			if err != nil {
				t.Errorf("%s %s: %v", example, img.Name, err)
				continue
			}
			// The same versions on every architecture, where a package
			// exists on several (Multi-Arch: same pairs and arch: all).
			versions := map[string]string{}
			for a, d := range pkgs {
				for _, g := range d.Groups {
					for _, pk := range g {
						if v, ok := versions[pk.Name]; ok && v != pk.Version {
							t.Errorf("%s %s: %s is %s on one architecture and %s on %s", example, img.Name, pk.Name, v, pk.Version, a)
						}
						versions[pk.Name] = pk.Version
					}
				}
			}
			for _, p := range plats {
				d := pkgs[arch.ForPlatform(p)]
				st, _, err := Image(img, Options{Platform: p, Epoch: time.Unix(0, 0), Packages: d.Groups, CACertificates: d.CA, Built: d.Built, Helper: helper})
				if err != nil {
					t.Fatalf("%s %s %s: %v", example, img.Name, arch.ForPlatform(p), err)
				}
				runs, debs := helperRuns(t, st, p)
				if img.NeedsArchive() && runs == 0 {
					t.Errorf("%s %s %s: no helper run", example, img.Name, arch.ForPlatform(p))
				}
				if example == "distroless-debian12" && img.Name == "python3" && (runs != 6 || debs != 40) {
					t.Errorf("python3 %s: %d helper runs for %d .debs, the README says 6 for 40", arch.ForPlatform(p), runs, debs)
				}
				planned++
			}
		}
	}
	if planned < 40 {
		t.Errorf("planned %d image platforms; the examples have more", planned)
	}
}

// helperRuns counts the exec ops of an image's LLB (each one helper run) and
// the .debs they read (HTTP sources).
func helperRuns(t *testing.T, st llb.State, p ocispecs.Platform) (runs, debs int) {
	t.Helper()
	def, err := st.Marshal(t.Context(), llb.Platform(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(dt); err != nil {
			t.Fatal(err)
		}
		switch {
		case op.GetExec() != nil:
			runs++
		case op.GetSource() != nil && filepath.Ext(op.GetSource().Identifier) == ".deb":
			debs++
		}
	}
	return runs, debs
}

// TestChangedPackageRerunsItsGroup: a package whose .deb changes (a
// security update, say) changes the LLB of one helper run only, so a
// rebuild of Debian 12's python3 unpacks one group again, not all six.
func TestChangedPackageRerunsItsGroup(t *testing.T) {
	_, def, lock := example(t, "distroless-debian12")
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	helper := &Helper{State: llb.Image("distill-frontend"), Path: "/bin/distill-frontend", Platform: amd64}
	execs := func(lock *lockfile.Lockfile) map[string]bool {
		t.Helper()
		img := def.Image("python3")
		pkgs, err := plan.Packages(t.Context(), def, img, []ocispecs.Platform{amd64}, lock, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		d := pkgs["amd64"]
		st, _, err := Image(img, Options{Platform: amd64, Epoch: time.Unix(0, 0), Packages: d.Groups, CACertificates: d.CA, Helper: helper})
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.Marshal(t.Context(), llb.Platform(amd64))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, dt := range m.Def {
			var op pb.Op
			if err := op.UnmarshalVT(dt); err != nil {
				t.Fatal(err)
			}
			if op.GetExec() != nil {
				out[string(digest.FromBytes(dt))] = true
			}
		}
		return out
	}
	before := execs(lock)
	changed := false
	for i, p := range lock.Architectures["amd64"].Packages {
		if p.Name == "libexpat1" {
			lock.Architectures["amd64"].Packages[i].SHA256 = strings.Repeat("0", 64)
			changed = true
		}
	}
	if !changed {
		t.Fatal("python3's lock has no libexpat1 for amd64")
	}
	after := execs(lock)
	rerun := 0
	for d := range after {
		if !before[d] {
			rerun++
		}
	}
	if len(before) != 6 || rerun != 1 {
		t.Errorf("python3 has %d helper runs; a changed .deb reruns %d of them, want 1", len(before), rerun)
	}
}

// example reads an example's definition, lowered, and its lockfile, with
// the mirrors the tests of the examples name.
func example(t *testing.T, name string) (src []byte, def *definition.Definition, lock *lockfile.Lockfile) {
	t.Helper()
	file := "../examples/" + name + "/distill.hcl"
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lockData, err := os.ReadFile(lockfile.Name(file))
	if err != nil {
		t.Fatal(err)
	}
	if lock, err = lockfile.Parse(lockData); err != nil {
		t.Fatalf("%s: %v", lockfile.Name(file), err)
	}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	written, diags := definition.Parse(file, src, definition.Options{Args: args})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if def, diags = plan.Lower(written); diags.HasErrors() {
		t.Fatal(diags)
	}
	return src, def, lock
}
