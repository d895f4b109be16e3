// Package compress decodes the compressed files of Debian archives and
// packages: the members of a .deb (control.tar.*, data.tar.*) and Packages
// indexes. It is the one place that maps a compression's file extension to
// its decoder, so that both read xz with the same fast decoder and every
// decoder's memory is bounded the same way.
//
// Which formats a file may use is the caller's rule, not this package's:
// dpkg-deb allows fewer for control.tar than for data.tar, and distill
// fetches indexes only as .gz or .xz.
//
// The in-build helper reads .debs through package deb, which imports this
// one: it depends on nothing but the decoders.
package compress

import (
	"compress/bzip2"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/therootcompany/xz"
	"github.com/ulikunitz/xz/lzma"
)

// Format is a compression, spelled as the extension of its files without
// the dot.
type Format string

// The formats dpkg and apt use. LZ4 is known so that a file named *.lz4 is
// refused rather than read as uncompressed; it has no decoder here.
const (
	None  Format = ""
	Gzip  Format = "gz"
	XZ    Format = "xz"
	Zstd  Format = "zst"
	Bzip2 Format = "bz2"
	LZMA  Format = "lzma"
	LZ4   Format = "lz4"
)

var known = []Format{Gzip, XZ, Zstd, Bzip2, LZMA, LZ4}

// FormatOf returns the format that the last extension of name stands for
// ("Packages.xz": XZ), or None when it stands for none of them.
func FormatOf(name string) Format {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 || strings.IndexByte(name[dot:], '/') >= 0 {
		return None
	}
	for _, f := range known {
		if name[dot+1:] == string(f) {
			return f
		}
	}
	return None
}

// Ext returns the file name extension of f, with its dot: ".xz", or "" for
// None.
func (f Format) Ext() string {
	if f == None {
		return ""
	}
	return "." + string(f)
}

// Limits on what a decoder may allocate for its window, so that a damaged or
// hostile header cannot ask for gigabytes. dpkg-deb and apt's archive tools
// compress with windows of a few MiB; these leave ample room.
const (
	maxZstdWindow = 1 << 27 // 128 MiB, what zstd --long uses
	maxLZMADict   = 1 << 27
)

// NewReader returns a reader of the content of r, compressed as f. Close
// releases the decoder's resources (zstd's goroutines); it does not close r.
// Errors opening the stream name the format ("xz: ..."); errors while
// reading are the decoder's own.
func NewReader(f Format, r io.Reader) (io.ReadCloser, error) {
	switch f {
	case None:
		return io.NopCloser(r), nil
	case Gzip:
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, named("gzip", unexpected(err))
		}
		return z, nil
	case XZ:
		// xi2's port of xz-embedded decodes about twice as fast as
		// ulikunitz/xz, and xz is what nearly every .deb and most indexes
		// use.
		z, err := xz.NewReader(r, maxLZMADict)
		if err != nil {
			return nil, named("xz", unexpected(err))
		}
		return io.NopCloser(z), nil
	case Zstd:
		z, err := zstd.NewReader(r,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, named("zstd", err)
		}
		return z.IOReadCloser(), nil
	case Bzip2:
		return io.NopCloser(bzip2.NewReader(r)), nil
	case LZMA:
		z, err := lzma.ReaderConfig{DictCap: maxLZMADict}.NewReader(r)
		if err != nil {
			return nil, named("lzma", unexpected(err))
		}
		return io.NopCloser(z), nil
	}
	return nil, fmt.Errorf("unsupported compression %q", string(f))
}

// named prefixes err with the format's name unless the decoder did already
// ("xz: file format not recognized").
func named(name string, err error) error {
	if strings.HasPrefix(err.Error(), name+": ") {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// unexpected turns the io.EOF of a stream cut short into
// io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
