package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/internal/aptsources"
	"github.com/distill-build/distill/plan"
)

// readDefinition reads and decodes the definition, once: its absolute path,
// and the image to build (lowered), read ahead for the default output name
// and platforms; nil when the definition does not decode or names no such
// image: the frontend reports that, with the offending lines. Mirror
// variables the definition leaves empty are filled from apt's sources and
// passed on as build arguments.
func readDefinition(o *commonOptions, target string, stderr io.Writer) (string, *definition.Image, error) {
	file, err := filepath.Abs(o.file)
	if err != nil {
		return "", nil, fmt.Errorf("the definition's path: %w", err)
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("reading the definition: %w", err)
	}
	def, diags := definition.Parse(filepath.Base(file), src, definition.Options{Args: o.buildArgMap(), Defaults: aptMirrors()})
	if diags.HasErrors() {
		return file, nil, nil
	}
	for _, v := range def.Variables {
		if v.Filled {
			o.buildArgs = append(o.buildArgs, v.Name+"="+v.Value.AsString())
			fmt.Fprintf(stderr, "%s=%s (from apt's sources)\n", v.Name, v.Value.AsString())
		}
	}
	if def, diags = plan.Lower(def); diags.HasErrors() {
		return file, nil, nil
	}
	img, err := plan.Target(def, target)
	if err != nil {
		return file, nil, nil
	}
	return file, img, nil
}

// aptMirrors are the values the CLI gives variables a definition declares
// with an empty default, by the archive each names, from this machine's apt
// sources: the mirror is configuration, as apt's is.
func aptMirrors() map[string]string {
	mirrors := aptsources.Mirrors("/")
	out := map[string]string{}
	for name, archive := range map[string]string{"MIRROR": "debian", "SECURITY_MIRROR": "debian-security"} {
		if url := mirrors[archive]; url != "" {
			out[name] = url
		}
	}
	return out
}
