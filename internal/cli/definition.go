package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/internal/aptsources"
	"github.com/zclconf/go-cty/cty"
)

// readDefinition reads the definition once: its absolute path, and the
// image named target (the last one when target is empty), read ahead for the
// default output name and platforms; nil when the definition does not
// decode: the frontend reports that, with the offending lines. It also fills
// the mirror variables from apt's sources.
func readDefinition(o *commonOptions, target string, stderr io.Writer) (string, *definition.Image, error) {
	file, err := filepath.Abs(o.file)
	if err != nil {
		return "", nil, fmt.Errorf("the definition's path: %w", err)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("reading the definition: %w", err)
	}
	name := filepath.Base(file)
	defaultMirrors(name, src, o, stderr)
	def, diags := definition.Parse(name, src, definition.Options{Args: o.buildArgMap()})
	switch {
	case diags.HasErrors():
		return file, nil, nil
	case target != "":
		return file, def.Image(target), nil
	}
	return file, def.Images[len(def.Images)-1], nil
}

// mirrorArchives are the variables the CLI fills from this machine's apt
// sources, by the archive each names, when a definition declares them without
// a value and no build argument sets them: the mirror is configuration, as
// apt's is.
func mirrorArchives() map[string]string {
	return map[string]string{"MIRROR": "debian", "SECURITY_MIRROR": "debian-security"}
}

func defaultMirrors(name string, src []byte, o *commonOptions, stderr io.Writer) {
	vars, diags := definition.ParseVariables(name, src, definition.Options{})
	if diags.HasErrors() {
		return
	}
	archives := mirrorArchives()
	var mirrors map[string]string
	for _, v := range vars {
		archive, ok := archives[v.Name]
		if !ok || o.hasBuildArg(v.Name) || v.Default.Type() != cty.String || v.Default.IsNull() || v.Default.AsString() != "" {
			continue
		}
		if mirrors == nil {
			mirrors = aptsources.Mirrors("/")
		}
		if url := mirrors[archive]; url != "" {
			o.buildArgs = append(o.buildArgs, v.Name+"="+url)
			fmt.Fprintf(stderr, "%s=%s (from apt's sources)\n", v.Name, url)
		}
	}
}

func (o *commonOptions) hasBuildArg(name string) bool {
	for _, a := range o.buildArgs {
		if k, _, _ := strings.Cut(a, "="); k == name {
			return true
		}
	}
	return false
}
