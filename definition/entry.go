package definition

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// MaxInlineContent bounds a file's inline content: it travels inside the LLB
// definition, and BuildKit's gRPC messages are capped at 16 MiB.
const MaxInlineContent = 1 << 20

var entrySchemas = map[string]*hcl.BodySchema{
	"file": {Attributes: []hcl.AttributeSchema{
		{Name: "content"}, {Name: "source"}, {Name: "mode"}, {Name: "owner"},
	}},
	"directory": {Attributes: []hcl.AttributeSchema{
		{Name: "mode"}, {Name: "owner"},
	}},
	"symlink": {Attributes: []hcl.AttributeSchema{
		{Name: "target", Required: true}, {Name: "owner"},
	}},
}

var entryKinds = map[string]EntryKind{"file": KindFile, "directory": KindDirectory, "symlink": KindSymlink}

// entries decodes file, directory and symlink blocks, sorted by path so that
// parents come before their children.
func (d *decoder) entries(blocks hcl.Blocks) []*Entry {
	var out []*Entry
	byPath := map[string]*Entry{}
	for _, b := range blocks {
		e := d.entry(b)
		if e == nil {
			continue
		}
		if prev, ok := byPath[e.Path]; ok {
			d.diags = append(d.diags, errorAt(b.LabelRanges[0], "Duplicate path",
				fmt.Sprintf("%s is already declared at %s.", e.Path, prev.Range.String())))
			continue
		}
		byPath[e.Path] = e
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	d.diags = append(d.diags, CheckAncestors(out)...)
	return out
}

// CheckAncestors reports declared paths whose ancestors are declared as
// something other than a directory.
func CheckAncestors(entries []*Entry) hcl.Diagnostics {
	var diags hcl.Diagnostics
	byPath := map[string]*Entry{}
	for _, e := range entries {
		byPath[e.Path] = e
	}
	for _, e := range entries {
		for dir := path.Dir(e.Path); dir != "/"; dir = path.Dir(dir) {
			if p, ok := byPath[dir]; ok && p.Kind != KindDirectory {
				diags = append(diags, errorAt(e.Range, "Path under a non-directory",
					fmt.Sprintf("%s lies under %s, which is declared as a %s at %s.", e.Path, dir, p.Kind, p.Range.String())))
				break
			}
		}
	}
	return diags
}

func (d *decoder) entry(b *hcl.Block) *Entry {
	content, diags := b.Body.Content(entrySchemas[b.Type])
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() {
		return nil
	}
	e := &Entry{Kind: entryKinds[b.Type], Range: b.DefRange}
	p, err := cleanAbs(b.Labels[0])
	if err != nil {
		d.diags = append(d.diags, errorAt(b.LabelRanges[0], "Invalid path", err.Error()))
		return nil
	}
	e.Path = p
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	defer func() { d.diags = append(d.diags, sub.diags...) }()

	switch e.Kind {
	case KindFile:
		e.Mode = 0o644
		var text string
		hasContent := sub.decode("content", &text)
		hasSource := sub.decode("source", &e.Source)
		if hasSource {
			e.SourceRange = content.Attributes["source"].Expr.Range()
		}
		switch {
		case hasContent && hasSource:
			sub.errorf("source", "Conflicting file content", "A file takes either content or source, not both.")
		case !hasContent && !hasSource && !sub.diags.HasErrors():
			sub.diags = append(sub.diags, errorAt(b.DefRange, "Missing file content",
				`A file needs content = "…" or source = "path in the build context".`))
		case hasContent && len(text) > MaxInlineContent:
			sub.errorf("content", "File content too large",
				"Inline content is %d bytes; the limit is %d. Put the file in the build context and use source.", len(text), MaxInlineContent)
		case hasSource:
			if src, err := cleanRel(e.Source); err != nil {
				sub.errorf("source", "Invalid source path", "%v", err)
			} else {
				e.Source = src
			}
		}
		e.Content = []byte(text)
	case KindDirectory:
		e.Mode = 0o755
	case KindSymlink:
		e.Mode = 0o777
		if sub.decode("target", &e.Target) && e.Target == "" {
			sub.errorf("target", "Invalid symlink target", "A symlink target cannot be empty.")
		}
	}

	if _, ok := content.Attributes["mode"]; ok {
		var s string
		if sub.decode("mode", &s) {
			m, err := parseMode(s)
			if err != nil {
				sub.errorf("mode", "Invalid mode", "%v", err)
			}
			e.Mode = m
		}
	}
	var owner string
	if sub.decode("owner", &owner) {
		uid, gid, err := parseOwner(owner)
		switch {
		case err == nil:
			e.UID, e.GID = uid, gid
		case ownerNames.MatchString(owner) && strings.Trim(owner, "0123456789:") != "":
			// Names are looked up in the image's accounts once
			// inheritance has merged them (resolveOwners).
			e.Owner, e.OwnerRange = owner, content.Attributes["owner"].Expr.Range()
		default:
			sub.errorf("owner", "Invalid owner", "%v", err)
		}
	}
	return e
}

func cleanAbs(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%q is not an absolute path", p)
	}
	c := path.Clean(p)
	if c == "/" {
		return "", fmt.Errorf("the root directory cannot be declared")
	}
	return c, nil
}

func cleanRel(p string) (string, error) {
	c := path.Clean(strings.TrimPrefix(p, "/"))
	if p == "" || c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("%q does not name a file inside the build context", p)
	}
	return c, nil
}

// parseMode reads an octal mode such as "0644" or "1777". The result holds
// the Unix bits as written (setuid 04000, setgid 02000, sticky 01000), not
// Go's fs.ModeSticky and friends.
func parseMode(s string) (fs.FileMode, error) {
	n, err := strconv.ParseUint(strings.TrimPrefix(s, "0o"), 8, 32)
	if err != nil || n > 0o7777 {
		return 0, fmt.Errorf("%q is not an octal mode such as \"0644\" or \"1777\"", s)
	}
	return fs.FileMode(n), nil
}

// ownerNames is an owner written with names: "USER", "USER:GROUP", with
// either side possibly numeric.
var ownerNames = regexp.MustCompile(`^(` + namePattern + `|[0-9]+)(:(` + namePattern + `|[0-9]+))?$`)

// parseOwner reads "UID" or "UID:GID"; names are resolved later, against
// the image's accounts.
func parseOwner(s string) (uid, gid int, err error) {
	u, g, hasGroup := strings.Cut(s, ":")
	if uid, err = parseID(u); err != nil {
		return 0, 0, fmt.Errorf("owner %q: %w", s, err)
	}
	gid = uid
	if hasGroup {
		if gid, err = parseID(g); err != nil {
			return 0, 0, fmt.Errorf("owner %q: %w", s, err)
		}
	}
	return uid, gid, nil
}

func parseID(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("%q is not a numeric id", s)
	}
	return int(n), nil
}
