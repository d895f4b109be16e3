package linter

import (
	"maps"
	"slices"

	"github.com/distill-build/distill/definition"
)

// shells are the Debian packages that install a command interpreter. The
// lockfile records no file lists, so "provides /bin/sh" is this table:
// dash ships /bin/sh itself, and the others are what an attacker with a
// way to run a command would look for.
var shells = []string{
	"bash", "bash-static", "busybox", "busybox-static", "dash", "fish", "ksh", "ksh93u+m",
	"mksh", "mksh-static", "posh", "tcsh", "yash", "zsh", "zsh-static",
}

// shellsNotAsked finds shells in an image's locked closure that the image
// did not ask for, itself or through from (the images are lowered, so
// Packages holds the inherited requests), nor through the runtime of a
// package built from source it takes. A distroless image is meant to have
// no shell; one that comes as a dependency is usually a maintainer-script
// need that the image never runs. The warning names the first chain of
// dependencies, on the first architecture that has the shell.
func shellsNotAsked(def *definition.Definition, images []*definition.Image, closures Closures) []Warning {
	if closures == nil {
		return nil
	}
	var out []Warning
	warned := map[string]bool{}
	for _, img := range images {
		asked := askedFor(def, img)
		r := img.AttrRange(definition.AttrPackages)
		for _, c := range closures(img.Name) {
			for _, k := range slices.Sorted(maps.Keys(c.Depends)) {
				shell := keyName(k)
				key := r.String() + "\x00" + shell
				if !slices.Contains(shells, shell) || slices.Contains(asked, shell) || warned[key] {
					continue
				}
				warned[key] = true
				out = append(out, warning(RuleShellNotAsked.Meta, r, RuleShellNotAsked.Format(img.Name, shell, c.chain(asked, k))))
			}
		}
	}
	return out
}

// askedFor lists the Debian packages an image asks for: its requests, in
// order, then the runtime packages of what it builds from source.
func askedFor(def *definition.Definition, img *definition.Image) []string {
	var out []string
	for _, req := range img.Packages {
		out = append(out, requestName(req))
	}
	for _, p := range packagesTaken(def, []*definition.Image{img}) {
		for _, req := range p.Runtime {
			out = append(out, requestName(req))
		}
	}
	return out
}
