package lockfile

import (
	"fmt"
	"slices"
	"strings"
)

// Update is one package's newer version in the archive, over every
// architecture that has it.
type Update struct {
	Name, Old, New string
	Archs          []string
	Security       bool     // from a security suite (SUITE-security)
	Images         []string // the images whose closure holds it, sorted
}

// Updates gathers the upgrades among changes from old to fresh, one per
// package and version pair: security updates first, then by name.
func Updates(changes []Change, old, fresh *Lockfile) []Update {
	suites := repositorySuites(fresh)
	var out []Update
	for _, c := range changes {
		if c.Kind != Upgraded {
			continue
		}
		i := slices.IndexFunc(out, func(u Update) bool {
			return u.Name == c.New.Name && u.Old == c.Old.Version && u.New == c.New.Version
		})
		if i < 0 {
			out = append(out, Update{Name: c.New.Name, Old: c.Old.Version, New: c.New.Version,
				Security: isSecuritySuite(suites[c.New.Repository])})
			i = len(out) - 1
		}
		u := &out[i]
		u.Archs = append(u.Archs, c.Arch)
		for name, img := range old.Images {
			if slices.Contains(img.Closure[c.Arch], c.Key) && !slices.Contains(u.Images, name) {
				u.Images = append(u.Images, name)
			}
		}
		slices.Sort(u.Images)
	}
	slices.SortStableFunc(out, func(a, b Update) int {
		if a.Security != b.Security {
			if a.Security {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// String is "libssl3 3.0.15-1~deb12u1 -> 3.0.16-1~deb12u1 (amd64, arm64):
// images base, cc".
func (u Update) String() string {
	s := fmt.Sprintf("%s %s -> %s (%s)", u.Name, u.Old, u.New, strings.Join(u.Archs, ", "))
	if len(u.Images) > 0 {
		s += ": images " + strings.Join(u.Images, ", ")
	}
	return s
}

// FormatCheck is what distill lock --check prints: the security suite's
// updates, the other updates, then every other change to the lock (a
// definition edited since, a package gone from the archive); "" when
// nothing changed.
func FormatCheck(updates []Update, changes []Change, images []string) string {
	var b strings.Builder
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s (%d):\n", title, len(lines))
		for _, l := range lines {
			b.WriteString("  " + l + "\n")
		}
	}
	var sec, other, rest []string
	for _, u := range updates {
		if u.Security {
			sec = append(sec, u.String())
		} else {
			other = append(other, u.String())
		}
	}
	for _, c := range changes {
		if c.Kind != Upgraded {
			rest = append(rest, c.String())
		}
	}
	section("security updates", sec)
	section("updates", other)
	section("other package changes", rest)
	section("image changes", images)
	return b.String()
}

// repositorySuites maps each repository name to its suite, as the image
// records list them ("NAME SUITE COMPONENT…").
func repositorySuites(l *Lockfile) map[string]string {
	out := map[string]string{}
	if l == nil {
		return out
	}
	for _, img := range l.Images {
		for _, r := range img.Repositories {
			if f := strings.Fields(r); len(f) >= 2 {
				out[f[0]] = f[1]
			}
		}
	}
	return out
}

// isSecuritySuite reports whether a suite is Debian's security suite
// (bookworm-security; buster/updates before it).
func isSecuritySuite(suite string) bool {
	return strings.HasSuffix(suite, "-security") || strings.HasSuffix(suite, "/updates")
}
