package linter

import (
	"slices"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
)

// check pairs a rule with the function that finds its violations. A check
// sees the whole definition, the images being linted (file-wide rules
// ignore them) and their locked closures (nil without a lockfile).
type check struct {
	rule Meta
	find func(def *definition.Definition, images []*definition.Image, closures Closures) []Warning
}

// checks lists every rule with its check. A function rather than a var so
// that no caller can change the rule set.
func checks() []check {
	return []check{
		{RuleUnusedVariable.Meta, unusedVariables},
		{RuleNonNumericUser.Meta, nonNumericUsers},
		{RuleRequestedAndExcluded.Meta, requestedAndExcluded},
		{RuleImplicitRootUser.Meta, implicitRootUsers},
		{RuleUnpinnedSource.Meta, unpinnedSources},
		{RuleShellNotAsked.Meta, shellsNotAsked},
		{RuleDuplicatePackage.Meta, duplicatePackages},
	}
}

// requestedAndExcluded finds packages an image excludes in its own block
// and asks for, there or through from: the resolver keeps a requested
// package, so the exclusion is a mistake. Excluding in a parent what a
// child asks for is how a child takes back a package (cc takes libgcc-s1,
// which base keeps out), and is not one.
func requestedAndExcluded(def *definition.Definition, images []*definition.Image, _ Closures) []Warning {
	var out []Warning
	warned := map[string]bool{}
	for _, img := range images {
		r, set := img.Attrs[definition.AttrExclude]
		if !set {
			continue
		}
		inherited := map[string]bool{}
		for _, name := range img.From {
			if p := def.Image(name); p != nil {
				for _, x := range p.Exclude {
					inherited[x] = true
				}
			}
		}
		for _, x := range img.Exclude {
			key := r.String() + "\x00" + x
			if inherited[x] || warned[key] || !slices.ContainsFunc(img.Packages, func(req string) bool { return requestName(req) == x }) {
				continue
			}
			warned[key] = true
			out = append(out, warning(RuleRequestedAndExcluded.Meta, r, RuleRequestedAndExcluded.Format(img.Name, x)))
		}
	}
	return out
}

// requestName is the package a request names: "libc6" of "libc6:arm64",
// "libc6=2.36-9" or "libc6 (>= 2.36)".
func requestName(req string) string {
	req = strings.TrimSpace(req)
	if i := strings.IndexAny(req, " :=(<>"); i >= 0 {
		return req[:i]
	}
	return req
}

// unusedVariables finds variables nothing refers to: a typo in a reference
// or a leftover override point. It is file-wide, as variables are.
func unusedVariables(def *definition.Definition, _ []*definition.Image, _ Closures) []Warning {
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
func nonNumericUsers(_ *definition.Definition, images []*definition.Image, _ Closures) []Warning {
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
