package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Target picks the image to build: the named one, or without a name the
// last image in the file, as the Dockerfile frontend builds the last stage.
// This is the one place that default is decided.
func Target(def *definition.Definition, name string) (*definition.Image, error) {
	if name == "" {
		return def.Images[len(def.Images)-1], nil
	}
	if img := def.Image(name); img != nil {
		return img, nil
	}
	names := make([]string, len(def.Images))
	for i, img := range def.Images {
		names[i] = img.Name
	}
	return nil, fmt.Errorf("target %q not found in %s: the images are %s", name, def.Filename, strings.Join(names, ", "))
}

// Platforms decides what an image is built for, the one place that default
// is decided: the requested platforms, each of which the image must declare
// when it declares any; else the image's own list; else fallback (the
// worker's platform). The result is never empty.
func Platforms(img *definition.Image, requested []ocispecs.Platform, fallback ocispecs.Platform) ([]ocispecs.Platform, error) {
	requested, err := Requested(requested)
	if err != nil {
		return nil, err
	}
	if len(requested) == 0 {
		if len(img.Platforms) == 0 {
			return []ocispecs.Platform{fallback}, nil
		}
		return slices.Clone(img.Platforms), nil
	}
	if len(img.Platforms) == 0 {
		return slices.Clone(requested), nil
	}
	declared := platforms.Any(img.Platforms...)
	for _, p := range requested {
		if !declared.Match(platforms.Normalize(p)) {
			names := make([]string, len(img.Platforms))
			for i, d := range img.Platforms {
				names[i] = platforms.FormatAll(d)
			}
			return nil, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Unsupported platform",
				Detail: fmt.Sprintf("Image %q is built for %s; %s was requested.",
					img.Name, strings.Join(names, ", "), platforms.FormatAll(p)),
				Subject: img.AttrRange(definition.AttrPlatforms).Ptr(),
			}
		}
	}
	return slices.Clone(requested), nil
}

// Requested checks the platforms a build asks for (the CLI's or buildx's
// --platform, which dockerui parses) as a definition's are checked, and
// drops repeats: each would add an identical manifest to the index.
func Requested(requested []ocispecs.Platform) ([]ocispecs.Platform, error) {
	var out []ocispecs.Platform
	seen := map[string]bool{}
	for _, p := range requested {
		if err := definition.CheckPlatform(p); err != nil {
			return nil, fmt.Errorf("--platform %w", err)
		}
		p = platforms.Normalize(p)
		if key := platforms.FormatAll(p); !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	return out, nil
}
