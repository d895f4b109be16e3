package linter

import (
	"maps"
	"slices"
	"strconv"

	"github.com/distill-build/distill/definition"
)

// alternative is a name several Debian packages provide, each in place of
// the others (they conflict, replace, or ship the same command through
// update-alternatives), so an image needs one of them.
type alternative struct {
	provides string
	packages []string
}

// alternatives is the table DuplicatePackage knows, sorted by name. The
// lockfile records each package's depends but not its Provides, so the
// rule cannot find the virtual packages two locked packages share; this
// table, documented on the rule's page, stands in for them.
var alternatives = []alternative{
	{"awk", []string{"gawk", "mawk", "original-awk", "busybox", "busybox-static"}},
	{"busybox", []string{"busybox", "busybox-static"}},
	{"java-runtime-headless", []string{"openjdk-11-jre-headless", "openjdk-17-jre-headless", "openjdk-21-jre-headless", "openjdk-25-jre-headless"}},
	{"netcat", []string{"netcat-openbsd", "netcat-traditional"}},
	{"sh", []string{"dash", "bash", "busybox", "busybox-static", "mksh", "posh", "yash"}},
}

// duplicatePackages finds images that install two packages of one kind:
// two awks, two shells, a library under its name before and after
// Debian's 64-bit time_t transition (libssl3 and libssl3t64). It looks at
// what the image asks for and, with a lockfile, at its closure on each
// architecture, and warns once per kind at the image's packages line.
func duplicatePackages(def *definition.Definition, images []*definition.Image, closures Closures) []Warning {
	var out []Warning
	warned := map[string]bool{}
	for _, img := range images {
		asked := askedFor(def, img)
		sets := [][]string{asked}
		if closures != nil {
			for _, c := range closures(img.Name) {
				names := slices.Clone(asked)
				for k := range maps.Keys(c.Depends) {
					names = append(names, keyName(k))
				}
				sets = append(sets, names)
			}
		}
		r := img.AttrRange(definition.AttrPackages)
		for _, names := range sets {
			for _, d := range duplicates(names) {
				key := r.String() + "\x00" + d.provides
				if warned[key] {
					continue
				}
				warned[key] = true
				out = append(out, warning(RuleDuplicatePackage.Meta, r, RuleDuplicatePackage.Format(img.Name, d.provides, quoted(d.packages))))
			}
		}
	}
	return out
}

// duplicates lists the kinds that names has more than one package of,
// by the table and then by t64 pairs, each with its packages sorted.
func duplicates(names []string) []alternative {
	slices.Sort(names)
	names = slices.Compact(names)
	var out []alternative
	for _, a := range alternatives {
		var have []string
		for _, p := range a.packages {
			if slices.Contains(names, p) {
				have = append(have, p)
			}
		}
		if len(have) > 1 {
			slices.Sort(have)
			out = append(out, alternative{a.provides, have})
		}
	}
	for _, n := range names {
		if _, found := slices.BinarySearch(names, n+"t64"); found {
			out = append(out, alternative{n, []string{n, n + "t64"}})
		}
	}
	return out
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strconv.Quote(n)
	}
	return out
}
