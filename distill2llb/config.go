package distill2llb

import (
	"maps"
	"slices"

	"github.com/distill-build/distill/definition"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// config is the image config for one platform. History has one entry per
// layer, naming it, so BuildKit's exporter keeps ours instead of inventing
// entries with the current time.
func config(img *definition.Image, history []string, opt Options) *dockerspec.DockerOCIImage {
	created := opt.Epoch.UTC()
	c := &dockerspec.DockerOCIImage{
		Image: ocispecs.Image{
			Created:  &created,
			Platform: opt.Platform,
			RootFS:   ocispecs.RootFS{Type: "layers"},
		},
		// DockerOCIImage's Config shadows the embedded ocispecs.Image.Config.
		Config: dockerspec.DockerOCIImageConfig{ImageConfig: ocispecs.ImageConfig{
			Entrypoint: img.Entrypoint,
			Cmd:        img.Cmd,
			WorkingDir: img.Workdir,
			User:       img.User,
			Labels:     maps.Clone(img.Labels),
		}},
	}
	for _, e := range img.Env {
		c.Config.Env = append(c.Config.Env, e.Name+"="+e.Value)
	}
	if opt.Base != nil {
		c.History = slices.Clone(opt.Base.History)
	}
	for _, h := range history {
		c.History = append(c.History, ocispecs.History{Created: &created, CreatedBy: h, Comment: "distill"})
	}
	return c
}
