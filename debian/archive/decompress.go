package archive

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/therootcompany/xz"
)

// DecompressIndex returns a reader of the uncompressed content of an index
// file, choosing the decompressor by the extension of path: ".gz", ".xz", or
// none.
func DecompressIndex(path string, data []byte) (io.Reader, error) {
	switch {
	case strings.HasSuffix(path, ".gz"):
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return &namedReader{r: zr, name: path}, nil
	case strings.HasSuffix(path, ".xz"):
		zr, err := xz.NewReader(bytes.NewReader(data), 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return &namedReader{r: zr, name: path}, nil
	case strings.HasSuffix(path, ".bz2"), strings.HasSuffix(path, ".lzma"), strings.HasSuffix(path, ".zst"), strings.HasSuffix(path, ".lz4"):
		return nil, fmt.Errorf("%s: unsupported compression (use .gz, .xz or none)", path)
	}
	return bytes.NewReader(data), nil
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
