package definition

import "github.com/hashicorp/hcl/v2"

// Attr names an attribute of an image block. Other packages name attributes
// by these constants, never by strings, so a misspelt name does not compile:
// looked up as a string it would silently point errors at the block header.
type Attr int

// The image attributes, in schema order; RunAs is accounts { run_as }, which
// stands in for user.
const (
	AttrDescription Attr = iota
	AttrPlatforms
	AttrEnv
	AttrEntrypoint
	AttrCmd
	AttrWorkdir
	AttrUser
	AttrLabels
	AttrAnnotations
	AttrPackages
	AttrExclude
	AttrFrom
	AttrCACertificates
	AttrJavaCACerts
	AttrLayerBudget
	AttrRunAs
	numAttrs
)

// String is the attribute's name as written in a definition.
func (a Attr) String() string {
	switch a {
	case AttrDescription:
		return "description"
	case AttrPlatforms:
		return "platforms"
	case AttrEnv:
		return "env"
	case AttrEntrypoint:
		return "entrypoint"
	case AttrCmd:
		return "cmd"
	case AttrWorkdir:
		return "workdir"
	case AttrUser:
		return "user"
	case AttrLabels:
		return "labels"
	case AttrAnnotations:
		return "annotations"
	case AttrPackages:
		return "packages"
	case AttrExclude:
		return "exclude"
	case AttrFrom:
		return "from"
	case AttrCACertificates:
		return "ca_certificates"
	case AttrJavaCACerts:
		return "java_cacerts"
	case AttrLayerBudget:
		return "layer_budget"
	case AttrRunAs:
		return "run_as"
	}
	return "unknown attribute"
}

// imageSchema lists the image block's attributes from the constants (the
// one list of them) and its nested blocks.
func imageSchema() *hcl.BodySchema {
	s := &hcl.BodySchema{
		Blocks: []hcl.BlockHeaderSchema{
			{Type: "file", LabelNames: []string{"path"}},
			{Type: "directory", LabelNames: []string{"path"}},
			{Type: "symlink", LabelNames: []string{"path"}},
			{Type: "accounts"},
		},
	}
	for a := range AttrRunAs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a.String()})
	}
	return s
}

// attrNamed is the attribute called name; ok is false for none.
func attrNamed(name string) (Attr, bool) {
	for a := range numAttrs {
		if a.String() == name {
			return a, true
		}
	}
	return 0, false
}
