package linter

import (
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
)

// check pairs a rule with the function that finds its violations. A check
// sees the whole definition and the images being linted: file-wide rules
// ignore the latter.
type check struct {
	rule Meta
	find func(def *definition.Definition, images []*definition.Image) []Warning
}

// checks lists every rule with its check. A function rather than a var so
// that no caller can change the rule set.
func checks() []check {
	return []check{
		{RuleUnusedVariable.Meta, unusedVariables},
		{RuleNonNumericUser.Meta, nonNumericUsers},
	}
}

// unusedVariables finds variables nothing refers to: a typo in a reference
// or a leftover override point. It is file-wide, as variables are.
func unusedVariables(def *definition.Definition, _ []*definition.Image) []Warning {
	var out []Warning
	for _, v := range def.Variables {
		if !v.Used {
			out = append(out, warning(RuleUnusedVariable.Meta, v.DeclRange, RuleUnusedVariable.Format(v.Name)))
		}
	}
	return out
}

// nonNumericUsers finds images whose user is a name: Kubernetes'
// runAsNonRoot can only verify a numeric uid. An image inheriting the user
// line shares the warning of the first image that has it, so one line gets
// one warning.
func nonNumericUsers(_ *definition.Definition, images []*definition.Image) []Warning {
	var out []Warning
	warned := map[hcl.Range]bool{}
	for _, img := range images {
		r, set := img.Attrs[definition.AttrUser]
		name, _, _ := strings.Cut(img.User, ":")
		if !set || name == "" || isNumeric(name) || warned[r] {
			continue
		}
		warned[r] = true
		out = append(out, warning(RuleNonNumericUser.Meta, r, RuleNonNumericUser.Format(img.Name, img.User, name)))
	}
	return out
}

func isNumeric(s string) bool {
	return strings.Trim(s, "0123456789") == ""
}

func warning(rule Meta, r hcl.Range, msg string) Warning {
	return Warning{Rule: rule, Message: msg, Range: r}
}
