package archive

import (
	"bytes"
	"io"
	"testing"
)

func TestDecompressIndex(t *testing.T) {
	c := compressed(t)
	for _, tc := range []struct {
		path string
		data []byte
		err  string // from DecompressIndex, or else from reading
	}{
		{"main/binary-amd64/Packages", c[""], ""},
		{"main/binary-amd64/Packages.gz", c[".gz"], ""},
		{"main/binary-amd64/Packages.xz", c[".xz"], ""},
		// An extension that names no compression: read as it is.
		{"Packages.txt", c[""], ""},
		{"Packages.bz2", nil, "Packages.bz2: unsupported compression (use .gz, .xz or none)"},
		{"Packages.zst", nil, "Packages.zst: unsupported compression (use .gz, .xz or none)"},
		{"Packages.lzma", nil, "Packages.lzma: unsupported compression (use .gz, .xz or none)"},
		{"Packages.lz4", nil, "Packages.lz4: unsupported compression (use .gz, .xz or none)"},
		{"Packages.gz", []byte("this is not a gzip stream"), "Packages.gz: gzip: invalid header"},
		{"Packages.xz", []byte("this is not an xz stream"), "Packages.xz: xz: file format not recognized"},
		{"Packages.gz", c[".gz"][:len(c[".gz"])-10], "decompressing Packages.gz: unexpected EOF"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			r, err := DecompressIndex(tc.path, tc.data)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(r)
			}
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, c[""]) {
				t.Fatalf("%d bytes, %v", len(got), err)
			}
		})
	}
}
