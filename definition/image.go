package definition

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/dynblock"
	"github.com/hashicorp/hcl/v2/gohcl"
)

func decodeImage(b *hcl.Block, ctx *hcl.EvalContext) (*Image, hcl.Diagnostics) {
	// dynamic "symlink" { for_each = … } blocks expand as in Terraform.
	content, diags := dynblock.Expand(b.Body, ctx).Content(imageSchema())
	if diags.HasErrors() {
		return nil, diags
	}
	img := &Image{Name: b.Labels[0], DeclRange: b.DefRange, Attrs: map[Attr]hcl.Range{}}
	for name, a := range content.Attributes {
		if attr, ok := attrNamed(name); ok {
			img.Attrs[attr] = a.Range
		}
	}
	d := decoder{ctx: ctx, attrs: content.Attributes}

	d.string("description", &img.Description)
	d.string("workdir", &img.Workdir)
	d.string("user", &img.User)
	d.list("entrypoint", &img.Entrypoint)
	d.list("cmd", &img.Cmd)
	d.stringMap("labels", &img.Labels)
	d.stringMap("annotations", &img.Annotations)
	if a, ok := content.Attributes["packages"]; ok {
		img.Packages, img.Built = d.packageRequests(a)
	}
	d.list("exclude", &img.Exclude)
	d.decode("ca_certificates", &img.CACertificates)
	d.decode("java_cacerts", &img.JavaCACerts)
	if d.decode("layer_budget", &img.LayerBudget) && (img.LayerBudget < 1 || img.LayerBudget > 125) {
		d.errorf("layer_budget", "Invalid layer budget", "layer_budget = %d: an image needs at least one layer, and Docker refuses images deeper than about 125.", img.LayerBudget)
	}
	if a, ok := content.Attributes["from"]; ok {
		img.From = d.imageRefs(a)
	}

	var plats []string
	d.list("platforms", &plats)
	seen := map[string]int{}
	for i, p := range plats {
		pl, err := ParsePlatform(p)
		if err != nil {
			d.diags = append(d.diags, errorAt(d.elementRange("platforms", i), "Invalid platform", err.Error()+"."))
			continue
		}
		// Two equal entries would give two identical manifests in the index.
		key := platforms.FormatAll(pl)
		if j, ok := seen[key]; ok {
			d.diags = append(d.diags, errorAt(d.elementRange("platforms", i), "Duplicate platform",
				fmt.Sprintf("%s is already listed at %s: remove one.", key, d.elementRange("platforms", j))))
			continue
		}
		seen[key] = i
		img.Platforms = append(img.Platforms, pl)
	}

	img.Env = d.env("env")

	if img.Workdir != "" && !strings.HasPrefix(img.Workdir, "/") {
		d.errorf("workdir", "Invalid workdir", "The working directory must be an absolute path, not %q.", img.Workdir)
	}

	var entryBlocks, accountBlocks hcl.Blocks
	for _, blk := range content.Blocks {
		if blk.Type == "accounts" {
			accountBlocks = append(accountBlocks, blk)
		} else {
			entryBlocks = append(entryBlocks, blk)
		}
	}
	img.Entries = d.entries(entryBlocks)
	if img.Accounts = d.accounts(accountBlocks); img.Accounts != nil && img.Accounts.RunAs != "" {
		img.Attrs[AttrRunAs] = img.Accounts.RunAsRange
		if _, ok := img.Attrs[AttrUser]; ok {
			d.diags = append(d.diags, errorAt(img.Accounts.RunAsRange, "Conflicting user",
				fmt.Sprintf("The image sets user at %s and accounts.run_as: set one.", img.Attrs[AttrUser])))
		}
	}
	if d.diags.HasErrors() {
		return nil, d.diags
	}
	return img, d.diags
}

// env decodes a map of environment variables, sorted by name.
func (d *decoder) env(name string) []EnvVar {
	var env map[string]string
	d.stringMap(name, &env)
	var out []EnvVar
	for _, k := range slices.Sorted(maps.Keys(env)) {
		if k == "" || strings.ContainsAny(k, "=\x00") {
			d.errorf(name, "Invalid environment variable", "%q is not a valid variable name.", k)
			continue
		}
		out = append(out, EnvVar{Name: k, Value: env[k]})
	}
	return out
}

// decoder evaluates the attributes of one block, collecting diagnostics.
type decoder struct {
	ctx   *hcl.EvalContext
	attrs hcl.Attributes
	diags hcl.Diagnostics
}

// decode evaluates an attribute into dst when it is set and not null.
func (d *decoder) decode(name string, dst any) bool {
	a, ok := d.attrs[name]
	if !ok {
		return false
	}
	v, diags := a.Expr.Value(d.ctx)
	d.diags = append(d.diags, diags...)
	if diags.HasErrors() || v.IsNull() {
		return false
	}
	diags = gohcl.DecodeExpression(a.Expr, d.ctx, dst)
	d.diags = append(d.diags, diags...)
	return !diags.HasErrors()
}

func (d *decoder) string(name string, dst *string) { d.decode(name, dst) }

// list decodes a list of strings; an attribute set to [] yields an empty,
// non-nil slice (an explicitly empty entrypoint differs from an unset one).
func (d *decoder) list(name string, dst *[]string) {
	var out []string
	if d.decode(name, &out) {
		if out == nil {
			out = []string{}
		}
		*dst = out
	}
}

func (d *decoder) stringMap(name string, dst *map[string]string) {
	var out map[string]string
	if d.decode(name, &out) {
		*dst = out
	}
}

// packageRequests reads a list of packages (an image's packages, a
// package's requires or runtime): Debian package requests as strings, and
// package.NAME references to packages built from source.
func (d *decoder) packageRequests(a *hcl.Attribute) (debs []string, built []PackageRef) {
	elems, diags := hcl.ExprList(a.Expr)
	if diags.HasErrors() {
		// Not a literal list (a function's result, say): strings only.
		var out []string
		d.list(a.Name, &out)
		return out, nil
	}
	debs = []string{}
	for _, expr := range elems {
		if t, diags := hcl.AbsTraversalForExpr(expr); !diags.HasErrors() && t.RootName() == "package" {
			var names []string
			for _, step := range t[1:] {
				if attr, ok := step.(hcl.TraverseAttr); ok {
					names = append(names, attr.Name)
				}
			}
			if len(names) == len(t)-1 && (len(names) == 1 || len(names) == 2) {
				ref := PackageRef{Name: names[0], Range: expr.Range()}
				if len(names) == 2 {
					ref.Sub = names[1]
				}
				built = append(built, ref)
				continue
			}
			d.diags = append(d.diags, errorAt(expr.Range(), "Invalid package reference",
				"A package built from source is named package.NAME after its package block, and a subpackage package.NAME.SUB."))
			continue
		}
		var s string
		if diags := gohcl.DecodeExpression(expr, d.ctx, &s); diags.HasErrors() {
			d.diags = append(d.diags, diags...)
			continue
		}
		debs = append(debs, s)
	}
	return debs, built
}

// imageRefs reads references to other image blocks: image.NAME, or a list
// of them (mixins, as bake's inherits).
func (d *decoder) imageRefs(a *hcl.Attribute) []string {
	exprs := []hcl.Expression{a.Expr}
	if list, diags := hcl.ExprList(a.Expr); !diags.HasErrors() {
		exprs = list
	}
	var out []string
	for _, expr := range exprs {
		t, diags := hcl.AbsTraversalForExpr(expr)
		if !diags.HasErrors() && len(t) == 2 && t.RootName() == "image" {
			if attr, ok := t[1].(hcl.TraverseAttr); ok {
				out = append(out, attr.Name)
				continue
			}
		}
		d.diags = append(d.diags, errorAt(expr.Range(), "Invalid image reference",
			"from takes a reference to another image block, such as image.static, or a list of them."))
	}
	return out
}

// elementRange is the range of the i-th element of a list attribute written
// as a literal, or of the whole expression otherwise.
func (d *decoder) elementRange(attr string, i int) hcl.Range {
	expr := d.attrs[attr].Expr
	if elems, diags := hcl.ExprList(expr); !diags.HasErrors() && i < len(elems) {
		return elems[i].Range()
	}
	return expr.Range()
}

func (d *decoder) errorf(attr, summary, format string, args ...any) {
	rng := d.attrs[attr].Expr.Range()
	d.diags = append(d.diags, errorAt(rng, summary, fmt.Sprintf(format, args...)))
}
