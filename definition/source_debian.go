package definition

import (
	"github.com/hashicorp/hcl/v2"
)

// DebianSource is a source package of the definition's repositories, by
// name and version: its .dsc is found through the suite's verified Sources
// index, its files are fetched by the sha256 the index lists, and it is
// unpacked with dpkg-source -x, so its quilt series is applied.
type DebianSource struct {
	Name, Version string
}

var debianSourceAttrs = []hcl.AttributeSchema{{Name: "name", Required: true}, {Name: "version", Required: true}}

func (d *decoder) debianSource() *DebianSource {
	s := &DebianSource{}
	d.string("name", &s.Name)
	d.string("version", &s.Version)
	if s.Name != "" && !packageName.MatchString(s.Name) {
		d.errorf("name", "Invalid source package name", "%q is not a Debian package name.", s.Name)
	}
	if _, ok := d.attrs["version"]; ok && s.Version == "" && !d.diags.HasErrors() {
		d.errorf("version", "Invalid version", "A Debian source needs its version, such as \"0.5.12-2\".")
	}
	return s
}
