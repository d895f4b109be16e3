package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/distill-build/distill/debian/compress"
)

// DecompressIndex returns a reader of the uncompressed content of an index
// file, choosing the decoder by the extension of path: one of
// IndexCompressions, or an extension that names no compression (read as
// uncompressed). Another compression is refused.
func DecompressIndex(path string, data []byte) (io.Reader, error) {
	f := compress.FormatOf(path)
	if !slices.Contains(IndexCompressions, f.Ext()) {
		return nil, fmt.Errorf("%s: unsupported compression (use %s)", path, indexCompressionList())
	}
	if f == compress.None {
		return bytes.NewReader(data), nil
	}
	zr, err := compress.NewReader(f, bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The decoders of IndexCompressions (gzip, xz) hold nothing to
	// release, so the reader need not be closed.
	return &namedReader{r: zr, name: path}, nil
}

// indexCompressionList spells IndexCompressions for an error: ".gz, .xz or
// none".
func indexCompressionList() string {
	var exts []string
	for _, ext := range IndexCompressions {
		if ext != "" {
			exts = append(exts, ext)
		}
	}
	return strings.Join(exts, ", ") + " or none"
}

// namedReader names the file in decompression errors.
type namedReader struct {
	r    io.Reader
	name string
}

func (n *namedReader) Read(p []byte) (int, error) {
	c, err := n.r.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		err = fmt.Errorf("decompressing %s: %w", n.name, err)
	}
	return c, err
}

func sha256Hex(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}
