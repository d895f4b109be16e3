package definition

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Repository is a `repository "NAME" { … }` block: a Debian archive that
// packages come from. Its InRelease is verified against Debian's archive keys.
type Repository struct {
	Name       string
	URL        string // the mirror's base, without a trailing slash
	Suite      string
	Components []string
	// CheckValidUntil refuses an InRelease past its Valid-Until date, as
	// apt does: an expired index may be a replayed old one that hides
	// security fixes (a freeze attack). Snapshot archives serve expired
	// InRelease files by design; `check_valid_until = false` accepts them,
	// as apt's Check-Valid-Until=no does.
	CheckValidUntil bool
	DeclRange       hcl.Range
}

var repositorySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true},
		{Name: "suite", Required: true},
		{Name: "components"},
		{Name: "check_valid_until"},
	},
}

func decodeRepository(b *hcl.Block, ctx *hcl.EvalContext) (*Repository, hcl.Diagnostics) {
	content, diags := b.Body.Content(repositorySchema)
	if diags.HasErrors() {
		return nil, diags
	}
	r := &Repository{Name: b.Labels[0], DeclRange: b.DefRange, Components: []string{"main"}, CheckValidUntil: true}
	d := decoder{ctx: ctx, attrs: content.Attributes}
	d.string("url", &r.URL)
	d.string("suite", &r.Suite)
	d.list("components", &r.Components)
	d.decode("check_valid_until", &r.CheckValidUntil)
	if d.diags.HasErrors() {
		return nil, d.diags
	}
	r.URL = strings.TrimRight(r.URL, "/")
	if r.URL == "" {
		d.errorf("url", "No repository URL", "The URL is empty: set it, for example through a variable and --build-arg (distill build fills MIRROR from apt's sources).")
		return nil, d.diags
	}
	if u, err := url.Parse(r.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.errorf("url", "Invalid repository URL", "%q is not an http or https URL of a Debian mirror.", r.URL)
	}
	if r.Suite == "" || strings.ContainsAny(r.Suite, "/ ") {
		d.errorf("suite", "Invalid suite", "%q is not a suite name such as \"bookworm\".", r.Suite)
	}
	if len(r.Components) == 0 {
		d.errorf("components", "No components", "A repository needs at least one component, such as \"main\".")
	}
	for i, c := range r.Components {
		if c == "" || strings.ContainsAny(c, " ") {
			d.diags = append(d.diags, errorAt(d.elementRange("components", i), "Invalid component",
				fmt.Sprintf("%q is not a component name.", c)))
		}
	}
	if d.diags.HasErrors() {
		return nil, d.diags
	}
	return r, d.diags
}
