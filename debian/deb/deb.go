package deb

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Bounds on control-archive members kept in memory.
const (
	maxControlSize = 1 << 20  // the control file
	maxMD5SumsSize = 64 << 20 // md5sums of the largest packages are a few MiB
)

// Control holds what Open reads from control.tar.*.
type Control struct {
	// Raw is the control file verbatim; Fields is it parsed.
	Raw    []byte
	Fields Paragraph
	// ModTime is the control file's modification time in the archive.
	ModTime time.Time
	// MD5Sums is the md5sums file verbatim, nil when the package has none.
	MD5Sums        []byte
	MD5SumsModTime time.Time
}

// Package returns the Package field.
func (c *Control) Package() string { return c.Fields.Get("Package") }

// Version returns the Version field.
func (c *Control) Version() string { return c.Fields.Get("Version") }

// Architecture returns the Architecture field.
func (c *Control) Architecture() string { return c.Fields.Get("Architecture") }

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
		z, closeZ, err := decompress(ext, ar)
		if err != nil {
			return nil, fmt.Errorf("deb: %s: %w", h.Name, err)
		}
		if ext != "" {
			// Decompress in a goroutine while the extractor writes.
			ah, closeDec := newAheadReader(z, 4, 128<<10), closeZ
			z, closeZ = ah, func() { ah.Close(); closeDec() }
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
func readControlTar(ext string, r io.Reader) (*Control, error) {
	z, closeZ, err := decompress(ext, r)
	if err != nil {
		return nil, err
	}
	defer closeZ()
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
	f, err := ParseControl(c.Raw)
	if err != nil {
		return nil, err
	}
	c.Fields = f
	if _, err := ParseMD5Sums(c.MD5Sums); err != nil {
		return nil, err
	}
	return c, nil
}
