package definition

import (
	"maps"
	"slices"

	"github.com/hashicorp/hcl/v2"
)

// InlineSource is files written in the definition: small sources, patches,
// a main.c for a test.
type InlineSource struct {
	Files []InlineFile // sorted by path
}

// InlineFile is one file of an inline source.
type InlineFile struct {
	Path    string // relative and clean
	Content string
}

var inlineSourceAttrs = []hcl.AttributeSchema{{Name: "files", Required: true}}

func (d *decoder) inlineSource() *InlineSource {
	var files map[string]string
	d.stringMap("files", &files)
	s := &InlineSource{}
	size := 0
	for _, p := range slices.Sorted(maps.Keys(files)) {
		clean, err := sourcePath(p)
		if err != nil {
			d.errorf("files", "Invalid path", "%v.", err)
			continue
		}
		size += len(files[p])
		s.Files = append(s.Files, InlineFile{Path: clean, Content: files[p]})
	}
	if size > MaxInlineContent {
		d.errorf("files", "Inline source too large", "%d bytes of inline files; they travel inside the build definition, which BuildKit caps: keep them under %d bytes, or use another source kind.", size, MaxInlineContent)
	}
	return s
}
