package frontend

import (
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// selectImage picks the --target image; without one, the last image in the
// file, as the Dockerfile frontend builds the last stage.
func selectImage(def *definition.Definition, target string) (*definition.Image, error) {
	if target == "" {
		return def.Images[len(def.Images)-1], nil
	}
	if img := def.Image(target); img != nil {
		return img, nil
	}
	names := make([]string, len(def.Images))
	for i, img := range def.Images {
		names[i] = img.Name
	}
	return nil, fmt.Errorf("target %q not found in %s: the images are %s", target, def.Filename, strings.Join(names, ", "))
}

// selectPlatforms reconciles the requested platforms with the image's. With
// none requested the image's own list is built (nil: the default platform);
// a requested platform the image does not declare is an error.
func selectPlatforms(img *definition.Image, requested []ocispecs.Platform) ([]ocispecs.Platform, error) {
	if len(requested) == 0 {
		return img.Platforms, nil
	}
	if len(img.Platforms) == 0 {
		return requested, nil
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
				Subject: img.AttrRange("platforms").Ptr(),
			}
		}
	}
	return requested, nil
}
