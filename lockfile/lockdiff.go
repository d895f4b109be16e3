package lockfile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/distill-build/distill/debian/version"
)

// ChangeKind says how a locked package changed between two lockfiles.
type ChangeKind string

const (
	Added      ChangeKind = "added"
	Removed    ChangeKind = "removed"
	Upgraded   ChangeKind = "upgraded"
	Downgraded ChangeKind = "downgraded"
	// Rebuilt: same version, different bytes (a new upload of the same
	// version, which the Debian archive never does: worth a close look),
	// or a different archive path.
	Rebuilt ChangeKind = "rebuilt"
)

// Change is one package's change between two lockfiles.
type Change struct {
	Arch string // the lockfile architecture
	Key  string // the package's key within it ("name" or "name:arch")
	Kind ChangeKind
	// Old and New are nil for Added and Removed respectively.
	Old, New *LockedPackage
}

// String describes the change on one line, e.g.
// "amd64 libssl3 3.0.15-1~deb12u1 -> 3.0.16-1~deb12u1 (upgraded)".
func (c Change) String() string {
	switch c.Kind {
	case Added:
		return fmt.Sprintf("%s %s %s (added)", c.Arch, c.Key, c.New.Version)
	case Removed:
		return fmt.Sprintf("%s %s %s (removed)", c.Arch, c.Key, c.Old.Version)
	case Rebuilt:
		what := "sha256 " + short(c.Old.SHA256) + " -> " + short(c.New.SHA256)
		if c.Old.Filename != c.New.Filename {
			what = c.Old.Filename + " -> " + c.New.Filename
		}
		return fmt.Sprintf("%s %s %s (rebuilt: %s)", c.Arch, c.Key, c.New.Version, what)
	}
	return fmt.Sprintf("%s %s %s -> %s (%s)", c.Arch, c.Key, c.Old.Version, c.New.Version, c.Kind)
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12]
	}
	return sum
}

// Diff reports, package by package, what changed from old to new: sorted by
// architecture, then key. Changes to Depends alone are not reported: they
// follow from the package changes. Either lockfile may be nil (empty).
func Diff(old, new *Lockfile) []Change {
	archs := map[string]bool{}
	for _, l := range []*Lockfile{old, new} {
		if l != nil {
			for a := range l.Architectures {
				archs[a] = true
			}
		}
	}
	var out []Change
	for _, arch := range sortedKeys(archs) {
		om, nm := lockedByKey(old, arch), lockedByKey(new, arch)
		for _, k := range unionKeys(om, nm) {
			o, n := om[k], nm[k]
			c := Change{Arch: arch, Key: k, Old: o, New: n}
			switch {
			case o == nil:
				c.Kind = Added
			case n == nil:
				c.Kind = Removed
			default:
				ov, err1 := version.ParseVersion(o.Version)
				nv, err2 := version.ParseVersion(n.Version)
				cmp := 0
				if err1 == nil && err2 == nil {
					cmp = version.CompareVersions(ov, nv)
				} else if o.Version != n.Version {
					cmp = strings.Compare(o.Version, n.Version)
				}
				switch {
				case cmp < 0:
					c.Kind = Upgraded
				case cmp > 0:
					c.Kind = Downgraded
				case o.SHA256 != n.SHA256 || o.Filename != n.Filename || o.Size != n.Size:
					c.Kind = Rebuilt
				default:
					continue
				}
			}
			out = append(out, c)
		}
	}
	return out
}

func lockedByKey(l *Lockfile, arch string) map[string]*LockedPackage {
	m := map[string]*LockedPackage{}
	if l == nil || l.Architectures[arch] == nil {
		return m
	}
	la := l.Architectures[arch]
	for i := range la.Packages {
		m[la.Packages[i].Key(arch)] = &la.Packages[i]
	}
	return m
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FormatChanges writes changes one per line, with a summary line, as
// `distill lock` prints them; "" when there are none.
func FormatChanges(changes []Change) string {
	if len(changes) == 0 {
		return ""
	}
	counts := map[ChangeKind]int{}
	var b strings.Builder
	for _, c := range changes {
		counts[c.Kind]++
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	var parts []string
	for _, k := range []ChangeKind{Upgraded, Downgraded, Added, Removed, Rebuilt} {
		if counts[k] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
	}
	b.WriteString(strings.Join(parts, ", "))
	b.WriteByte('\n')
	return b.String()
}
