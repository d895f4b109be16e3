package definition

import (
	"fmt"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Options are the inputs a definition is evaluated with.
type Options struct {
	// Args override variable defaults by name (build arguments). Arguments
	// that name no variable are ignored: BuildKit passes its own.
	Args map[string]string
	// Defaults fill variables declared with an empty string default that no
	// argument sets: the CLI fills MIRROR from this machine's apt sources,
	// since the mirror is configuration, as apt's is.
	Defaults map[string]string
}

var rootSchema = &hcl.BodySchema{
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "repository", LabelNames: []string{"name"}},
		{Type: "package", LabelNames: []string{"name"}},
		{Type: "image", LabelNames: []string{"name"}},
	},
}

// MaxSize bounds a definition. The largest example is a few dozen KiB; the
// frontend reads the file in one gRPC message, capped at 16 MiB, and the
// CLI reads at most this much before refusing (a /dev/zero never ends).
const MaxSize = 4 << 20

// Parse decodes a definition. The diagnostics carry the ranges of whatever
// is wrong; the definition is nil when they hold an error.
func Parse(filename string, src []byte, opts Options) (*Definition, hcl.Diagnostics) {
	if len(src) > MaxSize {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Definition too large",
			Detail:   fmt.Sprintf("The file is %d bytes; a definition may be at most %d (4 MiB). Is it the right file?", len(src), MaxSize),
			Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
		}}
	}
	if d := checkUTF8(filename, src); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	file, diags := hclsyntax.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		placeHeredocErrors(filename, src, diags)
		return nil, diags
	}
	content, cdiags := file.Body.Content(rootSchema)
	diags = append(diags, cdiags...)
	if diags.HasErrors() {
		return nil, diags
	}

	def := &Definition{Filename: filename}
	var varBlocks, repoBlocks, pkgBlocks, imageBlocks []*hcl.Block
	for _, b := range content.Blocks {
		switch b.Type {
		case "variable":
			varBlocks = append(varBlocks, b)
		case "repository":
			repoBlocks = append(repoBlocks, b)
		case "package":
			pkgBlocks = append(pkgBlocks, b)
		case "image":
			imageBlocks = append(imageBlocks, b)
		}
	}

	vars, vdiags := evalVariables(varBlocks, opts)
	diags = append(diags, vdiags...)
	if diags.HasErrors() {
		return nil, diags
	}
	def.Variables = vars.list

	ctx := &hcl.EvalContext{Variables: vars.values(), Functions: functions()}
	for _, b := range uniqueNames("repository", repoBlocks, &diags) {
		vars.markUsed(b.Body)
		r, rdiags := decodeRepository(b, ctx)
		diags = append(diags, rdiags...)
		if r != nil {
			def.Repositories = append(def.Repositories, r)
		}
	}
	for _, b := range uniqueNames("package", pkgBlocks, &diags) {
		vars.markUsed(b.Body)
		p, pdiags := decodePackage(b, ctx)
		diags = append(diags, pdiags...)
		if p != nil {
			def.Packages = append(def.Packages, p)
		}
	}
	for _, b := range uniqueNames("image", imageBlocks, &diags) {
		vars.markUsed(b.Body)
		img, idiags := decodeImage(b, ctx)
		diags = append(diags, idiags...)
		if img != nil {
			def.Images = append(def.Images, img)
		}
	}
	if diags.HasErrors() {
		return nil, diags
	}
	if len(def.Images) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "No image defined",
			Detail:   `A distill definition needs at least one image "NAME" { … } block.`,
			Subject:  &hcl.Range{Filename: filename, Start: hcl.InitialPos, End: hcl.InitialPos},
		})
		return nil, diags
	}
	return def, diags
}

func duplicate(kind, name string, b, prev *hcl.Block) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Duplicate " + kind + " block",
		Detail:   "A " + kind + ` named "` + name + `" was already declared at ` + prev.DefRange.String() + ".",
		Subject:  b.DefRange.Ptr(),
	}
}

// uniqueNames returns the blocks of one kind whose names are valid and not
// taken by an earlier block, reporting the others.
func uniqueNames(kind string, blocks []*hcl.Block, diags *hcl.Diagnostics) []*hcl.Block {
	seen := map[string]*hcl.Block{}
	var out []*hcl.Block
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := seen[name]; ok {
			*diags = append(*diags, duplicate(kind, name, b, prev))
			continue
		}
		seen[name] = b
		if d := checkName(kind, name, b.LabelRanges[0]); d != nil {
			*diags = append(*diags, d)
			continue
		}
		out = append(out, b)
	}
	return out
}

// checkName accepts the names that may appear as a --target or a reference.
func checkName(kind, name string, rng hcl.Range) *hcl.Diagnostic {
	if hclsyntax.ValidIdentifier(name) {
		return nil
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Invalid " + kind + " name",
		Detail:   `"` + name + `" is not a valid name: use letters, digits, underscores and dashes, starting with a letter.`,
		Subject:  rng.Ptr(),
	}
}

// errorAt builds an error diagnostic for a range.
func errorAt(rng hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng.Ptr()}
}

// checkUTF8 refuses a definition that is not UTF-8, at its first bad byte:
// HCL is UTF-8 text, and strings that are not would fail only when the LLB
// (protobuf) is marshalled, far from the line.
func checkUTF8(filename string, src []byte) *hcl.Diagnostic {
	if utf8.Valid(src) {
		return nil
	}
	pos := hcl.InitialPos
	for len(src) > 0 {
		r, n := utf8.DecodeRune(src)
		if r == utf8.RuneError && n <= 1 {
			end := pos
			end.Column++
			end.Byte++
			return &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid UTF-8",
				Detail:   fmt.Sprintf("Byte 0x%02x is not UTF-8: a definition is UTF-8 text.", src[0]),
				Subject:  &hcl.Range{Filename: filename, Start: pos, End: end},
			}
		}
		pos.Byte += n
		pos.Column++
		if r == '\n' {
			pos.Line++
			pos.Column = 1
		}
		src = src[n:]
	}
	return nil
}
