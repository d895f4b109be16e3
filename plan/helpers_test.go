package plan

import (
	"strconv"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
)

// parse decodes and lowers a definition, as the frontend does.
func parse(filename string, src []byte, opts definition.Options) (*definition.Definition, hcl.Diagnostics) {
	def, diags := definition.Parse(filename, src, opts)
	if diags.HasErrors() {
		return nil, diags
	}
	low, ldiags := Lower(def)
	return low, append(diags, ldiags...)
}

func envString(env []definition.EnvVar) string {
	var parts []string
	for _, e := range env {
		parts = append(parts, e.Name+"="+e.Value)
	}
	return strings.Join(parts, ",")
}

func entriesString(entries []*definition.Entry) string {
	var parts []string
	for _, e := range entries {
		s := e.Path + " " + e.Kind.String() + " " + strconv.FormatUint(uint64(e.Mode), 8) + " " + strconv.Itoa(e.UID) + ":" + strconv.Itoa(e.GID)
		switch {
		case e.Source != "":
			s += " src=" + e.Source
		case e.Kind == definition.KindFile:
			s += " " + strconv.Quote(string(e.Content))
		case e.Kind == definition.KindSymlink:
			s += " ->" + e.Target
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "|")
}
