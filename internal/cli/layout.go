package cli

import (
	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// platformImage is one platform's image in a layout the build exported,
// sized for the build's summary.
type platformImage struct {
	platform     string // normalized, as frontend.PackageCounts keys it
	digest       digest.Digest
	compressed   int64 // the layers' blob sizes
	uncompressed int64 // the layers' sizes once decompressed
}

// sizeImages lists the layout's images, in the index's order, with their
// sizes.
func sizeImages(l *ociLayout) ([]platformImage, error) {
	imgs, err := l.images()
	if err != nil {
		return nil, err
	}
	out := make([]platformImage, 0, len(imgs))
	sizes := map[digest.Digest]int64{} // a layer the platforms share is read once
	for _, img := range imgs {
		p := platformImage{platform: platforms.FormatAll(img.platform), digest: img.digest}
		for _, layer := range img.manifest.Layers {
			n, ok := sizes[layer.Digest]
			if !ok {
				var err error
				if n, err = l.uncompressedSize(layer); err != nil {
					return nil, err
				}
				sizes[layer.Digest] = n
			}
			p.compressed += layer.Size
			p.uncompressed += n
		}
		out = append(out, p)
	}
	return out, nil
}

// uncompressedSize decompresses a layer to count its bytes: neither the
// manifest nor the config records them.
func (l *ociLayout) uncompressedSize(layer ocispecs.Descriptor) (int64, error) {
	return l.walkLayer(layer, nil)
}
