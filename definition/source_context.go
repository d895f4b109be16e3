package definition

import (
	"regexp"

	"github.com/hashicorp/hcl/v2"
)

// ContextSource is a directory of the build context, or of a named context
// that --build-context can point elsewhere, as a Dockerfile's
// COPY --from=NAME does.
type ContextSource struct {
	// Name is the named context; "" for the main build context.
	Name string
	// Path is the directory in it, relative and clean; "." for all of it.
	Path string
}

var contextSourceAttrs = []hcl.AttributeSchema{{Name: "name"}, {Name: "path"}}

// contextName is what buildx accepts after --build-context.
var contextName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._/-]*$`)

func (d *decoder) contextSource() *ContextSource {
	c := &ContextSource{Path: "."}
	if d.decode("name", &c.Name) && !contextName.MatchString(c.Name) {
		d.errorf("name", "Invalid context name", "%q is not a context name --build-context can set.", c.Name)
	}
	var p string
	if d.decode("path", &p) && p != "." {
		clean, err := cleanRel(p)
		if err != nil {
			d.errorf("path", "Invalid path", "%v.", err)
		}
		c.Path = clean
	}
	return c
}
