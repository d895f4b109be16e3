// Package lockfile reads and writes distill.lock.json, the lockfile next to a
// definition: every package each architecture installs, pinned by version,
// archive path and sha256, and what each image was locked from (its inputs
// and closure), and the sources of packages built from source, so a build
// fetches the same bytes without reading any index and a stale lock is found.
// It also diffs two locks for `distill lock`.
package lockfile

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/distill-build/distill/debian/resolve"
	"github.com/distill-build/distill/debian/version"
)

// LockfileVersion is the version of the lockfile format that this package
// writes and reads.
const LockfileVersion = 2

// Lockfile pins, per architecture, every package a definition installs: the
// exact version, the .deb's archive path, SHA256 and size, so that a build
// fetches the same bytes without reading any index.
//
// The format is JSON, not HCL like the definition it sits next to, because:
//   - it is written by a tool, not by hand: it has no use for variables,
//     functions or expressions, and JSON cannot hold any, so there is nothing
//     to evaluate and nothing that could differ between readers;
//   - encoding/json round-trips it exactly and deterministically (struct
//     fields in declaration order, map keys sorted) without a custom writer,
//     and keeps the solver free of HCL; writing HCL deterministically would
//     mean hclwrite and its formatting rules;
//   - every tool reads it: jq, vulnerability scanners, dependency-update
//     bots, review scripts (apko's lockfile is JSON for the same reasons);
//   - indented with one field per line and packages sorted by name, a
//     refresh shows in a code review as one small hunk per changed package.
type Lockfile struct {
	Version int `json:"version"`
	// LockedAt is when the indexes were read, to the second in UTC: every
	// locked file was in its archive then, so a repository's snapshot as of
	// this time still serves one the mirror has since dropped.
	LockedAt time.Time `json:"locked_at,omitzero"`
	// Images records each image's inputs and closure (see LockedImage).
	Images map[string]*LockedImage `json:"images,omitempty"`
	// Architectures maps a Debian architecture name ("amd64", "arm64") to
	// the packages locked for it.
	Architectures map[string]*LockedArch `json:"architectures"`
	// Sources pins the Debian source packages packages build from, by
	// SourceKey.
	Sources map[string]LockedSource `json:"sources,omitempty"`
	// PackageSources pins the http and git sources of each package built
	// from source, by package name, in the definition's order.
	PackageSources map[string][]PinnedSource `json:"package_sources,omitempty"`
}

// LockedArch holds the packages locked for one architecture: the union of
// the closures of every image and build sandbox built for it.
type LockedArch struct {
	// Packages, sorted by name, then architecture.
	Packages []LockedPackage `json:"packages"`
}

// LockedPackage is one locked .deb.
type LockedPackage struct {
	Name         string `json:"name"`
	Version      string `json:"version"`
	Architecture string `json:"architecture"` // the package's: "all" or the locked one (or a foreign one)
	// Repository names the definition's repository block it came from.
	Repository string `json:"repository,omitempty"`
	// Filename is the .deb's path relative to the repository's URL, as the
	// index's Filename field gives it.
	Filename string `json:"filename"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	// Source is the source package; SourceVersion its version when it
	// differs from Version (binNMUs, and binaries that version separately).
	Source        string `json:"source"`
	SourceVersion string `json:"source_version,omitempty"`
	// Depends holds the keys ("name", or "name:arch" for a package of
	// another architecture) of the locked packages that satisfy this one's
	// dependencies, so that a closure can be taken from the lockfile alone.
	Depends []string `json:"depends,omitempty"`
}

// Key returns "name", or "name:arch" when the package is neither of arch nor
// Architecture: all.
func (p *LockedPackage) Key(arch string) string {
	if p.Architecture == arch || p.Architecture == "all" {
		return p.Name
	}
	return p.Name + ":" + p.Architecture
}

// New returns an empty lockfile.
func New() *Lockfile {
	return &Lockfile{Version: LockfileVersion, Architectures: map[string]*LockedArch{}}
}

func lockedFromSelected(s *resolve.Selected) LockedPackage {
	lp := LockedPackage{
		Name:         s.Name,
		Version:      s.Version,
		Architecture: s.Architecture,
		Repository:   s.Repository,
		Filename:     s.Filename,
		SHA256:       s.SHA256,
		Size:         s.Size,
		Source:       s.Source,
		Depends:      append([]string(nil), s.Depends...),
	}
	if s.SourceVersion != s.Version {
		lp.SourceVersion = s.SourceVersion
	}
	return lp
}

// Add merges a selection into the lockfile's entries for its architecture.
// The same package selected twice (by two images) must have the same
// version and hash; its Depends become the union of both.
func (l *Lockfile) Add(sel *resolve.Selection) error {
	if l.Architectures == nil {
		l.Architectures = map[string]*LockedArch{}
	}
	if l.Version == 0 {
		l.Version = LockfileVersion
	}
	la := l.Architectures[sel.Arch]
	if la == nil {
		la = &LockedArch{}
		l.Architectures[sel.Arch] = la
	}
	idx := make(map[string]int, len(la.Packages))
	for i := range la.Packages {
		idx[la.Packages[i].Key(sel.Arch)] = i
	}
	for _, s := range sel.Packages {
		lp := lockedFromSelected(s)
		k := lp.Key(sel.Arch)
		if i, ok := idx[k]; ok {
			old := &la.Packages[i]
			if old.Version != lp.Version || old.SHA256 != lp.SHA256 {
				return fmt.Errorf("lockfile: %s for %s selected as %s and as %s: resolve every image of an architecture against the same indexes, preferring the locked versions", k, sel.Arch, old.Version, lp.Version)
			}
			old.Depends = sortedUnique(append(old.Depends, lp.Depends...))
			continue
		}
		idx[k] = len(la.Packages)
		la.Packages = append(la.Packages, lp)
	}
	la.sort(sel.Arch)
	return nil
}

func (la *LockedArch) sort(arch string) {
	sort.Slice(la.Packages, func(i, j int) bool {
		a, b := &la.Packages[i], &la.Packages[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Architecture < b.Architecture
	})
	for i := range la.Packages {
		la.Packages[i].Depends = sortedUnique(la.Packages[i].Depends)
	}
}

// Marshal writes the lockfile: indented JSON ending in a newline, packages
// sorted, the same bytes for the same content.
func (l *Lockfile) Marshal() ([]byte, error) {
	c := l.clone()
	for arch, la := range c.Architectures {
		la.sort(arch)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Parse reads a lockfile, strictly: unknown fields, an unknown
// version, duplicate or malformed entries are errors.
func Parse(data []byte) (*Lockfile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var l Lockfile
	if err := dec.Decode(&l); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			// Hand edits and interrupted copies end here, not a tool's write.
			return nil, fmt.Errorf("lockfile: the JSON ends early (a truncated or half-edited file?); run distill lock to rewrite it: %w", err)
		}
		return nil, fmt.Errorf("lockfile: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("lockfile: data after the JSON object")
	}
	if l.Version != LockfileVersion {
		return nil, fmt.Errorf("lockfile: version %d, want %d: an older distill wrote it; run distill lock to rewrite it", l.Version, LockfileVersion)
	}
	if l.Architectures == nil {
		l.Architectures = map[string]*LockedArch{}
	}
	for arch, la := range l.Architectures {
		if la == nil {
			return nil, fmt.Errorf("lockfile: architecture %s is null", arch)
		}
		la.sort(arch)
	}
	if err := l.validate(); err != nil {
		return nil, err
	}
	return &l, nil
}

func (l *Lockfile) clone() *Lockfile {
	c := &Lockfile{Version: l.Version, LockedAt: l.LockedAt, Images: l.Images, Sources: l.Sources, PackageSources: l.PackageSources, Architectures: make(map[string]*LockedArch, len(l.Architectures))}
	if c.Version == 0 {
		c.Version = LockfileVersion
	}
	for arch, la := range l.Architectures {
		n := &LockedArch{Packages: make([]LockedPackage, len(la.Packages))}
		copy(n.Packages, la.Packages)
		for i := range n.Packages {
			n.Packages[i].Depends = append([]string(nil), n.Packages[i].Depends...)
		}
		c.Architectures[arch] = n
	}
	return c
}

func (l *Lockfile) validate() error {
	if err := l.validateImages(); err != nil {
		return err
	}
	if err := l.validateSources(); err != nil {
		return err
	}
	if err := l.validatePackageSources(); err != nil {
		return err
	}
	for arch, la := range l.Architectures {
		if arch == "" || strings.ContainsAny(arch, " :/") {
			return fmt.Errorf("lockfile: invalid architecture %q", arch)
		}
		keys := make(map[string]bool, len(la.Packages))
		for i := range la.Packages {
			p := &la.Packages[i]
			where := fmt.Sprintf("lockfile: %s: package %d (%s)", arch, i+1, p.Name)
			if p.Name == "" || p.Version == "" || p.Architecture == "" || p.Filename == "" {
				return fmt.Errorf("%s: name, version, architecture and filename are required", where)
			}
			if _, err := version.ParseVersion(p.Version); err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			if b, err := hex.DecodeString(p.SHA256); err != nil || len(b) != 32 || strings.ToLower(p.SHA256) != p.SHA256 {
				return fmt.Errorf("%s: sha256 %q is not 64 lower-case hex digits", where, p.SHA256)
			}
			if p.Size < 0 {
				return fmt.Errorf("%s: negative size", where)
			}
			if strings.HasPrefix(p.Filename, "/") || strings.Contains("/"+p.Filename+"/", "/../") {
				return fmt.Errorf("%s: filename %q must be a relative path inside the archive", where, p.Filename)
			}
			k := p.Key(arch)
			if keys[k] {
				return fmt.Errorf("lockfile: %s: %s is locked twice", arch, k)
			}
			keys[k] = true
		}
		for i := range la.Packages {
			for _, d := range la.Packages[i].Depends {
				if !keys[d] {
					return fmt.Errorf("lockfile: %s: %s depends on %s, which is not locked", arch, la.Packages[i].Name, d)
				}
			}
		}
	}
	return nil
}

// NotLockedError reports a package a definition asks for that the lockfile
// does not hold, or an image (or sandbox) it holds no record of. The
// caller says what to do: it knows the command.
type NotLockedError struct {
	Arch   string
	Key    string
	Record bool // Key names an image's or sandbox's record, not a package
}

func (e *NotLockedError) Error() string {
	if e.Record {
		return fmt.Sprintf("the lockfile has no record of %s for %s: it was locked before that was added, or for other platforms", e.Key, e.Arch)
	}
	return fmt.Sprintf("the lockfile has no package %s for %s: the definition asks for more than was locked", e.Key, e.Arch)
}

// Lookup returns the locked package with the given key for arch, or nil.
func (l *Lockfile) Lookup(arch, key string) *LockedPackage {
	la := l.Architectures[arch]
	if la == nil {
		return nil
	}
	for i := range la.Packages {
		if la.Packages[i].Key(arch) == key {
			return &la.Packages[i]
		}
	}
	return nil
}

// Closure returns the locked packages that the keys need for arch,
// following the locked Depends, sorted by name. A key the lockfile does not
// hold is a *NotLockedError.
func (l *Lockfile) Closure(arch string, keys []string) ([]LockedPackage, error) {
	la := l.Architectures[arch]
	if la == nil {
		if len(keys) == 0 {
			return nil, nil
		}
		return nil, &NotLockedError{Arch: arch, Key: keys[0]}
	}
	byKey := make(map[string]*LockedPackage, len(la.Packages))
	for i := range la.Packages {
		byKey[la.Packages[i].Key(arch)] = &la.Packages[i]
	}
	seen := map[string]bool{}
	var out []LockedPackage
	var walk func(k string) error
	walk = func(k string) error {
		if seen[k] {
			return nil
		}
		p := byKey[k]
		if p == nil {
			return &NotLockedError{Arch: arch, Key: k}
		}
		seen[k] = true
		out = append(out, *p)
		for _, d := range p.Depends {
			if err := walk(d); err != nil {
				return err
			}
		}
		return nil
	}
	for _, k := range keys {
		if err := walk(k); err != nil {
			return nil, err
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Architecture < out[j].Architecture
	})
	return out, nil
}

// sortedUnique sorts s and drops repeats; empty is nil, so JSON omits it.
func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// Name is the lockfile next to a definition: distill.hcl locks into
// distill.lock.json.
func Name(definition string) string {
	return strings.TrimSuffix(definition, path.Ext(definition)) + ".lock.json"
}
