package lockfile

import (
	"fmt"
	"slices"
	"strings"
)

// Keep is, per architecture, the version of every locked package but the
// named ones: what a partial refresh (distill lock --update) prefers, so
// that only the named packages move.
func (l *Lockfile) Keep(update []string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for arch, la := range l.Architectures {
		if la == nil {
			continue
		}
		m := map[string]string{}
		for _, p := range la.Packages {
			if !slices.Contains(update, p.Name) {
				m[p.Name] = p.Version
			}
		}
		out[arch] = m
	}
	return out
}

// Unknown returns the names that are no locked package of any
// architecture.
func (l *Lockfile) Unknown(names []string) []string {
	var out []string
	for _, n := range names {
		found := false
		for _, la := range l.Architectures {
			for _, p := range la.Packages {
				found = found || p.Name == n
			}
		}
		if !found {
			out = append(out, n)
		}
	}
	return out
}

// Unasked returns the changes to packages not named in update that a
// partial refresh must not make: another version or other bytes. Packages
// added or removed follow from the named ones' new dependencies.
func Unasked(changes []Change, update []string) []Change {
	var out []Change
	for _, c := range changes {
		if c.Kind == Added || c.Kind == Removed {
			continue
		}
		if !slices.Contains(update, c.New.Name) {
			out = append(out, c)
		}
	}
	return out
}

// UnaskedError says why a partial refresh wrote nothing.
func UnaskedError(unasked []Change, update []string) error {
	var lines, names []string
	for _, c := range unasked {
		lines = append(lines, "  "+c.String())
		if !slices.Contains(names, c.New.Name) {
			names = append(names, c.New.Name)
		}
	}
	return fmt.Errorf("updating %s would also change packages not named (the archive no longer has their locked versions, or the new versions need newer ones):\n%s\nname them too (--update %s), or run distill lock to update everything",
		strings.Join(update, " "), strings.Join(lines, "\n"), strings.Join(append(slices.Clone(update), names...), " "))
}
