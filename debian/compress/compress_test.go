package compress

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	ulxz "github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

func TestFormatOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		want Format
	}{
		{"main/binary-amd64/Packages.xz", XZ},
		{"Packages.gz", Gzip},
		{"data.tar.zst", Zstd},
		{"data.tar.bz2", Bzip2},
		{"data.tar.lzma", LZMA},
		{"Packages.lz4", LZ4},
		{"Packages", None},
		{"data.tar", None},
		{"Packages.txt", None},
		{"Packages.xz.sig", None},
		{"dists/a.gz/Packages", None},
		{"", None},
	} {
		if got := FormatOf(tc.name); got != tc.want {
			t.Errorf("FormatOf(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if XZ.Ext() != ".xz" || None.Ext() != "" {
		t.Errorf("Ext: %q %q", XZ.Ext(), None.Ext())
	}
}

// hello is "hello, deb\n" as `bzip2 -9` writes it: the standard library
// only decodes bzip2.
var helloBz2, _ = hex.DecodeString("425a6839314159265359f14554f6000003d100001040041644a00031064c41034c201114df4af177245385090f14554f60")

// encode compresses b as f with the Go encoders.
func encode(t *testing.T, f Format, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	var err error
	switch f {
	case None:
		return b
	case Gzip:
		w = gzip.NewWriter(&buf)
	case XZ:
		w, err = ulxz.NewWriter(&buf)
	case Zstd:
		w, err = zstd.NewWriter(&buf)
	case LZMA:
		w, err = lzma.NewWriter(&buf)
	default:
		t.Fatalf("no encoder for %q", f)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNewReader(t *testing.T) {
	var text bytes.Buffer
	for i := 0; text.Len() < 300<<10; i++ {
		fmt.Fprintf(&text, "Package: p%d\nVersion: %d.%d\n\n", i, i%7, i*31%1000)
	}
	for _, tc := range []struct {
		f          Format
		compressed []byte
		want       []byte
	}{
		{None, text.Bytes(), text.Bytes()},
		{Gzip, encode(t, Gzip, text.Bytes()), text.Bytes()},
		{XZ, encode(t, XZ, text.Bytes()), text.Bytes()},
		{Zstd, encode(t, Zstd, text.Bytes()), text.Bytes()},
		{LZMA, encode(t, LZMA, text.Bytes()), text.Bytes()},
		{Bzip2, helloBz2, []byte("hello, deb\n")},
	} {
		t.Run(cmp.Or(string(tc.f), "none"), func(t *testing.T) {
			if tc.f != None && bytes.Equal(tc.compressed, tc.want) {
				t.Fatal("not compressed")
			}
			r, err := NewReader(tc.f, bytes.NewReader(tc.compressed))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("%d bytes back, want %d", len(got), len(tc.want))
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestNewReaderErrors(t *testing.T) {
	// An LZMA header asking for a 1 GiB dictionary: refused before it is
	// allocated.
	hugeLZMA := []byte{0x5d, 0, 0, 0, 0x40, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	// A zstd frame whose window descriptor asks for 256 MiB (the decoder
	// allows 512 MiB by default), then an empty last raw block.
	hugeZstd := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, (28 - 10) << 3, 0x01, 0x00, 0x00}
	for _, tc := range []struct {
		name string
		f    Format
		in   []byte
		want string // the error opening the stream, or else reading it
	}{
		{"gzip header", Gzip, []byte("not gzip at all"), "gzip: invalid header"},
		{"gzip empty", Gzip, nil, "gzip: unexpected EOF"},
		{"xz header", XZ, []byte("\xfd7zXZ\x00garbage"), "xz: "},
		{"xz empty", XZ, nil, "xz: data is truncated or corrupt"},
		{"lzma empty", LZMA, nil, "lzma: unexpected EOF"},
		{"zstd window", Zstd, hugeZstd, "window size exceeded"},
		{"lzma dictionary", LZMA, hugeLZMA, "lzma: header dictionary size 1073741824 exceeds configured dictionary capacity 134217728"},
		{"zstd magic", Zstd, []byte("not zstd at all"), "magic number mismatch"},
		{"lz4", LZ4, nil, `unsupported compression "lz4"`},
		{"unknown", Format("rar"), nil, `unsupported compression "rar"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(tc.f, bytes.NewReader(tc.in))
			if err == nil {
				_, err = io.ReadAll(r)
				_ = r.Close() // only releases the decoder; the read's error is under test
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			parts := strings.Split(err.Error(), ": ")
			for i := 1; i < len(parts); i++ {
				if parts[i] == parts[i-1] {
					t.Fatalf("%q said twice: %v", parts[i], err)
				}
			}
		})
	}
}

// TestTruncated: a stream cut short is an error, never a short success.
func TestTruncated(t *testing.T) {
	text := bytes.Repeat([]byte("Description: truncated\n"), 4000)
	for _, f := range []Format{Gzip, XZ, Zstd, LZMA} {
		t.Run(string(f), func(t *testing.T) {
			c := encode(t, f, text)
			r, err := NewReader(f, bytes.NewReader(c[:len(c)-8]))
			if err == nil {
				_, err = io.ReadAll(r)
				_ = r.Close() // only releases the decoder; the read's error is under test
			}
			if err == nil {
				t.Fatal("a truncated stream read without error")
			}
		})
	}
}
