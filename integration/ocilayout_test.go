package integration

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// OCILayout is an OCI image layout tarball (what `-o type=oci,dest=x.tar`
// writes) read into memory, with every blob's digest checked.
type OCILayout struct {
	Index        ocispec.Index    // index.json
	Images       []*OCIImage      // one per platform manifest, nested indexes followed
	Attestations []OCIAttestation // attestation manifests (provenance, SBOM)
	blobs        map[string][]byte
}

// OCIImage is one platform's image: manifest, config and unpacked layers.
type OCIImage struct {
	Descriptor ocispec.Descriptor
	Platform   ocispec.Platform // from the index, else from the config
	Manifest   ocispec.Manifest
	Config     ocispec.Image
	Layers     []OCILayer
}

// OCILayer is a layer's descriptor and its tar entries in order.
type OCILayer struct {
	Descriptor ocispec.Descriptor
	Entries    []TarEntry
}

// TarEntry is one tar header and, for regular files, its contents.
type TarEntry struct {
	Header tar.Header
	Data   []byte
}

// OCIAttestation is an attestation manifest; read its layers with Blob.
type OCIAttestation struct {
	Descriptor ocispec.Descriptor
	Manifest   ocispec.Manifest
}

// attestationRefType marks BuildKit's attestation manifests in an index.
const attestationRefType = "vnd.docker.reference.type"

// readLayout is ReadOCILayout for a test: a tarball that does not read
// fails it.
func readLayout(t *testing.T, file string) *OCILayout {
	t.Helper()
	l, err := ReadOCILayout(file)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// readLayoutDir is readLayout for an OCI layout directory (an export with
// tar=false): it is read as the tarball of its files.
func readLayoutDir(t *testing.T, dir string) *OCILayout {
	t.Helper()
	file := filepath.Join(t.TempDir(), "layout.tar")
	if out, err := exec.Command("tar", "-cf", file, "-C", dir, "oci-layout", "index.json", "blobs").CombinedOutput(); err != nil {
		t.Fatalf("tar of %s: %v\n%s", dir, err, out)
	}
	return readLayout(t, file)
}

// ReadOCILayout reads and checks an OCI layout tarball.
func ReadOCILayout(file string) (*OCILayout, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l := &OCILayout{blobs: map[string][]byte{}}
	tr := tar.NewReader(bufio.NewReader(f))
	var index []byte
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if h.Typeflag != tar.TypeReg || (name != "index.json" && !strings.HasPrefix(name, "blobs/")) {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, name, err)
		}
		if name == "index.json" {
			index = b
		} else {
			l.blobs[strings.TrimPrefix(name, "blobs/")] = b // "sha256/<hex>"
		}
	}
	if index == nil {
		return nil, fmt.Errorf("%s: no index.json", file)
	}
	if err := json.Unmarshal(index, &l.Index); err != nil {
		return nil, fmt.Errorf("%s: index.json: %w", file, err)
	}
	if err := l.walk(l.Index.Manifests, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return l, nil
}

// Blob returns a blob's bytes after checking them against d.
func (l *OCILayout) Blob(d ocispec.Descriptor) ([]byte, error) {
	b, ok := l.blobs[d.Digest.Algorithm().String()+"/"+d.Digest.Encoded()]
	if !ok {
		return nil, fmt.Errorf("blob %s missing", d.Digest)
	}
	if d.Digest.Algorithm() != "sha256" {
		return nil, fmt.Errorf("blob %s: unsupported digest algorithm", d.Digest)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != d.Digest.Encoded() {
		return nil, fmt.Errorf("blob %s: content does not match its digest", d.Digest)
	}
	if int64(len(b)) != d.Size {
		return nil, fmt.Errorf("blob %s: %d bytes, descriptor says %d", d.Digest, len(b), d.Size)
	}
	return b, nil
}

// Image returns the image for a platform such as "linux/arm64".
func (l *OCILayout) Image(platform string) (*OCIImage, error) {
	var have []string
	for _, img := range l.Images {
		p := img.Platform.OS + "/" + img.Platform.Architecture
		if platform == p || platform == p+"/"+img.Platform.Variant {
			return img, nil
		}
		have = append(have, p)
	}
	return nil, fmt.Errorf("no image for %s (have %q)", platform, have)
}

func (l *OCILayout) walk(descs []ocispec.Descriptor, depth int) error {
	if depth > 4 {
		return errors.New("indexes nested too deep")
	}
	for _, d := range descs {
		b, err := l.Blob(d)
		if err != nil {
			return err
		}
		switch d.MediaType {
		case ocispec.MediaTypeImageIndex, "application/vnd.docker.distribution.manifest.list.v2+json":
			var idx ocispec.Index
			if err := json.Unmarshal(b, &idx); err != nil {
				return fmt.Errorf("index %s: %w", d.Digest, err)
			}
			if err := l.walk(idx.Manifests, depth+1); err != nil {
				return err
			}
		case ocispec.MediaTypeImageManifest, "application/vnd.docker.distribution.manifest.v2+json":
			var m ocispec.Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				return fmt.Errorf("manifest %s: %w", d.Digest, err)
			}
			if d.Annotations[attestationRefType] == "attestation-manifest" {
				l.Attestations = append(l.Attestations, OCIAttestation{Descriptor: d, Manifest: m})
				continue
			}
			img, err := l.image(d, m)
			if err != nil {
				return fmt.Errorf("manifest %s: %w", d.Digest, err)
			}
			l.Images = append(l.Images, img)
		default:
			return fmt.Errorf("descriptor %s: unexpected media type %q", d.Digest, d.MediaType)
		}
	}
	return nil
}

func (l *OCILayout) image(d ocispec.Descriptor, m ocispec.Manifest) (*OCIImage, error) {
	img := &OCIImage{Descriptor: d, Manifest: m}
	b, err := l.Blob(m.Config)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := json.Unmarshal(b, &img.Config); err != nil {
		return nil, fmt.Errorf("config %s: %w", m.Config.Digest, err)
	}
	if d.Platform != nil {
		img.Platform = *d.Platform
	} else {
		img.Platform = img.Config.Platform
	}
	for _, ld := range m.Layers {
		b, err := l.Blob(ld)
		if err != nil {
			return nil, fmt.Errorf("layer: %w", err)
		}
		entries, err := readLayer(b)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", ld.Digest, err)
		}
		img.Layers = append(img.Layers, OCILayer{Descriptor: ld, Entries: entries})
	}
	return img, nil
}

// readLayer unpacks a gzip, zstd or uncompressed layer tar; the compression
// is sniffed rather than trusted from the media type.
func readLayer(b []byte) ([]TarEntry, error) {
	var r io.Reader = bytes.NewReader(b)
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	var entries []TarEntry
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return entries, nil
		}
		if err != nil {
			return nil, err
		}
		e := TarEntry{Header: *h}
		if h.Typeflag == tar.TypeReg {
			if e.Data, err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("%s: %w", h.Name, err)
			}
		}
		entries = append(entries, e)
	}
}

// cleanName makes tar names comparable: "./etc/x", "/etc/x/" → "etc/x".
func cleanName(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// Files is the image's merged filesystem: the topmost entry for each path,
// with whiteouts applied, keyed by cleanName.
func (img *OCIImage) Files() map[string]TarEntry {
	files := map[string]TarEntry{}
	hide := func(prefix string) {
		for n := range files {
			if strings.HasPrefix(n, prefix) {
				delete(files, n)
			}
		}
	}
	for _, l := range img.Layers {
		// Whiteouts hide lower layers only, so apply them before adding
		// this layer's entries.
		for _, e := range l.Entries {
			dir, base := path.Split(cleanName(e.Header.Name))
			switch {
			case base == ".wh..wh..opq":
				hide(dir)
			case strings.HasPrefix(base, ".wh."):
				hidden := dir + strings.TrimPrefix(base, ".wh.")
				delete(files, hidden)
				hide(hidden + "/")
			}
		}
		for _, e := range l.Entries {
			name := cleanName(e.Header.Name)
			if !strings.HasPrefix(path.Base(name), ".wh.") {
				files[name] = e
			}
		}
	}
	return files
}

// File returns the merged filesystem's entry for name ("/etc/passwd").
func (img *OCIImage) File(name string) (TarEntry, bool) {
	e, ok := img.Files()[cleanName(name)]
	return e, ok
}
