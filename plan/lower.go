package plan

import (
	"maps"
	"slices"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
)

// Lower applies what a definition means but does not spell out in each
// block: inheritance (from), accounts turned into /etc/passwd, /etc/group,
// homes and a numeric user, and owners named by account. It returns a new
// definition and leaves def as the user wrote it, for lint rules and
// anything else that must see the source.
func Lower(def *definition.Definition) (*definition.Definition, hcl.Diagnostics) {
	out := *def
	out.Images = make([]*definition.Image, len(def.Images))
	for i, img := range def.Images {
		out.Images[i] = cloneImage(img)
	}
	diags := inherit(out.Images)
	if diags.HasErrors() {
		return nil, diags
	}
	// Accounts become files only now, so that an image extending another
	// merges the parent's accounts rather than inheriting its passwd file.
	// An image's mistake shows in every image extending it: report each
	// once, for the first image it shows in.
	seen := map[string]bool{}
	for _, img := range out.Images {
		for _, d := range applyAccounts(img) {
			key := d.Subject.String() + "\x00" + d.Summary
			if !seen[key] {
				seen[key] = true
				diags = append(diags, d)
			}
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	diags = append(diags, checkGraph(&out)...)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, img := range out.Images {
		if img.NeedsArchive() && len(def.Repositories) == 0 {
			return nil, append(diags, errorAt(img.AttrRange(definition.AttrPackages), "No repository",
				`Packages come from Debian archives: declare one with repository "debian" { url = …, suite = … }.`))
		}
	}
	return &out, diags
}

// cloneImage copies what lowering changes, so that the decoded image stays
// as written: lists, maps and the entry list (entries themselves are
// replaced, never changed, when an owner is resolved).
func cloneImage(img *definition.Image) *definition.Image {
	c := *img
	c.Env = slices.Clone(img.Env)
	c.Entries = slices.Clone(img.Entries)
	c.Packages = slices.Clone(img.Packages)
	c.Built = slices.Clone(img.Built)
	c.Exclude = slices.Clone(img.Exclude)
	c.Labels = maps.Clone(img.Labels)
	c.Annotations = maps.Clone(img.Annotations)
	c.Attrs = maps.Clone(img.Attrs)
	return &c
}

// errorAt builds an error diagnostic for a range.
func errorAt(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}
