package definition

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "default"},
		{Name: "description"},
	},
}

// variables holds the evaluated variable blocks.
type variables struct {
	list   []*Variable
	byName map[string]*Variable
}

func (v *variables) values() map[string]cty.Value {
	out := make(map[string]cty.Value, len(v.list))
	for _, x := range v.list {
		out[x.Name] = x.Value
	}
	return out
}

// markUsed records which variables a body refers to, for the lint subrequest.
func (v *variables) markUsed(body hcl.Body) {
	for _, t := range walkTraversals(body) {
		if x, ok := v.byName[t.RootName()]; ok {
			x.Used = true
		}
	}
}

// evalVariables evaluates variable defaults in dependency order (a default
// may refer to other variables, as in bake), then applies overrides.
func evalVariables(blocks []*hcl.Block, opts Options) (*variables, hcl.Diagnostics) {
	args := opts.Args
	var diags hcl.Diagnostics
	vars := &variables{byName: map[string]*Variable{}}
	exprs := map[string]hcl.Expression{}
	for _, b := range uniqueNames("variable", blocks, &diags) {
		name := b.Labels[0]
		content, cdiags := b.Body.Content(variableSchema)
		diags = append(diags, cdiags...)
		v := &Variable{Name: name, Default: cty.StringVal(""), DeclRange: b.DefRange}
		if a, ok := content.Attributes["description"]; ok {
			d, ddiags := a.Expr.Value(nil)
			diags = append(diags, ddiags...)
			if !ddiags.HasErrors() {
				if d.Type() != cty.String || d.IsNull() {
					diags = append(diags, errorAt(a.Expr.Range(), "Invalid description", "A variable's description must be a string."))
				} else {
					v.Description = d.AsString()
				}
			}
		}
		if a, ok := content.Attributes["default"]; ok {
			exprs[name] = a.Expr
		}
		vars.list = append(vars.list, v)
		vars.byName[name] = v
	}
	if diags.HasErrors() {
		return nil, diags
	}

	state := map[string]int{} // 0 unvisited, 1 in progress, 2 done
	var stack []string        // the variables being evaluated, outermost first
	var visit func(name string, from hcl.Range) hcl.Diagnostics
	visit = func(name string, from hcl.Range) hcl.Diagnostics {
		switch state[name] {
		case 1:
			// from is a reference in the default of the innermost variable.
			cycle := append(slices.Clone(stack[slices.Index(stack, name):]), name)
			detail := fmt.Sprintf("The default of %q refers to itself.", name)
			if len(cycle) > 2 {
				detail = fmt.Sprintf("The default of %q refers to %q, and the defaults %s form a cycle: give one of them a value of its own.",
					stack[len(stack)-1], name, strings.Join(cycle, " → "))
			}
			return hcl.Diagnostics{errorAt(from, "Variable cycle", detail)}
		case 2:
			return nil
		}
		state[name] = 1
		stack = append(stack, name)
		defer func() { state[name], stack = 2, stack[:len(stack)-1] }()
		v := vars.byName[name]
		expr, ok := exprs[name]
		if ok {
			var diags hcl.Diagnostics
			for _, t := range expr.Variables() {
				dep := t.RootName()
				if _, known := vars.byName[dep]; known {
					vars.byName[dep].Used = true
					diags = append(diags, visit(dep, t.SourceRange())...)
				}
			}
			if diags.HasErrors() {
				return diags
			}
			val, vdiags := expr.Value(&hcl.EvalContext{Variables: vars.values(), Functions: functions()})
			if vdiags.HasErrors() {
				return vdiags
			}
			v.Default = val
		}
		v.Value = v.Default
		if s, ok := args[name]; ok {
			val, err := overrideValue(v.Default, s)
			if err != nil {
				return hcl.Diagnostics{errorAt(v.DeclRange, "Invalid value for variable",
					fmt.Sprintf("The build argument %s=%q does not fit variable %q: %v.", name, s, name, err))}
			}
			v.Value, v.Overridden = val, true
		} else if s := opts.Defaults[name]; s != "" && v.Default.Type() == cty.String && !v.Default.IsNull() && v.Default.AsString() == "" {
			v.Value, v.Filled = cty.StringVal(s), true
		}
		return nil
	}
	// Values are cty.NilVal until visited; evaluation order must not depend
	// on map order, so walk in declaration order.
	for _, v := range vars.list {
		v.Value = cty.DynamicVal
	}
	for _, v := range vars.list {
		diags = append(diags, visit(v.Name, v.DeclRange)...)
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return vars, diags
}

// overrideValue converts a build argument to the type of the default, as
// bake does: a variable whose default is a bool or number takes one.
func overrideValue(def cty.Value, s string) (cty.Value, error) {
	if def.IsNull() {
		return cty.StringVal(s), nil
	}
	switch def.Type() {
	case cty.String:
		return cty.StringVal(s), nil
	case cty.Bool:
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return cty.NilVal, fmt.Errorf("want true or false")
		}
		return cty.BoolVal(b), nil
	case cty.Number:
		n, err := cty.ParseNumberVal(strings.TrimSpace(s))
		if err != nil {
			return cty.NilVal, fmt.Errorf("want a number")
		}
		return n, nil
	}
	return cty.NilVal, fmt.Errorf("only string, number and bool variables can be set from build arguments")
}

// walkTraversals lists every variable traversal in a body, nested blocks
// included, in source order.
func walkTraversals(body hcl.Body) []hcl.Traversal {
	var out []hcl.Traversal
	var walk func(b *hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, a := range b.Attributes {
			out = append(out, a.Expr.Variables()...)
		}
		for _, blk := range b.Blocks {
			walk(blk.Body)
		}
	}
	if sb, ok := body.(*hclsyntax.Body); ok {
		walk(sb)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].SourceRange().Start.Byte < out[j].SourceRange().Start.Byte
	})
	return out
}
