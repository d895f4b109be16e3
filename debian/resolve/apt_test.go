package resolve

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/archive/archivetest"
	"github.com/distill-build/distill/debian/version"
)

// TestResolveAgainstApt asks apt-get -s the questions of resolveCases, on
// the same synthetic index: every closure TestResolve expects is apt's, and
// every request it expects to fail, apt cannot satisfy either.
func TestResolveAgainstApt(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		if testing.Short() {
			t.Skip("apt-get not installed: the synthetic closures are compared with apt's")
		}
		t.Fatal("apt-get not installed: the synthetic closures are compared with apt's (run the tests on Debian)")
	}
	raw, err := os.ReadFile(archivetest.SyntheticFile())
	if err != nil {
		t.Fatal(err)
	}
	ix := archivetest.Synthetic(t)
	const native = "amd64"
	sims := map[string]*aptSim{}
	sim := func(foreign []string) *aptSim {
		archs := append([]string{native}, foreign...)
		k := strings.Join(archs, ",")
		if sims[k] == nil {
			sims[k] = newAptSim(t, aptArchive{suite: "synthetic", component: "main", packages: listsByArch(raw, archs)}, archs)
		}
		return sims[k]
	}

	for _, c := range resolveCases() {
		t.Run(c.name, func(t *testing.T) {
			if c.notApt != "" {
				t.Log("not asked of apt: " + c.notApt)
				return
			}
			args := c.apt
			if args == nil {
				args = c.reqs
			}
			if c.opts.Essential {
				// apt has no switch for "the Essential set": ask for its names.
				var names []string
				for _, p := range ix.Packages() {
					if p.Essential && !slices.Contains(names, p.Name) {
						names = append(names, p.Name)
					}
				}
				sort.Strings(names)
				args = append(slices.Clone(args), names...)
			}
			// An excluded package is, to apt, one installed already, with no
			// dependencies of its own: what it stands for is provided some
			// other way.
			var status strings.Builder
			for _, name := range c.opts.Exclude {
				var best *archive.Package
				for _, p := range ix.Lookup(name) {
					if p.Architecture == native && (best == nil || version.CompareVersions(p.Ver, best.Ver) > 0) {
						best = p
					}
				}
				if best == nil {
					t.Fatalf("excluded %s: not in the index", name)
				}
				fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nVersion: %s\nArchitecture: %s\nMulti-Arch: %s\n\n", best.Name, best.Version, best.Architecture, best.MultiArch)
			}
			r := sim(c.opts.ForeignArchs).solve(t, args, aptSetup{status: status.String(), prefs: c.prefs})
			if c.err {
				// apt must have read the index and found no solution, not
				// failed before.
				if r.installs != nil || r.err == nil || !bytes.Contains(r.out, []byte("Building dependency tree")) {
					t.Fatalf("distill fails with %q; apt-get -s install %s solves it:\n%s", c.want, strings.Join(args, " "), r.out)
				}
				return
			}
			if r.installs == nil {
				t.Fatalf("apt-get -s install %s: no solution (%v):\n%s", strings.Join(args, " "), r.err, r.out)
			}
			// The synthetic libc6 Pre-Depends on libgcc-s1, which depends on
			// libc6: apt solves that but cannot order its installation. The
			// closure is what is compared; any other failure is not excused.
			if r.err != nil && !orderingOnly(r.out) {
				t.Fatalf("apt-get -s install %s: %v\n%s", strings.Join(args, " "), r.err, r.out)
			}
			var got []string
			for k, v := range r.installs {
				got = append(got, k+"="+v)
			}
			sort.Strings(got)
			want := strings.Fields(c.want)
			sort.Strings(want)
			if !slices.Equal(got, want) {
				t.Errorf("apt-get -s install %s:\n%s\nthe case expects\n%s", strings.Join(args, " "), strings.Join(got, " "), strings.Join(want, " "))
			}
		})
	}
}

// orderingOnly reports whether apt's only errors are installations it
// could not order.
func orderingOnly(out []byte) bool {
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "E: ") {
			if !strings.HasPrefix(line, "E: Could not configure '") {
				return false
			}
			n++
		}
	}
	return n > 0
}

// listsByArch splits a Packages file into one list per architecture, as an
// archive serves them: each gets its own packages and the Architecture: all
// ones.
func listsByArch(raw []byte, archs []string) map[string][]byte {
	out := map[string][]byte{}
	for _, para := range bytes.Split(raw, []byte("\n\n")) {
		para = bytes.Trim(para, "\n")
		if len(para) == 0 {
			continue
		}
		var arch string
		for _, line := range strings.Split(string(para), "\n") {
			if a, ok := strings.CutPrefix(line, "Architecture: "); ok {
				arch = a
			}
		}
		for _, a := range archs {
			if arch == a || arch == "all" {
				out[a] = append(append(out[a], para...), "\n\n"...)
			}
		}
	}
	return out
}
