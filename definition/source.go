package definition

import (
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// SourceKind says where a package's source comes from.
type SourceKind int

const (
	SourceHTTP    SourceKind = iota // a download pinned by its checksum
	SourceGit                       // a repository at a commit
	SourceContext                   // a directory of the build context
	SourceInline                    // files written in the definition
	SourceDebian                    // a Debian source package
)

func (k SourceKind) String() string {
	return [...]string{"http", "git", "context", "inline", "debian"}[k]
}

var sourceKinds = map[string]SourceKind{"http": SourceHTTP, "git": SourceGit, "context": SourceContext, "inline": SourceInline, "debian": SourceDebian}

// Source is a `source "KIND" { … }` block of a package. Each kind has its own
// file: source_http.go, source_inline.go.
type Source struct {
	Kind SourceKind
	// Dest is the directory of the source tree it lands in, relative and
	// clean; "" is the tree's root.
	Dest    string
	HTTP    *HTTPSource
	Git     *GitSource
	Context *ContextSource
	Inline  *InlineSource
	Debian  *DebianSource
	Range   hcl.Range // the block header
}

func (d *decoder) source(b *hcl.Block) *Source {
	kind, ok := sourceKinds[b.Labels[0]]
	if !ok {
		d.diags = append(d.diags, errorAt(b.LabelRanges[0], "Unknown source kind",
			fmt.Sprintf("%q is not a source kind distill knows: use http, git, context, inline or debian.", b.Labels[0])))
		return nil
	}
	schema := &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "dest"}}}
	switch kind {
	case SourceHTTP:
		schema.Attributes = append(schema.Attributes, httpSourceAttrs...)
	case SourceGit:
		schema.Attributes = append(schema.Attributes, gitSourceAttrs...)
	case SourceContext:
		schema.Attributes = append(schema.Attributes, contextSourceAttrs...)
	case SourceInline:
		schema.Attributes = append(schema.Attributes, inlineSourceAttrs...)
	case SourceDebian:
		schema.Attributes = append(schema.Attributes, debianSourceAttrs...)
	}
	content, diags := b.Body.Content(schema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	s := &Source{Kind: kind, Range: b.DefRange}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	if sub.decode("dest", &s.Dest) {
		clean, err := sourcePath(s.Dest)
		if err != nil {
			sub.errorf("dest", "Invalid dest", "%v.", err)
		}
		s.Dest = clean
	}
	switch kind {
	case SourceHTTP:
		s.HTTP = sub.httpSource(content)
	case SourceGit:
		s.Git = sub.gitSource(content)
	case SourceContext:
		s.Context = sub.contextSource()
	case SourceInline:
		s.Inline = sub.inlineSource()
	case SourceDebian:
		s.Debian = sub.debianSource()
	}
	d.diags = append(d.diags, sub.diags...)
	if sub.diags.HasErrors() {
		return nil
	}
	return s
}

// Name says which source this is in messages: "http source https://…".
func (s *Source) Name() string {
	switch s.Kind {
	case SourceHTTP:
		return "http source " + s.HTTP.URL
	case SourceGit:
		return "git source " + s.Git.URL + " at " + s.Git.Commit
	case SourceContext:
		if s.Context.Name != "" {
			return "context source " + s.Context.Name + ":" + s.Context.Path
		}
		return "context source " + s.Context.Path
	case SourceInline:
		return "inline source at " + s.Range.String()
	case SourceDebian:
		return "debian source " + s.Debian.Name + " " + s.Debian.Version
	}
	return s.Kind.String() + " source"
}

// sourcePath cleans a path inside the source tree: relative, with no "..".
func sourcePath(p string) (string, error) {
	clean := path.Clean(p)
	if p == "" || path.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("%q is not a relative path inside the source tree", p)
	}
	return clean, nil
}
