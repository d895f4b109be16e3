package archive

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/distill-build/distill/debian/control"
	"github.com/distill-build/distill/debian/version"
)

// Index is a set of binary packages, from one Packages file or several merged
// (a suite and its security and updates suites, or several components). It
// is read-only once built and safe for concurrent use.
type Index struct {
	pkgs   []*Package
	byName map[string][]*Package
	slab   []*Package // see add

	provOnce sync.Once
	provides map[string][]Provider
	provErr  error
}

// Provider is one package providing a virtual name.
type Provider struct {
	Package   *Package
	Version   version.Version
	Versioned bool
	Arch      string // the Provides entry's qualifier; "" when none
}

// IndexOptions describe where a Packages file came from.
type IndexOptions struct {
	// File names the index in error messages, e.g.
	// "dists/bookworm/main/binary-amd64/Packages".
	File string
	// Repository is copied into every Package.Repository.
	Repository string
}

// ParsePackages reads a Packages index (uncompressed; see DecompressIndex).
func ParsePackages(r io.Reader) (*Index, error) {
	return ParsePackagesWith(r, IndexOptions{})
}

// ParsePackagesWith is ParsePackages with options.
func ParsePackagesWith(r io.Reader, o IndexOptions) (*Index, error) {
	cr := control.NewControlReader(r, o.File)
	ix := &Index{byName: make(map[string][]*Package, 1<<16)}
	var (
		lower [32]byte
		vals  [numFields][]byte
		sb    strings.Builder
		chunk []Package
	)
	for {
		para, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		// Find the fields we keep, then copy their values into one string
		// per paragraph: one allocation instead of one per field.
		vals = [numFields][]byte{}
		total := 0
		for i := 0; i < para.Len(); i++ {
			name, value := para.Field(i)
			id := canonicalFieldID(string(name))
			if id == fieldIgnored {
				continue
			}
			if id < 0 {
				// Not spelled as Debian spells it: compare without case.
				if len(name) > len(lower) {
					continue
				}
				for j, c := range name {
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					lower[j] = c
				}
				if id = fieldID(string(lower[:len(name)])); id < 0 {
					continue
				}
			}
			vals[id] = value
			total += len(value)
		}
		sb = strings.Builder{}
		sb.Grow(total)
		for _, v := range vals {
			sb.Write(v)
		}
		all := sb.String()
		var str [numFields]string
		off := 0
		for id, v := range vals {
			str[id] = all[off : off+len(v)]
			off += len(v)
		}

		if len(chunk) == 0 {
			chunk = make([]Package, 256)
		}
		p := &chunk[0]
		chunk = chunk[1:]
		p.Repository = o.Repository
		p.Name = str[fPackage]
		p.Version = str[fVersion]
		p.Architecture = str[fArchitecture]
		ma, ok := parseMultiArch(str[fMultiArch])
		if !ok {
			return nil, cr.Errorf(para.Line, "package %s: invalid Multi-Arch %q", p.Name, str[fMultiArch])
		}
		p.MultiArch = ma
		p.Essential = str[fEssential] == "yes"
		p.Important = str[fImportant] == "yes" || str[fProtected] == "yes"
		p.Priority = str[fPriority]
		p.Section = str[fSection]
		source := str[fSource]
		p.Filename = str[fFilename]
		if s := str[fSize]; s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return nil, cr.Errorf(para.Line, "package %s: invalid Size %q", p.Name, s)
			}
			p.Size = n
		}
		p.SHA256 = str[fSHA256]
		if n, err := strconv.ParseInt(str[fInstalledSize], 10, 64); err == nil {
			p.InstalledSize = n
		}
		p.RawPreDepends = str[fPreDepends]
		p.RawDepends = str[fDepends]
		p.RawRecommends = str[fRecommends]
		p.RawProvides = str[fProvides]
		p.RawConflicts = str[fConflicts]
		p.RawBreaks = str[fBreaks]
		if p.Name == "" {
			return nil, cr.Errorf(para.Line, "paragraph without a Package field")
		}
		if p.Version == "" || p.Architecture == "" {
			return nil, cr.Errorf(para.Line, "package %s: missing Version or Architecture", p.Name)
		}
		v, err := version.ParseVersion(p.Version)
		if err != nil {
			return nil, cr.Errorf(para.Line, "package %s: %v", p.Name, err)
		}
		p.Ver = v
		p.Source, p.SourceVersion = p.Name, p.Version
		if source != "" {
			name, ver, ok := strings.Cut(source, "(")
			p.Source = strings.TrimSpace(name)
			if ok {
				p.SourceVersion = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(ver), ")"))
			}
		}
		ix.add(p)
	}
	return ix, nil
}

// The fields of a Packages paragraph that ParsePackages keeps.
const (
	fPackage = iota
	fVersion
	fArchitecture
	fMultiArch
	fEssential
	fImportant
	fProtected
	fPriority
	fSection
	fSource
	fFilename
	fSize
	fSHA256
	fInstalledSize
	fPreDepends
	fDepends
	fRecommends
	fProvides
	fConflicts
	fBreaks
	numFields
)

// fieldIgnored marks fields that ParsePackages knows it does not keep.
const fieldIgnored = -2

// canonicalFieldID is fieldID for names spelled as the archive spells them,
// including the common fields ParsePackages ignores (fieldIgnored), so that
// only unusual names need lower-casing; -1 for anything else.
func canonicalFieldID(name string) int {
	switch name {
	case "Package":
		return fPackage
	case "Version":
		return fVersion
	case "Architecture":
		return fArchitecture
	case "Multi-Arch":
		return fMultiArch
	case "Essential":
		return fEssential
	case "Important":
		return fImportant
	case "Protected":
		return fProtected
	case "Priority":
		return fPriority
	case "Section":
		return fSection
	case "Source":
		return fSource
	case "Filename":
		return fFilename
	case "Size":
		return fSize
	case "SHA256":
		return fSHA256
	case "Installed-Size":
		return fInstalledSize
	case "Pre-Depends":
		return fPreDepends
	case "Depends":
		return fDepends
	case "Recommends":
		return fRecommends
	case "Provides":
		return fProvides
	case "Conflicts":
		return fConflicts
	case "Breaks":
		return fBreaks
	case "Description", "Description-md5", "Maintainer", "MD5sum", "Homepage", "Tag",
		"Suggests", "Replaces", "Enhances", "Built-Using", "SHA1", "SHA512":
		return fieldIgnored
	}
	return -1
}

// fieldID returns the constant above for a lower-case field name, or -1. A
// switch is markedly faster than a map here: it runs for every field of an
// index (1.5 million in bookworm's main).
func fieldID(lower string) int {
	switch lower {
	case "package":
		return fPackage
	case "version":
		return fVersion
	case "architecture":
		return fArchitecture
	case "multi-arch":
		return fMultiArch
	case "essential":
		return fEssential
	case "important":
		return fImportant
	case "protected":
		return fProtected
	case "priority":
		return fPriority
	case "section":
		return fSection
	case "source":
		return fSource
	case "filename":
		return fFilename
	case "size":
		return fSize
	case "sha256":
		return fSHA256
	case "installed-size":
		return fInstalledSize
	case "pre-depends":
		return fPreDepends
	case "depends":
		return fDepends
	case "recommends":
		return fRecommends
	case "provides":
		return fProvides
	case "conflicts":
		return fConflicts
	case "breaks":
		return fBreaks
	}
	return -1
}

// NewIndex returns an index of the given packages. Each needs at least Name,
// Version, Ver and Architecture.
func NewIndex(pkgs ...*Package) *Index {
	ix := &Index{byName: make(map[string][]*Package, len(pkgs))}
	for _, p := range pkgs {
		ix.add(p)
	}
	return ix
}

func (ix *Index) add(p *Package) {
	ix.pkgs = append(ix.pkgs, p)
	if l, ok := ix.byName[p.Name]; ok {
		ix.byName[p.Name] = append(l, p)
		return
	}
	// Most names have one package: give them one-element slices cut from a
	// shared array rather than an allocation each.
	if len(ix.slab) == 0 {
		ix.slab = make([]*Package, 1024)
	}
	l := ix.slab[:1:1]
	ix.slab = ix.slab[1:]
	l[0] = p
	ix.byName[p.Name] = l
}

// MergeIndexes returns one index holding the packages of all of them, in
// order. A package with the same name, version and architecture in several
// indexes is kept once, from the first index that has it.
func MergeIndexes(indexes ...*Index) *Index {
	n := 0
	for _, ix := range indexes {
		n += len(ix.pkgs)
	}
	out := &Index{byName: make(map[string][]*Package, n)}
	for _, ix := range indexes {
		for _, p := range ix.pkgs {
			dup := false
			for _, q := range out.byName[p.Name] {
				if q.Version == p.Version && q.Architecture == p.Architecture {
					dup = true
					break
				}
			}
			if !dup {
				out.add(p)
			}
		}
	}
	return out
}

// Len returns the number of packages.
func (ix *Index) Len() int { return len(ix.pkgs) }

// Packages returns all packages, in index order. The slice must not be
// modified.
func (ix *Index) Packages() []*Package { return ix.pkgs }

// Lookup returns the packages called name (every version and architecture),
// in index order. The slice must not be modified.
func (ix *Index) Lookup(name string) []*Package { return ix.byName[name] }

// Providers returns the packages whose Provides name the virtual package.
func (ix *Index) Providers(name string) ([]Provider, error) {
	ix.provOnce.Do(ix.buildProvides)
	return ix.provides[name], ix.provErr
}

func (ix *Index) buildProvides() {
	n := 0
	for _, p := range ix.pkgs {
		if p.RawProvides != "" {
			n += 1 + strings.Count(p.RawProvides, ",")
		}
	}
	ix.provides = make(map[string][]Provider, n)
	// As in add: most names have one provider, so cut their one-element
	// slices from one array.
	slab := make([]Provider, n)
	for _, p := range ix.pkgs {
		if p.RawProvides == "" {
			continue
		}
		provs, err := ParseProvides(p.RawProvides)
		if err != nil {
			ix.provErr = fmt.Errorf("package %s %s (%s): Provides: %w", p.Name, p.Version, p.Architecture, err)
			return
		}
		for _, pr := range provs {
			e := Provider{Package: p, Version: pr.Version, Versioned: pr.Versioned, Arch: pr.Arch}
			if l, ok := ix.provides[pr.Name]; ok {
				ix.provides[pr.Name] = append(l, e)
				continue
			}
			if len(slab) == 0 {
				slab = make([]Provider, 256)
			}
			l := slab[:1:1]
			slab = slab[1:]
			l[0] = e
			ix.provides[pr.Name] = l
		}
	}
}
