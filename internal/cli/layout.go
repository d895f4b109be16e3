package cli

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// layout reads an OCI image layout the build exported: a directory, or a
// tarball (BuildKit's oci and docker exporters both write index.json and
// blobs/).
type layout struct {
	open func(name string) (io.ReadCloser, error)
	done func() error
}

// openLayout opens the layout at dest: a directory or a tar file.
func openLayout(dest string) (*layout, error) {
	fi, err := os.Stat(dest)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return &layout{
			open: func(name string) (io.ReadCloser, error) {
				return os.Open(filepath.Join(dest, filepath.FromSlash(name)))
			},
			done: func() error { return nil },
		}, nil
	}
	f, err := os.Open(dest)
	if err != nil {
		return nil, err
	}
	entries, err := tarEntries(f)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", dest, err), f.Close())
	}
	return &layout{
		open: func(name string) (io.ReadCloser, error) {
			e, ok := entries[name]
			if !ok {
				return nil, fmt.Errorf("%s: no %s in the tarball", dest, name)
			}
			return io.NopCloser(io.NewSectionReader(f, e[0], e[1])), nil
		},
		done: f.Close,
	}, nil
}

// tarEntries maps each regular file of a tar to its content's offset and
// size, so that blobs are read in place, not copied.
func tarEntries(f *os.File) (map[string][2]int64, error) {
	cr := &countingReader{r: f}
	tr := tar.NewReader(cr)
	out := map[string][2]int64{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		// archive/tar reads whole 512-byte blocks and no further: after
		// Next, the count is where the content starts.
		if h.Typeflag == tar.TypeReg {
			out[path.Clean(h.Name)] = [2]int64{cr.n, h.Size}
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// blobName is where a layout keeps a blob.
func blobName(d digest.Digest) string {
	return path.Join("blobs", d.Algorithm().String(), d.Encoded())
}

// readJSON decodes a small blob (an index, a manifest).
func (l *layout) readJSON(name string, v any) error {
	r, err := l.open(name)
	if err != nil {
		return err
	}
	defer r.Close()
	if err := json.NewDecoder(io.LimitReader(r, 16<<20)).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// platformImage is one platform's image in a layout.
type platformImage struct {
	platform     string // normalized, as frontend.PackageCounts keys it
	digest       digest.Digest
	compressed   int64 // the layers' blob sizes
	uncompressed int64 // the layers' sizes once decompressed
}

// images lists the layout's images, in the index's order, leaving out
// attestation manifests.
func (l *layout) images() ([]platformImage, error) {
	var idx ocispecs.Index
	if err := l.readJSON("index.json", &idx); err != nil {
		return nil, err
	}
	return l.walk(idx.Manifests, 0)
}

func (l *layout) walk(descs []ocispecs.Descriptor, depth int) ([]platformImage, error) {
	if depth > 4 {
		return nil, errors.New("image indexes nested more than 4 deep")
	}
	var out []platformImage
	for _, d := range descs {
		switch {
		case d.Annotations["vnd.docker.reference.type"] == "attestation-manifest":
		case isIndex(d.MediaType):
			var idx ocispecs.Index
			if err := l.readJSON(blobName(d.Digest), &idx); err != nil {
				return nil, err
			}
			imgs, err := l.walk(idx.Manifests, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, imgs...)
		default:
			img, err := l.image(d)
			if err != nil {
				return nil, err
			}
			out = append(out, img)
		}
	}
	return out, nil
}

func isIndex(mediaType string) bool {
	return mediaType == ocispecs.MediaTypeImageIndex || mediaType == "application/vnd.docker.distribution.manifest.list.v2+json"
}

// image sizes one manifest's layers; its platform is the descriptor's,
// else its config's (a single-platform export has no platform in the
// index).
func (l *layout) image(d ocispecs.Descriptor) (platformImage, error) {
	var m ocispecs.Manifest
	if err := l.readJSON(blobName(d.Digest), &m); err != nil {
		return platformImage{}, err
	}
	p := d.Platform
	if p == nil {
		var cfg ocispecs.Image
		if err := l.readJSON(blobName(m.Config.Digest), &cfg); err != nil {
			return platformImage{}, err
		}
		p = &cfg.Platform
	}
	img := platformImage{platform: platforms.FormatAll(platforms.Normalize(*p)), digest: d.Digest}
	for _, layer := range m.Layers {
		n, err := l.uncompressedSize(layer)
		if err != nil {
			return platformImage{}, fmt.Errorf("layer %s: %w", layer.Digest, err)
		}
		img.compressed += layer.Size
		img.uncompressed += n
	}
	return img, nil
}

// uncompressedSize decompresses a layer to count its bytes: neither the
// manifest nor the config records them.
func (l *layout) uncompressedSize(layer ocispecs.Descriptor) (int64, error) {
	r, err := l.open(blobName(layer.Digest))
	if err != nil {
		return 0, err
	}
	defer r.Close()
	var src io.Reader = r
	switch {
	case strings.HasSuffix(layer.MediaType, "gzip"):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return 0, err
		}
		defer zr.Close()
		src = zr
	case strings.HasSuffix(layer.MediaType, "zstd"):
		zr, err := zstd.NewReader(r)
		if err != nil {
			return 0, err
		}
		defer zr.Close()
		src = zr
	}
	return io.Copy(io.Discard, src)
}
