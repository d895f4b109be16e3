package lockfile

import (
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// PinnedSource is an http or git source of a package built from source, as
// the definition pins it. The definition holds the pin already; the
// lockfile records it too, so that a changed source shows in the lock's
// review like a changed .deb, and a build refuses a definition that moved
// away from its lock.
type PinnedSource struct {
	Kind string `json:"kind"` // "http" or "git"
	// Repository names the definition's repository whose URL the source's
	// starts with; URL is then relative to it, as a .deb's Filename is:
	// mirror URLs are configuration and are not recorded.
	Repository string `json:"repository,omitempty"`
	URL        string `json:"url"`
	Digest     string `json:"digest,omitempty"` // http: "sha256:…" or "sha512:…"
	Commit     string `json:"commit,omitempty"` // git: the full commit
	Tag        string `json:"tag,omitempty"`    // git: the tag that must resolve to Commit
}

// Pinned source kinds.
const (
	PinnedHTTP = "http"
	PinnedGit  = "git"
)

// String describes the source on one line, with its pin shortened:
// "http debian:pool/main/h/hello/hello_2.10.orig.tar.gz sha256:31e066137a96".
func (s PinnedSource) String() string {
	where := s.URL
	if s.Repository != "" {
		where = s.Repository + ":" + s.URL
	}
	if s.Kind == PinnedGit {
		pin := short(s.Commit)
		if s.Tag != "" {
			pin += " (tag " + s.Tag + ")"
		}
		return "git " + where + " " + pin
	}
	algo, sum, _ := strings.Cut(s.Digest, ":")
	return s.Kind + " " + where + " " + algo + ":" + short(sum)
}

// SetPackageSources pins a package's http and git sources, in the
// definition's order; none removes the package's entry.
func (l *Lockfile) SetPackageSources(pkg string, sources []PinnedSource) {
	if len(sources) == 0 {
		delete(l.PackageSources, pkg)
		return
	}
	if l.PackageSources == nil {
		l.PackageSources = map[string][]PinnedSource{}
	}
	l.PackageSources[pkg] = slices.Clone(sources)
}

// StaleSourceError reports a package whose http or git sources are not the
// ones the lockfile pins. Index is the first source that differs, in the
// definition's order; Want is nil when the definition has fewer sources
// than the lock, Have when it has more.
type StaleSourceError struct {
	Package    string
	Index      int
	Want, Have *PinnedSource
}

func (e *StaleSourceError) Error() string {
	switch {
	case e.Have == nil:
		return fmt.Sprintf("the lockfile does not pin package %s's source %s", e.Package, e.Want)
	case e.Want == nil:
		return fmt.Sprintf("the lockfile pins package %s's source %s, which the definition no longer has", e.Package, e.Have)
	}
	return fmt.Sprintf("the lockfile pins package %s's source as %s; the definition has %s", e.Package, e.Have, e.Want)
}

// CheckPackageSources compares a package's http and git sources, in the
// definition's order, with the ones locked for it: a *StaleSourceError
// when they differ.
func (l *Lockfile) CheckPackageSources(pkg string, want []PinnedSource) error {
	have := l.PackageSources[pkg]
	for i := 0; i < max(len(want), len(have)); i++ {
		e := &StaleSourceError{Package: pkg, Index: i}
		if i < len(want) {
			e.Want = &want[i]
		}
		if i < len(have) {
			e.Have = &have[i]
		}
		if e.Want == nil || e.Have == nil || *e.Want != *e.Have {
			return e
		}
	}
	return nil
}

// validatePackageSources checks that each pin is complete and well formed.
func (l *Lockfile) validatePackageSources() error {
	for pkg, sources := range l.PackageSources {
		for i, s := range sources {
			where := fmt.Sprintf("lockfile: package %s: source %d", pkg, i+1)
			if s.URL == "" {
				return fmt.Errorf("%s: no url", where)
			}
			switch s.Kind {
			case PinnedHTTP:
				algo, sum, _ := strings.Cut(s.Digest, ":")
				size := map[string]int{"sha256": 32, "sha512": 64}[algo]
				if b, err := hex.DecodeString(sum); size == 0 || err != nil || len(b) != size || strings.ToLower(sum) != sum {
					return fmt.Errorf("%s: digest %q is not sha256: or sha512: and lower-case hex digits", where, s.Digest)
				}
				if s.Commit != "" || s.Tag != "" {
					return fmt.Errorf("%s: an http source has no commit or tag", where)
				}
			case PinnedGit:
				if b, err := hex.DecodeString(s.Commit); err != nil || (len(b) != 20 && len(b) != 32) || strings.ToLower(s.Commit) != s.Commit {
					return fmt.Errorf("%s: commit %q is not a full commit in lower-case hex", where, s.Commit)
				}
				if s.Digest != "" {
					return fmt.Errorf("%s: a git source has no digest", where)
				}
			default:
				return fmt.Errorf("%s: kind %q is neither http nor git", where, s.Kind)
			}
		}
	}
	return nil
}

// SourceChanges describes, one line each, the sources whose pins changed
// from old to new: the Debian source packages, and the http and git
// sources of packages built from source. Sorted; either lockfile may be
// nil.
func SourceChanges(old, new *Lockfile) []string {
	var o, n Lockfile
	if old != nil {
		o = *old
	}
	if new != nil {
		n = *new
	}
	var out []string
	for _, k := range unionKeys(o.Sources, n.Sources) {
		a, inOld := o.Sources[k]
		b, inNew := n.Sources[k]
		switch {
		case !inOld:
			out = append(out, fmt.Sprintf("source %s (added)", k))
		case !inNew:
			out = append(out, fmt.Sprintf("source %s (removed)", k))
		case a.Repository != b.Repository || a.Directory != b.Directory || !slices.Equal(a.Files, b.Files):
			out = append(out, fmt.Sprintf("source %s (files changed)", k))
		}
	}
	for _, pkg := range unionKeys(o.PackageSources, n.PackageSources) {
		a, b := o.PackageSources[pkg], n.PackageSources[pkg]
		for i := 0; i < max(len(a), len(b)); i++ {
			switch {
			case i >= len(a):
				out = append(out, fmt.Sprintf("package %s: source %s (added)", pkg, b[i]))
			case i >= len(b):
				out = append(out, fmt.Sprintf("package %s: source %s (removed)", pkg, a[i]))
			case a[i] != b[i]:
				out = append(out, fmt.Sprintf("package %s: source %s -> %s (changed)", pkg, a[i], b[i]))
			}
		}
	}
	return out
}
