package archive

import (
	"fmt"
	"sync"

	"github.com/distill-build/distill/debian/version"
)

// MultiArch is the value of a package's Multi-Arch field.
type MultiArch uint8

const (
	MultiArchNo      MultiArch = iota // absent or "no": only satisfies its own architecture
	MultiArchSame                     // co-installable with itself on other architectures
	MultiArchForeign                  // satisfies dependencies of every architecture
	MultiArchAllowed                  // satisfies "pkg:any" dependencies of every architecture
)

func parseMultiArch(s string) (MultiArch, bool) {
	switch s {
	case "", "no":
		return MultiArchNo, true
	case "same":
		return MultiArchSame, true
	case "foreign":
		return MultiArchForeign, true
	case "allowed":
		return MultiArchAllowed, true
	}
	return MultiArchNo, false
}

func (m MultiArch) String() string {
	switch m {
	case MultiArchNo:
		return "no"
	case MultiArchSame:
		return "same"
	case MultiArchForeign:
		return "foreign"
	case MultiArchAllowed:
		return "allowed"
	}
	return fmt.Sprintf("MultiArch(%d)", uint8(m))
}

// Package is one binary package of an archive index (a paragraph of a
// Packages file), with the fields distill uses.
//
// Relationship fields are kept as written and parsed on first use (most
// packages of an index are never looked at); the parsed forms are cached and
// safe for concurrent use.
type Package struct {
	Name         string
	Version      string          // exactly as in the index
	Ver          version.Version // Version, parsed
	Architecture string          // an architecture name, or "all"
	MultiArch    MultiArch
	Essential    bool
	Important    bool // "Important: yes" (apt's "protected" packages)
	Priority     string
	Section      string

	// Source is the source package's name: the Source field without its
	// version, or Name when the field is absent. SourceVersion is the
	// version in the Source field, or Version when it has none.
	Source        string
	SourceVersion string

	Filename      string // the .deb's path relative to the archive root
	Size          int64  // of the .deb, in bytes
	SHA256        string // of the .deb, lower-case hex
	InstalledSize int64  // in KiB, as the index says

	// Repository names the repository the index came from (set by
	// IndexOptions), for lockfiles and messages; may be "".
	Repository string

	// Relationship fields as written in the index.
	RawPreDepends, RawDepends, RawRecommends, RawProvides string
	RawConflicts, RawBreaks                               string

	relOnce sync.Once
	rels    *Relations
	relErr  error
}

// Relations are a package's parsed relationship fields.
type Relations struct {
	PreDepends, Depends, Recommends []Dependency
	Conflicts, Breaks               []Dependency
}

// String returns "name version arch", as apt prints a candidate.
func (p *Package) String() string {
	return p.Name + " " + p.Version + " " + p.Architecture
}

// Key returns "name:arch", which identifies a package in a solution.
func (p *Package) Key() string { return p.Name + ":" + p.Architecture }

func (p *Package) Relations() (*Relations, error) {
	p.relOnce.Do(func() {
		r := &Relations{}
		parse := func(field, s string, dst *[]Dependency) {
			if s == "" || p.relErr != nil {
				return
			}
			d, err := ParseDependencies(s)
			if err != nil {
				p.relErr = fmt.Errorf("package %s %s (%s): %s: %w", p.Name, p.Version, p.Architecture, field, err)
				return
			}
			*dst = d
		}
		parse("Pre-Depends", p.RawPreDepends, &r.PreDepends)
		parse("Depends", p.RawDepends, &r.Depends)
		parse("Recommends", p.RawRecommends, &r.Recommends)
		parse("Conflicts", p.RawConflicts, &r.Conflicts)
		parse("Breaks", p.RawBreaks, &r.Breaks)
		p.rels = r
	})
	return p.rels, p.relErr
}

// PreDepends returns the parsed Pre-Depends field.
func (p *Package) PreDepends() ([]Dependency, error) {
	r, err := p.Relations()
	if err != nil {
		return nil, err
	}
	return r.PreDepends, nil
}

// Depends returns the parsed Depends field.
func (p *Package) Depends() ([]Dependency, error) {
	r, err := p.Relations()
	if err != nil {
		return nil, err
	}
	return r.Depends, nil
}

// Recommends returns the parsed Recommends field.
func (p *Package) Recommends() ([]Dependency, error) {
	r, err := p.Relations()
	if err != nil {
		return nil, err
	}
	return r.Recommends, nil
}

// Conflicts returns the parsed Conflicts field.
func (p *Package) Conflicts() ([]Dependency, error) {
	r, err := p.Relations()
	if err != nil {
		return nil, err
	}
	return r.Conflicts, nil
}

// Breaks returns the parsed Breaks field.
func (p *Package) Breaks() ([]Dependency, error) {
	r, err := p.Relations()
	if err != nil {
		return nil, err
	}
	return r.Breaks, nil
}

// Provides returns the parsed Provides field.
func (p *Package) Provides() ([]Provide, error) {
	if p.RawProvides == "" {
		return nil, nil
	}
	return ParseProvides(p.RawProvides)
}
