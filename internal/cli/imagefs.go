package cli

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/distill-build/distill/debian/compress"
	"github.com/distill-build/distill/debian/control"
	"github.com/distill-build/distill/debian/deb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxRecord bounds a status.d record read into memory: md5sums of the
// largest packages are a few MiB.
const maxRecord = 64 << 20

// layerInfo is what one layer of an image holds.
type layerInfo struct {
	digest                   digest.Digest
	compressed, uncompressed int64
	records                  []string // status.d records (package names) it writes
}

// debPackage is a package an image records in status.d.
type debPackage struct {
	record              string // the record's name: a package name, maybe with :arch
	name, version, arch string
	layer               int   // the layer that writes its record
	size                int64 // bytes of its files in the image
	files               []string
}

// imageFile is a regular file of the image's final filesystem.
type imageFile struct {
	size  int64
	layer int
}

// imageContents is an image read layer by layer: its layers, its packages
// by record name, and the files no package lists.
type imageContents struct {
	platform ocispecs.Platform
	layers   []layerInfo
	packages map[string]*debPackage
	unowned  []string // paths, sorted
	files    map[string]imageFile
	// below indexes files by directory, for whiteouts: a directory's
	// entries that are files or lead to files.
	below map[string]map[string]bool
}

// readContents reads every layer of img, applying whiteouts as a runtime
// would, and assigns files to packages by their md5sums records.
func readContents(img ociImage) (*imageContents, error) {
	c := &imageContents{platform: img.platform, packages: map[string]*debPackage{}, files: map[string]imageFile{}, below: map[string]map[string]bool{}}
	controls := map[string][]byte{}
	sums := map[string][]byte{}
	for i, d := range img.manifest.Layers {
		li, err := c.readLayer(img.layout, d, i, controls, sums)
		if err != nil {
			return nil, err
		}
		c.layers = append(c.layers, li)
	}
	layerOf := map[string]int{} // a record's last layer: the one the image shows
	for i, l := range c.layers {
		for _, rec := range l.records {
			layerOf[rec] = i
		}
	}
	owned := map[string]bool{}
	for rec, ctl := range controls {
		p, err := control.ParseParagraph(ctl, path.Join(deb.StatusDir, rec), control.Lenient)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", img.layout.name, err)
		}
		pkg := &debPackage{record: rec, name: p.String("Package"), version: p.String("Version"), arch: p.String("Architecture"), layer: -1}
		if i, ok := layerOf[rec]; ok {
			pkg.layer = i
		}
		files, err := c.packageFiles(rec, sums[rec], pkg.layer)
		if err != nil {
			return nil, fmt.Errorf("%s: %s.md5sums: %w", img.layout.name, rec, err)
		}
		for _, p := range files {
			owned[p] = true
			if f, ok := c.files[p]; ok {
				pkg.size += f.size
				pkg.files = append(pkg.files, p)
			}
		}
		c.packages[rec] = pkg
	}
	for p := range c.files {
		if !owned[p] && !strings.HasPrefix(p, deb.StatusDir+"/") {
			c.unowned = append(c.unowned, p)
		}
	}
	slices.Sort(c.unowned)
	return c, nil
}

// packageFiles are the paths a package's md5sums lists. A package built
// from source by an earlier distill has a record but no md5sums: it owns
// the files of its layer when the layer is its alone, as distill builds it.
func (c *imageContents) packageFiles(rec string, sums []byte, layer int) ([]string, error) {
	if sums == nil {
		if layer < 0 || len(c.layers[layer].records) != 1 {
			return nil, nil
		}
		var out []string
		for p, f := range c.files {
			if f.layer == layer && !strings.HasPrefix(p, deb.StatusDir+"/") {
				out = append(out, p)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	list, err := deb.ParseMD5Sums(sums)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = path.Clean(strings.TrimPrefix(s.Path, "./"))
	}
	return out, nil
}

// readLayer reads one layer, keeping its regular files and status.d
// records and counting its uncompressed bytes.
func (c *imageContents) readLayer(l *ociLayout, d ocispecs.Descriptor, index int, controls, sums map[string][]byte) (layerInfo, error) {
	li := layerInfo{digest: d.Digest, compressed: d.Size}
	n, err := l.walkLayer(d, func(h *tar.Header, r io.Reader) error {
		name := path.Clean(strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/"))
		dir, base := path.Split(name)
		if wh, ok := strings.CutPrefix(base, ".wh."); ok {
			c.whiteout(path.Clean(dir), wh)
			return nil
		}
		if h.Typeflag != tar.TypeReg {
			delete(c.files, name) // a link or directory replaces a file
			return nil
		}
		c.addFile(name, imageFile{size: h.Size, layer: index})
		rec, ok := strings.CutPrefix(name, deb.StatusDir+"/")
		if !ok || strings.Contains(rec, "/") {
			return nil
		}
		data, err := io.ReadAll(io.LimitReader(r, maxRecord))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if pkg, ok := strings.CutSuffix(rec, ".md5sums"); ok {
			sums[pkg] = data
		} else {
			controls[rec] = data
			li.records = append(li.records, rec)
		}
		return nil
	})
	if err != nil {
		return li, err
	}
	li.uncompressed = n
	slices.Sort(li.records)
	return li, nil
}

// walkLayer reads layer d's blob to its end, which checks its digest,
// passing each entry of its tar to each (nil: none, the bytes are only
// counted), and returns its uncompressed bytes.
func (l *ociLayout) walkLayer(d ocispecs.Descriptor, each func(h *tar.Header, r io.Reader) error) (int64, error) {
	rc, err := l.blob(d)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	zr, err := l.decompress(d, rc)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	counted := &countingReader{r: zr}
	if each != nil {
		tr := tar.NewReader(counted)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err == nil {
				err = each(h, tr)
			}
			if err != nil {
				return 0, fmt.Errorf("%s: layer %s: %w", l.name, d.Digest, err)
			}
		}
	}
	// Read past the archive's end blocks to the end of the stream, then
	// of the blob, where its digest is checked.
	if _, err := io.Copy(io.Discard, counted); err != nil {
		return 0, fmt.Errorf("%s: layer %s: %w", l.name, d.Digest, err)
	}
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return 0, fmt.Errorf("%s: layer %s: %w", l.name, d.Digest, err)
	}
	return counted.n, nil
}

// addFile records a regular file, and each directory on its path as
// leading to it.
func (c *imageContents) addFile(name string, f imageFile) {
	c.files[name] = f
	for entry, dir := name, path.Dir(name); ; entry, dir = dir, path.Dir(dir) {
		entries := c.below[dir]
		if entries == nil {
			entries = map[string]bool{}
			c.below[dir] = entries
		}
		if entries[entry] || entry == "." {
			return // the rest of the path is recorded already
		}
		entries[entry] = true
	}
}

// whiteout removes what an overlay whiteout in dir hides: one entry and
// what is below it, or with the opaque marker everything below dir.
func (c *imageContents) whiteout(dir, name string) {
	if name == ".wh..opq" {
		c.remove(dir)
		return
	}
	c.remove(path.Join(dir, name))
}

// remove removes the file p, or every file below the directory p.
func (c *imageContents) remove(p string) {
	delete(c.files, p)
	for entry := range c.below[p] {
		c.remove(entry)
	}
	delete(c.below, p)
	if p != "." {
		delete(c.below[path.Dir(p)], p)
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

// decompress reads layer d's blob rc as the tar it holds: BuildKit writes
// gzip or zstd layers, or plain tar.
func (l *ociLayout) decompress(d ocispecs.Descriptor, rc io.Reader) (io.ReadCloser, error) {
	var format compress.Format
	switch {
	case strings.HasSuffix(d.MediaType, "+gzip") || strings.HasSuffix(d.MediaType, ".gzip"):
		format = compress.Gzip
	case strings.HasSuffix(d.MediaType, "+zstd"):
		format = compress.Zstd
	case strings.HasSuffix(d.MediaType, ".tar") || strings.HasSuffix(d.MediaType, "tar.v1"):
	default:
		return nil, fmt.Errorf("%s: layer %s: media type %q is not a tar layer distill reads", l.name, d.Digest, d.MediaType)
	}
	zr, err := compress.NewReader(format, rc)
	if err != nil {
		return nil, fmt.Errorf("%s: layer %s: %w", l.name, d.Digest, err)
	}
	return zr, nil
}
