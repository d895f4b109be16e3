package resolve

import (
	"fmt"
	"strings"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/version"
)

// Request asks for a package: by name, optionally for one architecture and
// within a version relation. A versioned request also pins the package: every
// dependency on it is resolved within the relation too.
type Request struct {
	Name string
	// Arch is "" for the native architecture (or an Architecture: all
	// package), or an architecture name.
	Arch    string
	Op      version.Relation // RelNone for any version
	Version version.Version  // valid when Op != RelNone
}

// ParseRequest parses a request as a definition writes it: "name",
// "name:arch", "name (>= 1.2)", "name:arch (= 1.2-3)", or apt's "name=1.2-3".
func ParseRequest(s string) (Request, error) {
	s = strings.TrimSpace(s)
	if name, ver, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(s, "()") {
		v, err := version.ParseVersion(ver)
		if err != nil {
			return Request{}, fmt.Errorf("package request %q: %w", s, err)
		}
		r, err := ParseRequest(name)
		if err != nil {
			return Request{}, err
		}
		r.Op, r.Version = version.RelEQ, v
		return r, nil
	}
	deps, err := archive.ParseDependencies(s)
	if err != nil {
		return Request{}, fmt.Errorf("package request %q: %w", s, err)
	}
	if len(deps) != 1 || len(deps[0]) != 1 {
		return Request{}, fmt.Errorf("package request %q: want one package, without alternatives", s)
	}
	a := deps[0][0]
	if len(a.ArchRestrictions) > 0 || len(a.Profiles) > 0 {
		return Request{}, fmt.Errorf("package request %q: architecture restrictions and build profiles are not allowed", s)
	}
	if a.Arch == "any" || a.Arch == "native" {
		return Request{}, fmt.Errorf("package request %q: name an architecture, or none for the native one", s)
	}
	return Request{Name: a.Name, Arch: a.Arch, Op: a.Op, Version: a.Version}, nil
}

// String writes the request as ParseRequest reads it.
func (r Request) String() string { return r.alternative().String() }

func (r Request) alternative() archive.Alternative {
	return archive.Alternative{Name: r.Name, Arch: r.Arch, Op: r.Op, Version: r.Version}
}
