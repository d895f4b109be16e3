package cli

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxJSONBlob bounds what is read into memory of an index, a manifest or a
// config: all are a few kB.
const maxJSONBlob = 4 << 20

// ociLayout is an OCI image layout, a directory or a tarball of one (what
// -o type=oci writes), whose blobs open by digest.
type ociLayout struct {
	name string
	open func(name string) (io.ReadCloser, error) // a path in the layout
	// fetch, when set, reads blobs by descriptor instead: a registry
	// serves manifests and blobs from different endpoints.
	fetch func(d ocispecs.Descriptor) (io.ReadCloser, error)
	done  func() error
}

// openLayout opens the OCI layout directory or tarball at name.
func openLayout(name string) (*ociLayout, error) {
	info, err := os.Stat(name)
	if errors.Is(err, fs.ErrNotExist) {
		l, rerr := openRegistry(name)
		if rerr != nil {
			return nil, fmt.Errorf("%s is no file or directory, and as a registry reference: %w; distill inspect reads OCI layouts, their tarballs (distill build -o type=oci,dest=IMAGE.tar) and images in a registry it can reach", name, rerr)
		}
		return l, nil
	}
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return &ociLayout{name: name, open: func(p string) (io.ReadCloser, error) {
			return os.Open(filepath.Join(name, filepath.FromSlash(p)))
		}, done: func() error { return nil }}, nil
	}
	return openLayoutTar(name)
}

// openLayoutTar indexes the tarball's members by their offsets, so that a
// blob is read in place rather than the whole image into memory.
func openLayoutTar(name string) (*ociLayout, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	type member struct{ off, size int64 }
	members := map[string]member{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("%s is neither an OCI layout directory nor a tarball of one: %w", name, err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		// tar.Reader reads whole 512-byte blocks from a file and seeks
		// past data it skips: the offset now is where the data starts.
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		members[path.Clean(strings.TrimPrefix(h.Name, "./"))] = member{off, h.Size}
	}
	return &ociLayout{name: name, open: func(p string) (io.ReadCloser, error) {
		m, ok := members[p]
		if !ok {
			return nil, fmt.Errorf("%s has no %s: %w", name, p, fs.ErrNotExist)
		}
		return io.NopCloser(io.NewSectionReader(f, m.off, m.size)), nil
	}, done: f.Close}, nil
}

func (l *ociLayout) Close() error { return l.done() }

// blob opens the blob d; reading it to its end checks its digest.
func (l *ociLayout) blob(d ocispecs.Descriptor) (io.ReadCloser, error) {
	if err := d.Digest.Validate(); err != nil {
		return nil, fmt.Errorf("%s: a descriptor's digest: %w", l.name, err)
	}
	var rc io.ReadCloser
	var err error
	if l.fetch != nil {
		rc, err = l.fetch(d)
	} else {
		rc, err = l.open(path.Join("blobs", d.Digest.Algorithm().String(), d.Digest.Encoded()))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: blob %s: %w", l.name, d.Digest, err)
	}
	return &verifiedBlob{ReadCloser: rc, v: d.Digest.Verifier(), name: l.name, d: d.Digest}, nil
}

// verifiedBlob fails the read that reaches the end of a blob whose bytes do
// not match its digest.
type verifiedBlob struct {
	io.ReadCloser
	v    digest.Verifier
	name string
	d    digest.Digest
}

func (b *verifiedBlob) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	_, _ = b.v.Write(p[:n]) // a digest's hash does not fail
	if errors.Is(err, io.EOF) && !b.v.Verified() {
		return n, fmt.Errorf("%s: blob %s does not match its digest: the layout is corrupt", b.name, b.d)
	}
	return n, err
}

// blobJSON decodes a small JSON blob: an index, a manifest or a config.
func (l *ociLayout) blobJSON(d ocispecs.Descriptor, v any) error {
	rc, err := l.blob(d)
	if err != nil {
		return err
	}
	return readJSON(rc, v)
}

func readJSON(rc io.ReadCloser, v any) error {
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxJSONBlob))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// ociImage is one platform's image of a layout.
type ociImage struct {
	layout   *ociLayout
	digest   digest.Digest // the manifest's
	platform ocispecs.Platform
	manifest ocispecs.Manifest
}

// attestationType marks BuildKit's attestation manifests in an index.
const attestationType = "vnd.docker.reference.type"

// images lists the layout's platform images, following nested indexes and
// leaving out attestation manifests.
func (l *ociLayout) images() ([]ociImage, error) {
	var index ocispecs.Index
	rc, err := l.open("index.json")
	if err == nil {
		err = readJSON(rc, &index)
	}
	if err != nil {
		return nil, fmt.Errorf("%s is not an OCI layout: index.json: %w", l.name, err)
	}
	return l.walk(index.Manifests, 0)
}

func (l *ociLayout) walk(descs []ocispecs.Descriptor, depth int) ([]ociImage, error) {
	if depth > 4 {
		return nil, fmt.Errorf("%s: indexes nested too deep", l.name)
	}
	var out []ociImage
	for _, d := range descs {
		if _, ok := d.Annotations[attestationType]; ok {
			continue
		}
		switch d.MediaType {
		case ocispecs.MediaTypeImageIndex, "application/vnd.docker.distribution.manifest.list.v2+json":
			var index ocispecs.Index
			if err := l.blobJSON(d, &index); err != nil {
				return nil, fmt.Errorf("%s: index %s: %w", l.name, d.Digest, err)
			}
			imgs, err := l.walk(index.Manifests, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, imgs...)
		case ocispecs.MediaTypeImageManifest, "application/vnd.docker.distribution.manifest.v2+json":
			img := ociImage{layout: l, digest: d.Digest}
			if err := l.blobJSON(d, &img.manifest); err != nil {
				return nil, fmt.Errorf("%s: manifest %s: %w", l.name, d.Digest, err)
			}
			if d.Platform != nil {
				img.platform = *d.Platform
			} else {
				// A single-platform layout names its platform in the
				// config only.
				var cfg ocispecs.Image
				if err := l.blobJSON(img.manifest.Config, &cfg); err != nil {
					return nil, fmt.Errorf("%s: config %s: %w", l.name, img.manifest.Config.Digest, err)
				}
				img.platform = cfg.Platform
			}
			img.platform = platforms.Normalize(img.platform)
			out = append(out, img)
		}
	}
	return out, nil
}

// pickImage chooses the image of the platform asked for (default the
// host's); a layout of one image needs no choice.
func pickImage(name string, imgs []ociImage, want *ocispecs.Platform) (ociImage, error) {
	if len(imgs) == 0 {
		return ociImage{}, fmt.Errorf("%s holds no image manifest", name)
	}
	if want == nil && len(imgs) == 1 {
		return imgs[0], nil
	}
	p := platforms.DefaultSpec()
	if want != nil {
		p = *want
	}
	m := platforms.NewMatcher(p)
	var have []string
	for _, img := range imgs {
		if m.Match(img.platform) {
			return img, nil
		}
		have = append(have, platforms.FormatAll(img.platform))
	}
	return ociImage{}, fmt.Errorf("%s has no image for %s, only for %s: choose one with --platform", name, platforms.FormatAll(p), strings.Join(have, ", "))
}
