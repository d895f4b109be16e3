package deb

import (
	"compress/bzip2"
	"fmt"
	"io"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/therootcompany/xz"
	"github.com/ulikunitz/xz/lzma"
)

// Limits on what a decompressor may allocate for its window, so that a
// damaged or hostile header cannot ask for gigabytes. Debian's dpkg-deb
// compresses with windows of a few MiB; these leave ample room.
const (
	maxZstdWindow = 1 << 27 // 128 MiB, what zstd --long uses
	maxLZMADict   = 1 << 27
)

// Compressions accepted for each member, as dpkg-deb does.
var (
	controlCompressions = []string{"", "gz", "xz", "zst"}
	dataCompressions    = []string{"", "gz", "xz", "zst", "bz2", "lzma"}
)

// splitMember recognises "<base>.tar" and "<base>.tar.<ext>" and returns the
// compression extension ("" for none).
func splitMember(name, base string, allowed []string) (ext string, ok bool, err error) {
	prefix := base + ".tar"
	if name != prefix && !strings.HasPrefix(name, prefix+".") {
		return "", false, nil
	}
	ext = strings.TrimPrefix(strings.TrimPrefix(name, prefix), ".")
	for _, a := range allowed {
		if a == ext {
			return ext, true, nil
		}
	}
	return "", true, fmt.Errorf("member %s: unsupported compression %q", name, ext)
}

// decompress wraps r in a decompressor for ext. The returned closer releases
// the decompressor's resources.
func decompress(ext string, r io.Reader) (io.Reader, func(), error) {
	nop := func() {}
	switch ext {
	case "":
		return r, nop, nil
	case "gz":
		z, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", unexpected(err))
		}
		return z, func() { _ = z.Close() }, nil // read errors surface from Read
	case "xz":
		// xi2's port of xz-embedded decodes about twice as fast as
		// ulikunitz/xz, and xz is what nearly every .deb uses.
		z, err := xz.NewReader(r, maxLZMADict)
		if err != nil {
			return nil, nil, fmt.Errorf("xz: %w", unexpected(err))
		}
		return z, nop, nil
	case "zst":
		z, err := zstd.NewReader(r,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return nil, nil, fmt.Errorf("zstd: %w", err)
		}
		return z, z.Close, nil
	case "bz2":
		return bzip2.NewReader(r), nop, nil
	case "lzma":
		z, err := lzma.ReaderConfig{DictCap: maxLZMADict}.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("lzma: %w", unexpected(err))
		}
		return z, nop, nil
	}
	return nil, nil, fmt.Errorf("unsupported compression %q", ext)
}
