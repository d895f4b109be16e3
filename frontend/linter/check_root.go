package linter

import "github.com/distill-build/distill/definition"

// implicitRootUsers finds images that run as root because nothing sets a
// user: an empty User in the config means uid 0, which a reader of the
// definition only learns by knowing the default. The images are lowered,
// so a user or run_as inherited through from counts, and user = "0",
// "root" or run_as = "root" say so and are fine.
func implicitRootUsers(_ *definition.Definition, images []*definition.Image, _ Closures) []Warning {
	var out []Warning
	for _, img := range images {
		if img.User == "" {
			out = append(out, warning(RuleImplicitRootUser.Meta, img.DeclRange, RuleImplicitRootUser.Format(img.Name)))
		}
	}
	return out
}
