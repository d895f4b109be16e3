package resolve

import (
	"fmt"
	"slices"
	"strings"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/debian/archive"
)

// BuildDepends evaluates a source package's Build-Depends (and
// Build-Depends-Arch, Build-Depends-Indep joined with commas) for a build
// for host on build with the given build profiles, as dpkg-checkbuilddeps
// and sbuild read them: architecture restrictions and profile formulas
// drop what does not apply, the first alternative left is taken, ":native"
// means the build architecture and ":any" any architecture. Each request
// is written as ParseRequest reads it; a relation on the host architecture
// is left unqualified (native) when host is build.
func BuildDepends(field, host, build string, profiles []string) ([]string, error) {
	deps, err := archive.ParseDependencies(field)
	if err != nil {
		return nil, fmt.Errorf("Build-Depends: %w", err)
	}
	var out []string
	for _, d := range deps {
		for _, a := range d {
			if !archApplies(a.ArchRestrictions, host) || !profilesApply(a.Profiles, profiles) {
				continue
			}
			r := Request{Name: a.Name, Op: a.Op, Version: a.Version}
			switch a.Arch {
			case "native":
				if build != host {
					r.Arch = build
				}
			case "", "any":
				// the host's, which the solver takes as native unless the
				// cross sandbox qualifies it
			default:
				r.Arch = a.Arch
			}
			out = append(out, r.String())
			break // the first alternative that applies
		}
	}
	return out, nil
}

// archApplies evaluates "[amd64 !i386]": the positive words list where the
// relation applies, the negated ones where it does not.
func archApplies(words []string, host string) bool {
	if len(words) == 0 {
		return true
	}
	negated := strings.HasPrefix(words[0], "!")
	for _, w := range words {
		if arch.Matches(host, strings.TrimPrefix(w, "!")) {
			return !negated
		}
	}
	return negated
}

// profilesApply evaluates build-profile formulas: the relation applies when
// any "<...>" holds, and one holds when each of its terms does ("nocheck"
// when that profile is active, "!nocheck" when it is not).
func profilesApply(formulas [][]string, active []string) bool {
	if len(formulas) == 0 {
		return true
	}
	for _, f := range formulas {
		holds := true
		for _, term := range f {
			name, neg := strings.CutPrefix(term, "!")
			if slices.Contains(active, name) == neg {
				holds = false
				break
			}
		}
		if holds {
			return true
		}
	}
	return false
}
