package definition

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Package is a `package "NAME" { … }` block: software built from source in
// the same graph as the images that take it.
type Package struct {
	Name    string
	Version string
	Sources []*Source
	// Patches are files of the build context applied to the source tree
	// in order, with patch -p1.
	Patches []Patch
	Build   *Build
	// Subpackages split the output by path: each takes what its globs
	// match, in order, and the package keeps the rest.
	Subpackages []*Subpackage
	// Test runs after the build, in a throwaway image of the package's
	// runtime closure and busybox; a failing step fails the build.
	Test *Test
	// Runtime lists the Debian packages the built files need at run time;
	// an image that takes the package gets their closure too.
	Runtime []string
	// RuntimeBuilt are the packages built from source it needs at run
	// time (package.NAME in runtime): images that take it take them too.
	RuntimeBuilt []PackageRef
	RuntimeRange hcl.Range
	DeclRange    hcl.Range
}

// Patch is one patch of a package, a path in the build context.
type Patch struct {
	Path  string
	Range hcl.Range // of the element in the patches list
}

// Build is a package's `build { … }` block.
type Build struct {
	// Requires lists the Debian packages of the build sandbox, beyond the
	// Essential set it always has.
	Requires []string
	// RequiresBuilt are packages built from source that the sandbox has
	// installed (package.NAME in requires), with their runtime needs.
	RequiresBuilt []PackageRef
	RequiresRange hcl.Range
	Steps         []Step
	Env           []EnvVar // sorted by name
	// Network lets steps reach the network; off by default, so a build
	// cannot depend on what a server answers today.
	Network      bool
	NetworkRange hcl.Range // of the network attribute, when set
	// Profiles are the build profiles active (nocheck, nodoc): they select
	// the Build-Depends of a Debian source that apply, and steps see them
	// as DEB_BUILD_PROFILES.
	Profiles []string
	// Cross builds a foreign platform's package on the build platform with
	// Debian's cross toolchain (crossbuild-essential-ARCH), instead of
	// emulating the foreign platform; the steps must cooperate (use $CC,
	// --host=$DEB_HOST_GNU_TYPE).
	Cross bool
	// Caches are directories kept from build to build for compiler and
	// module caches (/root/.cache/go-build, a ccache directory): never part
	// of the output, shared by every package that names the same path.
	Caches []string
	Range  hcl.Range
}

// Subpackage is a `subpackage "SUB" { paths = [...] }` block: part of a
// package's output (headers, static libraries, docs) that images take only
// when they name it, package.NAME.SUB. As a Debian package it is called
// NAME-SUB and depends on NAME.
type Subpackage struct {
	Name string
	// Paths are globs relative to the output's root, as bash's globstar
	// reads them: "usr/include/**", "usr/lib/*.a".
	Paths []string
	Range hcl.Range
}

// Subpackage returns the subpackage called name, or nil.
func (p *Package) Subpackage(name string) *Subpackage {
	for _, s := range p.Subpackages {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Test is a package's `test { steps = [...] }` block.
type Test struct {
	Steps []Step
	Range hcl.Range
}

// Step is one command of a build or test, run by a shell in its own ExecOp.
type Step struct {
	Run   string
	Range hcl.Range // of the element in the steps list
}

// packageName is what Debian accepts as a package name (Policy 5.6.1).
var packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

var packageSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "version", Required: true},
		{Name: "patches"},
		{Name: "runtime"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "source", LabelNames: []string{"kind"}},
		{Type: "build"},
		{Type: "test"},
		{Type: "subpackage", LabelNames: []string{"name"}},
	},
}

var buildSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "requires"},
		{Name: "steps", Required: true},
		{Name: "env"},
		{Name: "network"},
		{Name: "caches"},
		{Name: "cross"},
		{Name: "profiles"},
	},
}

func decodePackage(b *hcl.Block, ctx *hcl.EvalContext) (*Package, hcl.Diagnostics) {
	name := b.Labels[0]
	if !packageName.MatchString(name) {
		return nil, hcl.Diagnostics{errorAt(b.LabelRanges[0], "Invalid package name",
			fmt.Sprintf("%q is not a Debian package name: use lower-case letters, digits, '+', '-' and '.', starting with a letter or digit.", name))}
	}
	content, diags := b.Body.Content(packageSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	p := &Package{Name: name, DeclRange: b.DefRange}
	d := decoder{ctx: ctx, attrs: content.Attributes}
	d.string("version", &p.Version)
	var patches []string
	d.list("patches", &patches)
	for i, pt := range patches {
		clean, err := cleanRel(pt)
		if err != nil {
			d.diags = append(d.diags, errorAt(d.elementRange("patches", i), "Invalid patch path", err.Error()+"."))
			continue
		}
		p.Patches = append(p.Patches, Patch{Path: clean, Range: d.elementRange("patches", i)})
	}
	if a, ok := content.Attributes["runtime"]; ok {
		p.Runtime, p.RuntimeBuilt = d.packageRequests(a)
		p.RuntimeRange = a.Expr.Range()
	}
	if a, ok := content.Attributes["version"]; ok && p.Version == "" && !d.diags.HasErrors() {
		d.diags = append(d.diags, errorAt(a.Expr.Range(), "Invalid version", "A package needs a version, such as \"2.10\"."))
	}
	var builds, tests hcl.Blocks
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "source":
			if s := d.source(blk); s != nil {
				p.Sources = append(p.Sources, s)
			}
		case "build":
			builds = append(builds, blk)
		case "test":
			tests = append(tests, blk)
		case "subpackage":
			if sp := d.subpackage(blk, p); sp != nil {
				p.Subpackages = append(p.Subpackages, sp)
			}
		}
	}
	switch {
	case len(builds) == 0:
		d.diags = append(d.diags, errorAt(b.DefRange, "Missing build block",
			fmt.Sprintf("Package %s needs a build { steps = [...] } block saying how to build it.", name)))
	case len(builds) > 1:
		d.diags = append(d.diags, errorAt(builds[1].DefRange, "Duplicate build block",
			fmt.Sprintf("A package has one build block; the first is at %s.", builds[0].DefRange)))
	default:
		p.Build = d.build(builds[0])
	}
	for i, blk := range tests {
		if i > 0 {
			d.diags = append(d.diags, errorAt(blk.DefRange, "Duplicate test block",
				fmt.Sprintf("A package has one test block; the first is at %s.", tests[0].DefRange)))
			continue
		}
		p.Test = d.test(blk)
	}
	if d.diags.HasErrors() {
		return nil, d.diags
	}
	return p, d.diags
}

var testSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "steps", Required: true}}}

func (d *decoder) test(b *hcl.Block) *Test {
	content, diags := b.Body.Content(testSchema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	t := &Test{Steps: sub.steps(), Range: b.DefRange}
	d.diags = append(d.diags, sub.diags...)
	return t
}

func (d *decoder) build(b *hcl.Block) *Build {
	content, diags := b.Body.Content(buildSchema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	bd := &Build{Range: b.DefRange}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	if a, ok := content.Attributes["requires"]; ok {
		bd.Requires, bd.RequiresBuilt = sub.packageRequests(a)
		bd.RequiresRange = a.Expr.Range()
	}
	if sub.decode("network", &bd.Network) {
		bd.NetworkRange = content.Attributes["network"].Range
	}
	sub.decode("cross", &bd.Cross)
	sub.list("profiles", &bd.Profiles)
	var caches []string
	sub.list("caches", &caches)
	for i, c := range caches {
		clean, err := cleanAbs(c)
		if err != nil || clean == "/" || clean == "/src" || clean == "/out" {
			sub.diags = append(sub.diags, errorAt(sub.elementRange("caches", i), "Invalid cache directory",
				fmt.Sprintf("%q is not a directory a cache can take: use an absolute path other than /, /src and /out.", c)))
			continue
		}
		bd.Caches = append(bd.Caches, clean)
	}
	bd.Steps = sub.steps()
	bd.Env = sub.env("env")
	d.diags = append(d.diags, sub.diags...)
	return bd
}

// steps decodes a steps list: shell commands, each with its range.
func (d *decoder) steps() []Step {
	var steps []string
	d.list("steps", &steps)
	var out []Step
	for i, s := range steps {
		if s == "" {
			d.diags = append(d.diags, errorAt(d.elementRange("steps", i), "Empty step", "A step is a shell command; this one is empty."))
			continue
		}
		out = append(out, Step{Run: s, Range: d.elementRange("steps", i)})
	}
	if _, ok := d.attrs["steps"]; ok && len(steps) == 0 && !d.diags.HasErrors() {
		d.errorf("steps", "No steps", "At least one step is needed.")
	}
	return out
}

var subpackageSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "paths", Required: true}}}

func (d *decoder) subpackage(b *hcl.Block, p *Package) *Subpackage {
	name := b.Labels[0]
	if !packageName.MatchString(p.Name+"-"+name) || strings.Contains(name, ".") {
		d.diags = append(d.diags, errorAt(b.LabelRanges[0], "Invalid subpackage name",
			fmt.Sprintf("%q does not make a Debian package name %s-%s: use lower-case letters, digits, '+' and '-'.", name, p.Name, name)))
		return nil
	}
	if prev := p.Subpackage(name); prev != nil {
		d.diags = append(d.diags, errorAt(b.LabelRanges[0], "Duplicate subpackage",
			fmt.Sprintf("Subpackage %s is already declared at %s.", name, prev.Range)))
		return nil
	}
	content, diags := b.Body.Content(subpackageSchema)
	if d.diags = append(d.diags, diags...); diags.HasErrors() {
		return nil
	}
	sub := decoder{ctx: d.ctx, attrs: content.Attributes}
	sp := &Subpackage{Name: name, Range: b.DefRange}
	var paths []string
	sub.list("paths", &paths)
	for i, pt := range paths {
		if _, err := sourcePath(pt); err != nil || strings.ContainsAny(pt, "'\"\\$`\n") {
			sub.diags = append(sub.diags, errorAt(sub.elementRange("paths", i), "Invalid path",
				fmt.Sprintf("%q is not a glob relative to the output's root, such as \"usr/include/**\".", pt)))
			continue
		}
		sp.Paths = append(sp.Paths, pt)
	}
	if len(paths) == 0 && !sub.diags.HasErrors() {
		sub.errorf("paths", "No paths", "A subpackage takes the paths its globs match: give at least one.")
	}
	d.diags = append(d.diags, sub.diags...)
	return sp
}
