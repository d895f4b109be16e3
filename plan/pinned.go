package plan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/hashicorp/hcl/v2"
)

// pinnedSources are a package's http and git sources as the lockfile pins
// them, in the definition's order, each with the block it comes from. A
// URL under a repository's is written relative to it: mirror URLs are
// configuration, and a lock must not change with the mirror.
func pinnedSources(def *definition.Definition, p *definition.Package) ([]lockfile.PinnedSource, []*definition.Source) {
	var pins []lockfile.PinnedSource
	var from []*definition.Source
	for _, s := range p.Sources {
		var pin lockfile.PinnedSource
		switch s.Kind {
		case definition.SourceHTTP:
			pin = lockfile.PinnedSource{Kind: lockfile.PinnedHTTP, URL: s.HTTP.URL, Digest: s.HTTP.Digest}
		case definition.SourceGit:
			pin = lockfile.PinnedSource{Kind: lockfile.PinnedGit, URL: s.Git.URL, Commit: s.Git.Commit, Tag: s.Git.Tag}
		default:
			continue // pinned by the context, the definition, or Sources
		}
		for _, r := range def.Repositories {
			if rel, ok := strings.CutPrefix(pin.URL, r.URL+"/"); ok {
				pin.Repository, pin.URL = r.Name, rel
				break
			}
		}
		pins = append(pins, pin)
		from = append(from, s)
	}
	return pins, from
}

// checkPinned compares a package's http and git sources with the lock's
// pins: one that differs is reported at its line.
func checkPinned(lock *lockfile.Lockfile, def *definition.Definition, p *definition.Package) error {
	pins, from := pinnedSources(def, p)
	err := lock.CheckPackageSources(p.Name, pins)
	var stale *lockfile.StaleSourceError
	if !errors.As(err, &stale) {
		return err
	}
	subject := p.DeclRange // the definition has fewer sources than the lock
	if stale.Index < len(from) {
		subject = from[stale.Index].Range
	}
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Lockfile out of date",
		Detail: fmt.Sprintf("%v: run `distill lock` to refresh it.", err), Subject: subject.Ptr()}
}
