package archive

import (
	"fmt"
	"strings"

	"github.com/distill-build/distill/debian/version"
)

// Dependency is one element of a relationship field such as Depends: a list
// of alternatives written "a | b | c", of which one must be satisfied.
type Dependency []Alternative

// Alternative is one package relation: "name[:arch] [(op version)]", with the
// architecture restrictions "[...]" and build profiles "<...>" that source
// packages may add.
type Alternative struct {
	Name string
	// Arch is the architecture qualifier after a colon: "" (none), "any",
	// "native", or an architecture name.
	Arch    string
	Op      version.Relation // RelNone for an unversioned relation
	Version version.Version  // valid when Op != RelNone

	// ArchRestrictions holds the words of "[amd64 !i386]" as written; empty
	// when absent. Only source package fields carry them.
	ArchRestrictions []string
	// Profiles holds each "<...>" build-profile formula as its words, e.g.
	// [["!nocheck"], ["stage1", "cross"]]. Only source package fields
	// carry them.
	Profiles [][]string
}

// String writes the alternative as a control file would.
func (a Alternative) String() string {
	var b strings.Builder
	a.write(&b)
	return b.String()
}

func (a Alternative) write(b *strings.Builder) {
	b.WriteString(a.Name)
	if a.Arch != "" {
		b.WriteByte(':')
		b.WriteString(a.Arch)
	}
	if a.Op != version.RelNone {
		b.WriteString(" (")
		b.WriteString(a.Op.String())
		b.WriteByte(' ')
		b.WriteString(a.Version.String())
		b.WriteByte(')')
	}
	if len(a.ArchRestrictions) > 0 {
		b.WriteString(" [")
		b.WriteString(strings.Join(a.ArchRestrictions, " "))
		b.WriteByte(']')
	}
	for _, p := range a.Profiles {
		b.WriteString(" <")
		b.WriteString(strings.Join(p, " "))
		b.WriteByte('>')
	}
}

// String writes the dependency as a control file would: "a (>= 1) | b".
func (d Dependency) String() string {
	var b strings.Builder
	for i, a := range d {
		if i > 0 {
			b.WriteString(" | ")
		}
		a.write(&b)
	}
	return b.String()
}

// DependencyError reports a relationship field that does not parse.
type DependencyError struct {
	Text   string // the field value
	Offset int    // byte offset of the problem in Text
	Msg    string
}

func (e *DependencyError) Error() string {
	return fmt.Sprintf("invalid relationship at offset %d of %q: %s", e.Offset, truncateString(e.Text, 120), e.Msg)
}

func truncateString(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// ParseDependencies parses a relationship field (Depends, Pre-Depends,
// Recommends, Conflicts, Breaks, Build-Depends, ...) per Debian policy §7.1:
// comma-separated dependencies, each a "|"-separated list of alternatives.
// Line breaks count as blanks. Empty elements (as left by a trailing comma)
// are skipped.
func ParseDependencies(s string) ([]Dependency, error) {
	p := depParser{s: s}
	n := 1 + strings.Count(s, ",")
	deps := make([]Dependency, 0, n)
	for {
		p.skipSpace()
		if p.i >= len(s) {
			return deps, nil
		}
		if s[p.i] == ',' {
			p.i++
			continue
		}
		var d Dependency
		for {
			a, err := p.alternative()
			if err != nil {
				return nil, err
			}
			d = append(d, a)
			p.skipSpace()
			if p.i < len(s) && s[p.i] == '|' {
				p.i++
				continue
			}
			break
		}
		deps = append(deps, d)
		p.skipSpace()
		if p.i >= len(s) {
			return deps, nil
		}
		if s[p.i] != ',' {
			return nil, p.errorf("expected \",\" or \"|\", found %q", s[p.i])
		}
		p.i++
	}
}

// Provide is one element of a Provides field: a virtual package name with an
// optional exact version ("foo (= 1.2)").
type Provide struct {
	Name    string
	Arch    string // architecture qualifier; dpkg allows none in Provides
	Version version.Version
	// Versioned is true for "name (= version)".
	Versioned bool
}

// ParseProvides parses a Provides field: comma-separated names, each with an
// optional "(= version)". Alternatives and other relations are errors, as in
// dpkg.
func ParseProvides(s string) ([]Provide, error) {
	p := depParser{s: s}
	out := make([]Provide, 0, 1+strings.Count(s, ","))
	for {
		p.skipSpace()
		if p.i >= len(s) {
			return out, nil
		}
		if s[p.i] == ',' {
			p.i++
			continue
		}
		start := p.i
		a, err := p.alternative()
		if err != nil {
			return nil, err
		}
		if a.Op != version.RelNone && a.Op != version.RelEQ {
			p.i = start
			return nil, p.errorf("only \"=\" is allowed in Provides, got %q", a.Op)
		}
		if len(a.ArchRestrictions) > 0 || len(a.Profiles) > 0 {
			p.i = start
			return nil, p.errorf("architecture restrictions and profiles are not allowed in Provides")
		}
		out = append(out, Provide{Name: a.Name, Arch: a.Arch, Version: a.Version, Versioned: a.Op == version.RelEQ})
		p.skipSpace()
		if p.i >= len(s) {
			return out, nil
		}
		if s[p.i] != ',' {
			return nil, p.errorf("expected \",\", found %q", s[p.i])
		}
		p.i++
	}
}

type depParser struct {
	s string
	i int
}

func (p *depParser) errorf(format string, args ...any) error {
	return &DependencyError{Text: p.s, Offset: p.i, Msg: fmt.Sprintf(format, args...)}
}

func (p *depParser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// word reads a run of characters that are not blanks or punctuation of the
// relationship syntax.
func (p *depParser) word() string {
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', ',', '|', '(', ')', '[', ']', '<', '>', ':', '=':
			return p.s[start:p.i]
		}
		p.i++
	}
	return p.s[start:p.i]
}

func (p *depParser) alternative() (Alternative, error) {
	var a Alternative
	p.skipSpace()
	a.Name = p.word()
	if a.Name == "" {
		if p.i >= len(p.s) {
			return a, p.errorf("missing package name at end")
		}
		return a, p.errorf("expected a package name, found %q", p.s[p.i])
	}
	if p.i < len(p.s) && p.s[p.i] == ':' {
		p.i++
		a.Arch = p.word()
		if a.Arch == "" {
			return a, p.errorf("empty architecture qualifier after %q", a.Name)
		}
	}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		p.skipSpace()
		opStart := p.i
		for p.i < len(p.s) && (p.s[p.i] == '<' || p.s[p.i] == '>' || p.s[p.i] == '=') {
			p.i++
		}
		op, err := version.ParseRelation(p.s[opStart:p.i])
		if err != nil {
			p.i = opStart
			return a, p.errorf("%v", err)
		}
		p.skipSpace()
		vStart := p.i
		for p.i < len(p.s) && p.s[p.i] != ')' && p.s[p.i] != ' ' && p.s[p.i] != '\t' && p.s[p.i] != '\n' {
			p.i++
		}
		v, err := version.ParseVersion(p.s[vStart:p.i])
		if err != nil {
			p.i = vStart
			return a, p.errorf("%v", err)
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return a, p.errorf("expected \")\" after the version of %q", a.Name)
		}
		p.i++
		a.Op, a.Version = op, v
		p.skipSpace()
	}
	if p.i < len(p.s) && p.s[p.i] == '[' {
		p.i++
		for {
			p.skipSpace()
			if p.i >= len(p.s) {
				return a, p.errorf("unterminated architecture restriction of %q", a.Name)
			}
			if p.s[p.i] == ']' {
				p.i++
				break
			}
			w := p.restrictionWord()
			if w == "" {
				return a, p.errorf("unexpected %q in the architecture restriction of %q", p.s[p.i], a.Name)
			}
			a.ArchRestrictions = append(a.ArchRestrictions, w)
		}
		if len(a.ArchRestrictions) == 0 {
			return a, p.errorf("empty architecture restriction of %q", a.Name)
		}
		p.skipSpace()
	}
	for p.i < len(p.s) && p.s[p.i] == '<' {
		p.i++
		var formula []string
		for {
			p.skipSpace()
			if p.i >= len(p.s) {
				return a, p.errorf("unterminated build profile of %q", a.Name)
			}
			if p.s[p.i] == '>' {
				p.i++
				break
			}
			w := p.restrictionWord()
			if w == "" {
				return a, p.errorf("unexpected %q in a build profile of %q", p.s[p.i], a.Name)
			}
			formula = append(formula, w)
		}
		if len(formula) == 0 {
			return a, p.errorf("empty build profile of %q", a.Name)
		}
		a.Profiles = append(a.Profiles, formula)
		p.skipSpace()
	}
	return a, nil
}

// restrictionWord reads an optionally negated word inside [...] or <...>.
func (p *depParser) restrictionWord() string {
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '!' {
		p.i++
	}
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r', ']', '>', '[', '<', ',', '|':
			return p.s[start:p.i]
		}
		p.i++
	}
	return p.s[start:p.i]
}
