package definition

import (
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// GitSource is a repository at a commit: the commit is required, so the
// tree is fixed; a tag may name it too, and must then resolve to that
// commit.
type GitSource struct {
	URL    string
	Commit string // 40 hexadecimal digits
	Tag    string // optional
}

var gitSourceAttrs = []hcl.AttributeSchema{
	{Name: "url", Required: true}, {Name: "commit"}, {Name: "tag"},
}

func (d *decoder) gitSource(content *hcl.BodyContent) *GitSource {
	g := &GitSource{}
	d.string("url", &g.URL)
	if u, err := url.Parse(g.URL); g.URL != "" && (err != nil || u.Host == "" ||
		(u.Scheme != "https" && u.Scheme != "http" && u.Scheme != "git" && u.Scheme != "ssh")) {
		d.errorf("url", "Invalid repository URL", "%q is not an https, http, git or ssh URL of a Git repository.", g.URL)
	}
	d.string("tag", &g.Tag)
	if !d.decode("commit", &g.Commit) {
		if _, ok := content.Attributes["commit"]; !ok && !d.diags.HasErrors() {
			what := "a branch or tag moves"
			if g.Tag != "" {
				what = "a tag can be moved"
			}
			d.diags = append(d.diags, errorAt(content.Attributes["url"].Range, "Missing commit",
				"The git source "+g.URL+" needs the full commit it builds from ("+what+"): `git rev-parse TAG^{commit}` prints it."))
		}
		return g
	}
	g.Commit = strings.ToLower(g.Commit)
	if b, err := hex.DecodeString(g.Commit); err != nil || len(b) != 20 {
		d.errorf("commit", "Invalid commit", "%q is not a full commit: it takes 40 hexadecimal digits.", g.Commit)
	}
	return g
}
