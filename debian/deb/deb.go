package deb

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/distill-build/distill/debian/compress"
	"github.com/distill-build/distill/debian/control"
)

// Bounds on control-archive members kept in memory.
const (
	maxControlSize = 1 << 20  // the control file
	maxMD5SumsSize = 64 << 20 // md5sums of the largest packages are a few MiB
)

// Compressions accepted for each member, as dpkg-deb does.
var (
	controlCompressions = []compress.Format{compress.None, compress.Gzip, compress.XZ, compress.Zstd}
	dataCompressions    = []compress.Format{compress.None, compress.Gzip, compress.XZ, compress.Zstd, compress.Bzip2, compress.LZMA}
)

// splitMember recognises "<base>.tar" and "<base>.tar.<ext>" and returns the
// compression that ext names (None for "<base>.tar").
func splitMember(name, base string, allowed []compress.Format) (f compress.Format, ok bool, err error) {
	prefix := base + ".tar"
	if name != prefix && !strings.HasPrefix(name, prefix+".") {
		return "", false, nil
	}
	f = compress.Format(strings.TrimPrefix(strings.TrimPrefix(name, prefix), "."))
	if !slices.Contains(allowed, f) {
		return "", true, fmt.Errorf("member %s: unsupported compression %q", name, string(f))
	}
	return f, true, nil
}

// Control holds what Open reads from control.tar.*.
type Control struct {
	// Raw is the control file verbatim: it is what status.d records.
	// Fields is it parsed by the Strict rules, its values slices of Raw.
	Raw    []byte
	Fields *control.Paragraph
	// ModTime is the control file's modification time in the archive.
	ModTime time.Time
	// MD5Sums is the md5sums file verbatim, nil when the package has none.
	MD5Sums        []byte
	MD5SumsModTime time.Time
}

// Package returns the Package field.
func (c *Control) Package() string { return c.Fields.String("Package") }

// Version returns the Version field.
func (c *Control) Version() string { return c.Fields.String("Version") }

// Architecture returns the Architecture field.
func (c *Control) Architecture() string { return c.Fields.String("Architecture") }

// Archive is a .deb opened for reading: its control information has been
// read, and the stream is positioned at the start of the data archive.
type Archive struct {
	Control *Control
	// DataMember is the ar member name of the data archive, such as
	// "data.tar.xz"; DataModTime its ar modification time.
	DataMember  string
	DataModTime time.Time

	ar    *ArReader
	raw   io.Reader // decompressed data.tar stream
	data  *tar.Reader
	close func()
}

// Open reads the ar container of a .deb from r up to the data archive:
// debian-binary (format 2.x), control.tar[.gz|.xz|.zst] (control and md5sums
// are kept), then the header of data.tar[.gz|.xz|.zst|.bz2|.lzma]. Members
// whose names start with "_" are skipped, as deb(5) asks. r is read
// sequentially and never seeked; the data archive is read later through
// Data. Close releases the decompressor.
func Open(r io.Reader) (*Archive, error) {
	ar := NewArReader(r)
	h, err := ar.Next()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("deb: empty ar archive")
	}
	if err != nil {
		return nil, fmt.Errorf("deb: %w", err)
	}
	if h.Name != "debian-binary" {
		return nil, fmt.Errorf("deb: first member is %q, want debian-binary", h.Name)
	}
	if h.Size > 64 {
		return nil, fmt.Errorf("deb: debian-binary is %d bytes long", h.Size)
	}
	vb, err := io.ReadAll(ar)
	if err != nil {
		return nil, fmt.Errorf("deb: reading debian-binary: %w", err)
	}
	v := string(vb)
	if !strings.HasPrefix(v, "2.") || !strings.HasSuffix(v, "\n") {
		return nil, fmt.Errorf("deb: unsupported format version %q in debian-binary", strings.TrimSpace(v))
	}

	a := &Archive{ar: ar}
	for {
		h, err := ar.Next()
		if errors.Is(err, io.EOF) {
			if a.Control == nil {
				return nil, errors.New("deb: no control.tar member")
			}
			return nil, errors.New("deb: no data.tar member")
		}
		if err != nil {
			return nil, fmt.Errorf("deb: %w", err)
		}
		if strings.HasPrefix(h.Name, "_") {
			continue
		}
		if a.Control == nil {
			ext, ok, err := splitMember(h.Name, "control", controlCompressions)
			if err != nil {
				return nil, fmt.Errorf("deb: %w", err)
			}
			if !ok {
				return nil, fmt.Errorf("deb: member %q where control.tar was expected", h.Name)
			}
			c, err := readControlTar(ext, ar)
			if err != nil {
				return nil, fmt.Errorf("deb: %s: %w", h.Name, err)
			}
			a.Control = c
			continue
		}
		ext, ok, err := splitMember(h.Name, "data", dataCompressions)
		if err != nil {
			return nil, fmt.Errorf("deb: %w", err)
		}
		if !ok {
			return nil, fmt.Errorf("deb: member %q where data.tar was expected", h.Name)
		}
		dec, err := compress.NewReader(ext, ar)
		if err != nil {
			return nil, fmt.Errorf("deb: %s: %w", h.Name, err)
		}
		var z io.Reader = dec
		// Close only releases the decoder: read errors surface from Read.
		closeZ := func() { _ = dec.Close() }
		if ext != compress.None {
			// Decompress in a goroutine while the extractor writes.
			ah := newAheadReader(dec, 4, 128<<10)
			z, closeZ = ah, func() { ah.Close(); _ = dec.Close() }
		}
		a.DataMember, a.DataModTime = h.Name, h.ModTime
		a.raw, a.data, a.close = z, tar.NewReader(z), closeZ
		return a, nil
	}
}

// Data returns the reader of the data archive.
func (a *Archive) Data() *tar.Reader { return a.data }

// Finish reads the data archive's stream to its end once the tar reader has
// returned io.EOF, so that the decompressor checks its trailer (xz and zstd
// checksums, gzip CRC and size).
func (a *Archive) Finish() error {
	if _, err := io.Copy(io.Discard, a.raw); err != nil {
		return fmt.Errorf("deb: %s: after the end of the archive: %w", a.DataMember, err)
	}
	return nil
}

// Close releases the decompressor. It does not close the underlying reader.
func (a *Archive) Close() error {
	if a.close != nil {
		a.close()
		a.close = nil
	}
	return nil
}

// readControlTar reads control and md5sums out of a control archive.
func readControlTar(ext compress.Format, r io.Reader) (*Control, error) {
	z, err := compress.NewReader(ext, r)
	if err != nil {
		return nil, err
	}
	defer z.Close()
	tr := tar.NewReader(z)
	c := &Control{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		var limit int64
		switch name {
		case "control":
			limit = maxControlSize
		case "md5sums":
			limit = maxMD5SumsSize
		default:
			continue
		}
		if h.Typeflag != tar.TypeReg {
			return nil, fmt.Errorf("%s is not a regular file", h.Name)
		}
		if h.Size > limit {
			return nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", h.Name, h.Size, limit)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", h.Name, err)
		}
		if name == "control" {
			if c.Raw != nil {
				return nil, errors.New("two control files")
			}
			c.Raw, c.ModTime = b, h.ModTime
		} else {
			if c.MD5Sums != nil {
				return nil, errors.New("two md5sums files")
			}
			c.MD5Sums, c.MD5SumsModTime = b, h.ModTime
		}
	}
	if _, err := io.Copy(io.Discard, z); err != nil {
		return nil, fmt.Errorf("after the end of the archive: %w", err)
	}
	if c.Raw == nil {
		return nil, errors.New("no control file")
	}
	f, err := control.ParseParagraph(c.Raw, "control", control.Strict)
	if err != nil {
		return nil, err
	}
	c.Fields = f
	if _, err := ParseMD5Sums(c.MD5Sums); err != nil {
		return nil, err
	}
	return c, nil
}
