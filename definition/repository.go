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
	// Snapshot is an archive laid out like Debian's snapshot service
	// (SNAPSHOT/20240101T000000Z/pool/…), without a trailing slash: a
	// locked file the mirror no longer serves is fetched from it as of the
	// lockfile's time, still checked against the locked sha256.
	Snapshot  string
	DeclRange hcl.Range
}

var repositorySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "url", Required: true},
		{Name: "suite", Required: true},
		{Name: "components"},
		{Name: "check_valid_until"},
		{Name: "snapshot"},
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
	d.string("snapshot", &r.Snapshot)
	if d.diags.HasErrors() {
		return nil, d.diags
	}
	r.URL = strings.TrimRight(r.URL, "/")
	r.Snapshot = strings.TrimRight(r.Snapshot, "/")
	if r.URL == "" {
		d.errorf("url", "No repository URL", "The URL is empty: set it, for example through a variable and --build-arg (distill build fills MIRROR from apt's sources).")
		return nil, d.diags
	}
	if !isHTTPURL(r.URL) {
		d.errorf("url", "Invalid repository URL", "%q is not an http or https URL of a Debian mirror.", r.URL)
	}
	// Empty is none, so a variable with an empty default can leave it out.
	if r.Snapshot != "" && !isHTTPURL(r.Snapshot) {
		d.errorf("snapshot", "Invalid snapshot URL", "%q is not an http or https URL of an archive laid out like Debian's snapshot service, such as \"https://snapshot.example/archive/debian\" (its timestamped directories hold the archive as it was).", r.Snapshot)
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

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
