package resolve

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/version"
)

// Options control Resolve.
type Options struct {
	// Arch is the native architecture ("amd64", "arm64", ...): the
	// architecture of the image or build sandbox. Required.
	Arch string
	// ForeignArchs may satisfy dependencies too, as dpkg's
	// --add-architecture allows: packages of these architectures that are
	// Multi-Arch: foreign (or allowed, for "pkg:any"), and packages
	// requested as "name:arch". The indexes must hold their packages.
	ForeignArchs []string
	// Essential adds every Essential: yes package and its dependencies,
	// which a build sandbox (anything that runs dpkg or a shell) needs. A
	// runtime image gets exactly the closure of its requests.
	Essential bool
	// Exclude names packages never to install. A dependency that one of
	// them would satisfy is taken as satisfied (the image provides what it
	// stands for some other way, or does not need it).
	Exclude []string
	// Prefer maps package names to versions to choose when the index has
	// them and they satisfy the versioned requests, instead of the highest version: the
	// versions of a lockfile being refreshed, or of another architecture's
	// selection so that every architecture gets the same versions where
	// the archive allows (see Selection.Versions).
	Prefer map[string]string
}

// Selected is one package of a Selection.
type Selected struct {
	*archive.Package
	// Requested is true for packages named by a request (or added as
	// Essential), false for those pulled in as dependencies.
	Requested bool
	// Depends lists the keys (see Selection) of the selected packages that
	// satisfy this package's Pre-Depends and Depends; sorted.
	Depends []string
	// RequiredBy lists the keys of the selected packages that depend on
	// this one; sorted.
	RequiredBy []string
}

// Selection is a solved, closed set of packages for one architecture.
type Selection struct {
	Arch string
	// Packages, sorted by name, then architecture.
	Packages []*Selected
}

// Key returns the name by which a selection refers to p: its name when its
// architecture is the selection's or "all", otherwise "name:arch".
func (s *Selection) Key(p *archive.Package) string { return packageKey(p, s.Arch) }

func packageKey(p *archive.Package, native string) string {
	if p.Architecture == native || p.Architecture == "all" {
		return p.Name
	}
	return p.Name + ":" + p.Architecture
}

// Lookup returns the selected package with the given key, or nil.
func (s *Selection) Lookup(key string) *Selected {
	for _, p := range s.Packages {
		if packageKey(p.Package, s.Arch) == key {
			return p
		}
	}
	return nil
}

// Keys returns the keys of the selected packages, in the selection's order.
func (s *Selection) Keys() []string {
	out := make([]string, len(s.Packages))
	for i, p := range s.Packages {
		out[i] = packageKey(p.Package, s.Arch)
	}
	return out
}

// Versions maps the names of the selected packages to their versions, for
// Options.Prefer.
func (s *Selection) Versions() map[string]string {
	m := make(map[string]string, len(s.Packages))
	for _, p := range s.Packages {
		m[p.Name] = p.Version
	}
	return m
}

// UnsatisfiableError reports a request that cannot be met, with the chain of
// packages that led to the failing dependency.
type UnsatisfiableError struct {
	// Chain holds the keys of the packages from the request down to the one
	// whose dependency fails; empty when the request itself fails.
	Chain []string
	// Dependency is the failing relation as written, e.g. "libfoo (>= 2)".
	Dependency string
	Reason     string
}

func (e *UnsatisfiableError) Error() string {
	var b strings.Builder
	for _, c := range e.Chain {
		b.WriteString(c)
		b.WriteString(" -> ")
	}
	b.WriteString(e.Dependency)
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// maxSteps bounds the work of one Resolve (packages tried, counting retries
// after a failed alternative), so that a pathological index cannot make it
// run for ever.
const maxSteps = 200000

// Resolve computes the closure of requests over the index: for each request
// and, recursively, each Pre-Depends and Depends
// of each selected package, a package that satisfies it.
//
// Choices are apt's where apt's are deterministic:
//   - a package's candidate is its highest version (within pins, or the
//     preferred version when Options.Prefer names one that is available);
//     only candidates are ever installed;
//   - a dependency already satisfied by a selected package needs nothing
//     more; otherwise the first alternative that can be installed with its
//     whole closure wins, trying a real package before the packages that
//     provide the name (those already selected first, then by Essential,
//     Priority, name);
//   - a candidate that conflicts with (Conflicts, Breaks, or a second
//     architecture of a package that is not Multi-Arch: same) a selected
//     package is not installable.
//
// Every request (and, with Options.Essential, every Essential package) is
// selected first, as apt-get install marks them; then their dependencies are
// resolved in request order, depth first, in field order. The Selection is
// sorted, so equal inputs give equal outputs.
func Resolve(ix *archive.Index, requests []Request, o Options) (*Selection, error) {
	if o.Arch == "" {
		return nil, errors.New("resolve: no architecture given")
	}
	r := &resolver{
		ix:       ix,
		o:        o,
		native:   o.Arch,
		archs:    append([]string{o.Arch}, o.ForeignArchs...),
		exclude:  map[string]bool{},
		pins:     map[string][]Request{},
		cands:    map[candKey]candResult{},
		sel:      map[*archive.Package]*Selected{},
		byName:   map[string][]*archive.Package{},
		conflict: map[string][]conflictRef{},
	}
	for _, n := range o.Exclude {
		r.exclude[n] = true
	}
	for _, q := range requests {
		if r.exclude[q.Name] {
			return nil, fmt.Errorf("%s is both requested and excluded", q.Name)
		}
		if q.Arch != "" && !r.archAllowed(q.Arch) {
			return nil, &UnsatisfiableError{Dependency: q.String(), Reason: fmt.Sprintf("architecture %s is neither the native one (%s) nor a foreign one in the options", q.Arch, r.native)}
		}
		if q.Op != version.RelNone {
			r.pins[q.Name] = append(r.pins[q.Name], q)
		}
	}

	if o.Essential {
		var names []string
		seen := map[string]bool{}
		for _, p := range ix.Packages() {
			if p.Essential && !seen[p.Name] && r.archAllowedPkg(p) && !r.exclude[p.Name] {
				seen[p.Name] = true
				names = append(names, p.Name)
			}
		}
		sort.Strings(names)
		requests = slices.Clip(requests) // the caller's array is not ours to write
		for _, n := range names {
			requests = append(requests, Request{Name: n})
		}
	}

	// As apt-get install does, every request is selected before any
	// dependency is resolved: a dependency that a requested package
	// satisfies needs nothing more, whatever the order of the requests. So
	// asking for usr-is-merged keeps init-system-helpers' "usrmerge |
	// usr-is-merged" from pulling in usrmerge and perl, and asking for
	// postfix next to a package that needs a mail-transport-agent gets
	// postfix rather than a conflicting exim4.
	var picked []*archive.Package
	for _, q := range requests {
		p, err := r.pick(q)
		if err != nil {
			return nil, err
		}
		if p == nil {
			continue
		}
		if r.sel[p] == nil {
			if err := r.mark(p); err != nil {
				return nil, err
			}
			picked = append(picked, p)
		}
		r.sel[p].Requested = true
	}
	for _, p := range picked {
		if err := r.resolveDeps(p); err != nil {
			return nil, err
		}
	}
	return r.selection(), nil
}

type resolver struct {
	ix      *archive.Index
	o       Options
	native  string
	archs   []string // native first
	exclude map[string]bool
	pins    map[string][]Request
	cands   map[candKey]candResult

	// The selection, with a journal to undo a failed alternative.
	sel      map[*archive.Package]*Selected
	journal  []*archive.Package
	byName   map[string][]*archive.Package
	conflict map[string][]conflictRef // by the name a selected package conflicts with

	stack []string // keys of the packages being resolved, for errors
	steps int
}

type candKey struct{ name, arch string }

type candResult struct {
	p   *archive.Package
	why string // when p is nil
}

type conflictRef struct {
	from *archive.Package
	alt  archive.Alternative
	kind string // "conflicts with" or "breaks"
}

func (r *resolver) archAllowed(a string) bool {
	for _, x := range r.archs {
		if x == a {
			return true
		}
	}
	return false
}

func (r *resolver) archAllowedPkg(p *archive.Package) bool {
	return p.Architecture == "all" || r.archAllowed(p.Architecture)
}

// effArch is the architecture a package is installed as: its own, or the
// native one for Architecture: all.
func (r *resolver) effArch(p *archive.Package) string {
	if p.Architecture == "all" {
		return r.native
	}
	return p.Architecture
}

func (r *resolver) key(p *archive.Package) string { return packageKey(p, r.native) }

// candidate returns the package that would be installed for name on arch.
func (r *resolver) candidate(name, arch string) (*archive.Package, string) {
	k := candKey{name, arch}
	if c, ok := r.cands[k]; ok {
		return c.p, c.why
	}
	var (
		best      *archive.Package
		preferred *archive.Package
		any       bool
		avail     []string
	)
	prefer, hasPrefer := r.o.Prefer[name]
	for _, p := range r.ix.Lookup(name) {
		if r.effArch(p) != arch || !r.archAllowedPkg(p) {
			continue
		}
		any = true
		ok := true
		for _, pin := range r.pins[name] {
			if (pin.Arch == "" || pin.Arch == arch) && !version.Satisfies(p.Ver, pin.Op, pin.Version) {
				ok = false
				break
			}
		}
		if !ok {
			avail = append(avail, p.Version)
			continue
		}
		if hasPrefer && p.Version == prefer && preferred == nil {
			preferred = p
		}
		if best == nil || version.CompareVersions(p.Ver, best.Ver) > 0 {
			best = p
		}
	}
	if preferred != nil {
		best = preferred
	}
	var why string
	if best == nil {
		switch {
		case any:
			var pins []string
			for _, pin := range r.pins[name] {
				pins = append(pins, pin.String())
			}
			why = fmt.Sprintf("no version allowed by %s (available: %s)", strings.Join(pins, ", "), strings.Join(avail, ", "))
		case len(r.ix.Lookup(name)) > 0:
			var archs []string
			for _, p := range r.ix.Lookup(name) {
				archs = append(archs, p.Architecture)
			}
			sort.Strings(archs)
			why = fmt.Sprintf("no candidate for %s (the index has it for %s)", arch, strings.Join(dedupe(archs), ", "))
		default:
			why = "no candidate"
		}
	}
	r.cands[k] = candResult{best, why}
	return best, why
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// archMatches reports whether p, installed, satisfies alt on the arch
// qualifier alone, for a dependency of a package installed as fromArch.
func (r *resolver) archMatches(p *archive.Package, alt archive.Alternative, fromArch string) bool {
	pa := r.effArch(p)
	switch alt.Arch {
	case "":
		return pa == fromArch || p.MultiArch == archive.MultiArchForeign
	case "any":
		return p.MultiArch == archive.MultiArchAllowed
	case "native":
		return pa == r.native || p.MultiArch == archive.MultiArchForeign
	default:
		return pa == alt.Arch
	}
}

// satisfies reports whether p, installed, satisfies alt as a real package.
func (r *resolver) satisfiesReal(p *archive.Package, alt archive.Alternative, fromArch string) bool {
	return p.Name == alt.Name && r.archMatches(p, alt, fromArch) && version.Satisfies(p.Ver, alt.Op, alt.Version)
}

// satisfiesVirtual reports whether the provides entry pr satisfies alt.
func (r *resolver) satisfiesVirtual(pr archive.Provider, alt archive.Alternative, fromArch string) bool {
	if !r.archMatches(pr.Package, alt, fromArch) {
		return false
	}
	if alt.Op == version.RelNone {
		return true
	}
	return pr.Versioned && version.Satisfies(pr.Version, alt.Op, alt.Version)
}

// satisfiedBy returns the selected package that satisfies dep, if any;
// excluded reports a dependency satisfied by an excluded name.
func (r *resolver) satisfiedBy(dep archive.Dependency, fromArch string) (p *archive.Package, excluded bool, err error) {
	for _, alt := range dep {
		if r.exclude[alt.Name] {
			return nil, true, nil
		}
		for _, s := range r.byName[alt.Name] {
			if r.satisfiesReal(s, alt, fromArch) {
				return s, false, nil
			}
		}
		provs, err := r.ix.Providers(alt.Name)
		if err != nil {
			return nil, false, err
		}
		for _, pr := range provs {
			if r.sel[pr.Package] != nil && r.satisfiesVirtual(pr, alt, fromArch) {
				return pr.Package, false, nil
			}
		}
	}
	return nil, false, nil
}

// satisfiers returns the candidates that would satisfy alt, best first, or
// why there are none.
func (r *resolver) satisfiers(alt archive.Alternative, fromArch string) ([]*archive.Package, string, error) {
	var (
		out     []*archive.Package
		reasons []string
	)
	// The real package.
	var archs []string
	switch alt.Arch {
	case "":
		archs = append([]string{fromArch}, r.archs...)
		// A foreign package's need for a Multi-Arch: foreign package is
		// met by the native one when there is one, as apt meets it: it
		// runs without emulation.
		if c, _ := r.candidate(alt.Name, r.native); fromArch != r.native && c != nil && c.MultiArch == archive.MultiArchForeign {
			archs = append([]string{r.native}, archs...)
		}
	case "any":
		archs = append([]string{fromArch}, r.archs...)
	case "native":
		archs = []string{r.native}
	default:
		if !r.archAllowed(alt.Arch) {
			return nil, fmt.Sprintf("architecture %s is not enabled", alt.Arch), nil
		}
		archs = []string{alt.Arch}
	}
	var realWhy string
	tried := map[string]bool{}
	for i, a := range archs {
		if tried[a] {
			continue
		}
		tried[a] = true
		c, why := r.candidate(alt.Name, a)
		if c == nil {
			if i == 0 {
				realWhy = why
			}
			continue
		}
		if !r.archMatches(c, alt, fromArch) {
			if i == 0 && alt.Arch == "any" {
				realWhy = fmt.Sprintf("%s %s is not Multi-Arch: allowed", c.Name, c.Version)
			}
			continue
		}
		if !version.Satisfies(c.Ver, alt.Op, alt.Version) {
			realWhy = fmt.Sprintf("candidate %s %s does not satisfy (%s %s)", c.Name, c.Version, alt.Op, alt.Version)
			continue
		}
		out = append(out, c)
		break
	}

	// Packages providing the name.
	provs, err := r.ix.Providers(alt.Name)
	if err != nil {
		return nil, "", err
	}
	var virt []*archive.Package
	var provNames []string
	for _, pr := range provs {
		p := pr.Package
		if !r.archAllowedPkg(p) {
			continue
		}
		provNames = append(provNames, p.Name)
		if c, _ := r.candidate(p.Name, r.effArch(p)); c != p {
			continue
		}
		if r.satisfiesVirtual(pr, alt, fromArch) && !containsPkg(virt, p) && !containsPkg(out, p) {
			virt = append(virt, p)
		}
	}
	sort.SliceStable(virt, func(i, j int) bool { return r.providerLess(virt[i], virt[j]) })
	out = append(out, virt...)

	if len(out) == 0 {
		switch {
		case realWhy != "" && realWhy != "no candidate":
			reasons = append(reasons, realWhy)
		case len(provNames) == 0:
			reasons = append(reasons, "no candidate")
		}
		if len(provNames) > 0 {
			sort.Strings(provNames)
			reasons = append(reasons, fmt.Sprintf("virtual package provided by %s, none of which satisfies it", strings.Join(dedupe(provNames), ", ")))
		}
	}
	return out, strings.Join(reasons, "; "), nil
}

func containsPkg(ps []*archive.Package, p *archive.Package) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

var priorityRank = map[string]int{"required": 0, "important": 1, "standard": 2, "optional": 3, "extra": 4}

func rankOf(p *archive.Package) int {
	if r, ok := priorityRank[p.Priority]; ok {
		return r
	}
	return 5
}

func (r *resolver) providerLess(a, b *archive.Package) bool {
	if sa, sb := r.sel[a] != nil, r.sel[b] != nil; sa != sb {
		return sa
	}
	if a.Essential != b.Essential {
		return a.Essential
	}
	if ra, rb := rankOf(a), rankOf(b); ra != rb {
		return ra < rb
	}
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Architecture < b.Architecture
}

// pick returns the package that meets request q: a selected one, or the
// candidate to select; nil when an excluded package stands for it.
func (r *resolver) pick(q Request) (*archive.Package, error) {
	alt := q.alternative()
	fromArch := r.native
	if q.Arch != "" {
		fromArch = q.Arch
	}
	dep := archive.Dependency{alt}
	if p, _, err := r.satisfiedBy(dep, fromArch); err != nil || p != nil {
		return p, err
	}
	sats, why, err := r.satisfiers(alt, fromArch)
	if err != nil {
		return nil, err
	}
	// A request naming a purely virtual package provided by several
	// packages is ambiguous, as in apt: ask for one of them.
	if len(sats) > 1 {
		if c, _ := r.candidate(alt.Name, fromArch); c == nil {
			var names []string
			for _, s := range sats {
				names = append(names, r.key(s))
			}
			return nil, &UnsatisfiableError{Dependency: q.String(), Reason: "virtual package provided by " + strings.Join(names, ", ") + "; request one of them"}
		}
	}
	if len(sats) == 0 {
		return nil, &UnsatisfiableError{Dependency: q.String(), Reason: why}
	}
	p := sats[0]
	if r.exclude[p.Name] {
		return nil, nil
	}
	if why := r.conflicts(p); why != "" {
		return nil, &UnsatisfiableError{Dependency: q.String(), Reason: why}
	}
	return p, nil
}

// install selects p and resolves its dependencies; on error the selection is
// left as it was before.
func (r *resolver) install(p *archive.Package) error {
	if r.sel[p] != nil {
		return nil
	}
	mark := len(r.journal)
	if err := r.mark(p); err != nil {
		return err
	}
	if err := r.resolveDeps(p); err != nil {
		r.rollback(mark)
		return err
	}
	return nil
}

// mark selects p alone, its dependencies not resolved yet.
func (r *resolver) mark(p *archive.Package) error {
	r.steps++
	if r.steps > maxSteps {
		return fmt.Errorf("resolve: gave up after %d steps (at %s)", maxSteps, strings.Join(append(r.stack, r.key(p)), " -> "))
	}
	rels, err := p.Relations()
	if err != nil {
		return err
	}
	r.sel[p] = &Selected{Package: p}
	r.journal = append(r.journal, p)
	r.byName[p.Name] = append(r.byName[p.Name], p)
	for _, kind := range [2]string{"conflicts with", "breaks"} {
		deps := rels.Conflicts
		if kind == "breaks" {
			deps = rels.Breaks
		}
		for _, d := range deps {
			for _, a := range d {
				r.conflict[a.Name] = append(r.conflict[a.Name], conflictRef{from: p, alt: a, kind: kind})
			}
		}
	}
	return nil
}

// resolveDeps satisfies the Pre-Depends and Depends of the selected p. On
// error the caller rolls back.
func (r *resolver) resolveDeps(p *archive.Package) error {
	rels, err := p.Relations()
	if err != nil {
		return err
	}
	s := r.sel[p]
	r.stack = append(r.stack, r.key(p))
	defer func() { r.stack = r.stack[:len(r.stack)-1] }()
	fromArch := r.effArch(p)
	for _, group := range [][]archive.Dependency{rels.PreDepends, rels.Depends} {
		for _, dep := range group {
			sat, err := r.satisfy(dep, fromArch)
			if err != nil {
				return err
			}
			if sat != nil {
				s.Depends = append(s.Depends, r.key(sat))
			}
		}
	}
	return nil
}

// satisfy makes sure dep is satisfied, installing a package if needed, and
// returns the selected package that satisfies it (nil when an excluded name
// does).
func (r *resolver) satisfy(dep archive.Dependency, fromArch string) (*archive.Package, error) {
	p, excluded, err := r.satisfiedBy(dep, fromArch)
	if err != nil || p != nil || excluded {
		return p, err
	}
	var (
		reasons  []string
		firstErr error
	)
	for _, alt := range dep {
		sats, why, err := r.satisfiers(alt, fromArch)
		if err != nil {
			return nil, err
		}
		if len(sats) == 0 {
			reasons = append(reasons, prefixReason(dep, alt, why))
			continue
		}
		for _, c := range sats {
			if r.exclude[c.Name] {
				return nil, nil
			}
			if why := r.conflicts(c); why != "" {
				reasons = append(reasons, prefixReason(dep, alt, why))
				continue
			}
			mark := len(r.journal)
			err := r.install(c)
			if err == nil {
				return c, nil
			}
			r.rollback(mark)
			var ue *UnsatisfiableError
			if !errors.As(err, &ue) {
				return nil, err
			}
			if firstErr == nil {
				firstErr = err
			}
		}
	}
	if firstErr != nil {
		// Some alternative had a candidate whose own dependencies fail:
		// that deeper chain says more than "no alternative".
		return nil, firstErr
	}
	return nil, &UnsatisfiableError{
		Chain:      append([]string(nil), r.stack...),
		Dependency: dep.String(),
		Reason:     strings.Join(reasons, "; "),
	}
}

func prefixReason(dep archive.Dependency, alt archive.Alternative, why string) string {
	if len(dep) == 1 {
		return why
	}
	return alt.Name + ": " + why
}

// rollback undoes the selections made after the journal had mark entries.
func (r *resolver) rollback(mark int) {
	for i := len(r.journal) - 1; i >= mark; i-- {
		p := r.journal[i]
		delete(r.sel, p)
		l := r.byName[p.Name]
		r.byName[p.Name] = l[:len(l)-1]
		if rels, err := p.Relations(); err == nil {
			for _, deps := range [2][]archive.Dependency{rels.Breaks, rels.Conflicts} {
				for j := len(deps) - 1; j >= 0; j-- {
					for k := len(deps[j]) - 1; k >= 0; k-- {
						n := deps[j][k].Name
						c := r.conflict[n]
						r.conflict[n] = c[:len(c)-1]
					}
				}
			}
		}
	}
	r.journal = r.journal[:mark]
}

// conflicts returns why c cannot be installed next to the selection, or "".
func (r *resolver) conflicts(c *archive.Package) string {
	// Another architecture of the same package.
	for _, s := range r.byName[c.Name] {
		if s != c && !(s.MultiArch == archive.MultiArchSame && c.MultiArch == archive.MultiArchSame && s.Version == c.Version) {
			return fmt.Sprintf("%s %s (%s) cannot be installed next to the selected %s %s (%s)", c.Name, c.Version, c.Architecture, s.Name, s.Version, s.Architecture)
		}
	}
	provs, _ := c.Provides()
	// Selected packages' Conflicts and Breaks against c.
	check := func(ref conflictRef) string {
		if ref.from == c || ref.from.Name == c.Name {
			return ""
		}
		if ref.alt.Name == c.Name && version.Satisfies(c.Ver, ref.alt.Op, ref.alt.Version) {
			return fmt.Sprintf("the selected %s %s %s %s", ref.from.Name, ref.from.Version, ref.kind, ref.alt)
		}
		for _, pr := range provs {
			if pr.Name == ref.alt.Name && (ref.alt.Op == version.RelNone || pr.Versioned && version.Satisfies(pr.Version, ref.alt.Op, ref.alt.Version)) {
				return fmt.Sprintf("the selected %s %s %s %s, which %s %s provides", ref.from.Name, ref.from.Version, ref.kind, ref.alt, c.Name, c.Version)
			}
		}
		return ""
	}
	for _, ref := range r.conflict[c.Name] {
		if why := check(ref); why != "" {
			return why
		}
	}
	for _, pr := range provs {
		for _, ref := range r.conflict[pr.Name] {
			if why := check(ref); why != "" {
				return why
			}
		}
	}
	// c's Conflicts and Breaks against the selection.
	rels, err := c.Relations()
	if err != nil {
		return err.Error()
	}
	for _, kind := range [2]string{"conflicts with", "breaks"} {
		deps := rels.Conflicts
		if kind == "breaks" {
			deps = rels.Breaks
		}
		for _, d := range deps {
			for _, a := range d {
				for _, s := range r.byName[a.Name] {
					if s.Name != c.Name && version.Satisfies(s.Ver, a.Op, a.Version) {
						return fmt.Sprintf("%s %s %s %s, and %s %s is selected", c.Name, c.Version, kind, a, s.Name, s.Version)
					}
				}
				provs, _ := r.ix.Providers(a.Name)
				for _, pr := range provs {
					s := pr.Package
					if r.sel[s] == nil || s == c || s.Name == c.Name {
						continue
					}
					if a.Op == version.RelNone || pr.Versioned && version.Satisfies(pr.Version, a.Op, a.Version) {
						return fmt.Sprintf("%s %s %s %s, which the selected %s %s provides", c.Name, c.Version, kind, a, s.Name, s.Version)
					}
				}
			}
		}
	}
	return ""
}

// selection builds the sorted result.
func (r *resolver) selection() *Selection {
	out := &Selection{Arch: r.native}
	for _, p := range r.journal {
		out.Packages = append(out.Packages, r.sel[p])
	}
	sort.Slice(out.Packages, func(i, j int) bool {
		a, b := out.Packages[i], out.Packages[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Architecture < b.Architecture
	})
	byKey := make(map[string]*Selected, len(out.Packages))
	for _, s := range out.Packages {
		byKey[r.key(s.Package)] = s
	}
	for _, s := range out.Packages {
		s.Depends = sortedUnique(s.Depends)
		for _, d := range s.Depends {
			if t := byKey[d]; t != nil && t != s {
				t.RequiredBy = append(t.RequiredBy, r.key(s.Package))
			}
		}
	}
	for _, s := range out.Packages {
		s.RequiredBy = sortedUnique(s.RequiredBy)
	}
	return out
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	sort.Strings(s)
	return dedupe(s)
}
