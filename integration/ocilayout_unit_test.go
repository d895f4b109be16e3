package integration

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// layoutWriter builds an OCI layout tarball in memory for reader tests.
type layoutWriter struct {
	t     *testing.T
	blobs map[digest.Digest][]byte
}

func (w *layoutWriter) blob(mediaType string, b []byte) ocispec.Descriptor {
	d := digest.FromBytes(b)
	w.blobs[d] = b
	return ocispec.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(b))}
}

func (w *layoutWriter) json(mediaType string, v any) ocispec.Descriptor {
	b, err := json.Marshal(v)
	if err != nil {
		w.t.Fatal(err)
	}
	return w.blob(mediaType, b)
}

// tarLayer writes entries as a tar, compressed as the media type says.
func (w *layoutWriter) tarLayer(mediaType string, entries []TarEntry) ocispec.Descriptor {
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	for _, e := range entries {
		h := e.Header
		h.Size = int64(len(e.Data))
		if err := tw.WriteHeader(&h); err != nil {
			w.t.Fatal(err)
		}
		if _, err := tw.Write(e.Data); err != nil {
			w.t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		w.t.Fatal(err)
	}
	var out bytes.Buffer
	switch {
	case strings.HasSuffix(mediaType, "+gzip"):
		zw := gzip.NewWriter(&out)
		if _, err := zw.Write(raw.Bytes()); err != nil {
			w.t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			w.t.Fatal(err)
		}
	case strings.HasSuffix(mediaType, "+zstd"):
		zw, err := zstd.NewWriter(&out)
		if err != nil {
			w.t.Fatal(err)
		}
		if _, err := zw.Write(raw.Bytes()); err != nil {
			w.t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			w.t.Fatal(err)
		}
	default:
		out = raw
	}
	return w.blob(mediaType, out.Bytes())
}

func (w *layoutWriter) image(p ocispec.Platform, layers ...ocispec.Descriptor) ocispec.Descriptor {
	cfg := w.json(ocispec.MediaTypeImageConfig, ocispec.Image{
		Platform: p,
		Config:   ocispec.ImageConfig{User: "65532"},
		RootFS:   ocispec.RootFS{Type: "layers"},
	})
	d := w.json(ocispec.MediaTypeImageManifest, ocispec.Manifest{
		MediaType: ocispec.MediaTypeImageManifest, Config: cfg, Layers: layers,
	})
	d.Platform = &p
	return d
}

// write stores the layout with index.json listing top as a tar file.
func (w *layoutWriter) write(top []ocispec.Descriptor) string {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, b []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			w.t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			w.t.Fatal(err)
		}
	}
	idx, _ := json.Marshal(ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: top})
	add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	add("index.json", idx)
	for d, b := range w.blobs {
		add("blobs/sha256/"+d.Encoded(), b)
	}
	if err := tw.Close(); err != nil {
		w.t.Fatal(err)
	}
	file := filepath.Join(w.t.TempDir(), "out.tar")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return file
}

func TestReadOCILayout(t *testing.T) {
	mtime := time.Unix(1700000000, 0)
	w := &layoutWriter{t: t, blobs: map[digest.Digest][]byte{}}
	base := w.tarLayer(ocispec.MediaTypeImageLayerGzip, []TarEntry{
		{Header: tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mtime}},
		{Header: tar.Header{Name: "etc/hostname", Typeflag: tar.TypeReg, Mode: 0o644, ModTime: mtime}, Data: []byte("old\n")},
		{Header: tar.Header{Name: "etc/gone", Typeflag: tar.TypeReg, Mode: 0o644}, Data: []byte("x")},
		{Header: tar.Header{Name: "opt/d/a", Typeflag: tar.TypeReg, Mode: 0o644}, Data: []byte("a")},
	})
	top := w.tarLayer(ocispec.MediaTypeImageLayer+"+zstd", []TarEntry{
		{Header: tar.Header{Name: "./etc/hostname", Typeflag: tar.TypeReg, Mode: 0o600, Uid: 65532, Gid: 65532, ModTime: mtime}, Data: []byte("new\n")},
		{Header: tar.Header{Name: "etc/.wh.gone", Typeflag: tar.TypeReg}},
		{Header: tar.Header{Name: "opt/d/.wh..wh..opq", Typeflag: tar.TypeReg}},
		{Header: tar.Header{Name: "opt/d/b", Typeflag: tar.TypeReg, Mode: 0o644}, Data: []byte("b")},
		{Header: tar.Header{Name: "bin", Typeflag: tar.TypeSymlink, Linkname: "usr/bin", ModTime: mtime}},
	})
	plain := w.tarLayer(ocispec.MediaTypeImageLayer, []TarEntry{
		{Header: tar.Header{Name: "hello.txt", Typeflag: tar.TypeReg, Mode: 0o644}, Data: []byte("hi\n")},
	})
	amd64 := w.image(ocispec.Platform{OS: "linux", Architecture: "amd64"}, base, top)
	arm64 := w.image(ocispec.Platform{OS: "linux", Architecture: "arm64"}, plain)
	att := w.json(ocispec.MediaTypeImageManifest, ocispec.Manifest{MediaType: ocispec.MediaTypeImageManifest, Config: w.blob("application/vnd.oci.empty.v1+json", []byte("{}"))})
	att.Annotations = map[string]string{attestationRefType: "attestation-manifest"}
	nested := w.json(ocispec.MediaTypeImageIndex, ocispec.Index{MediaType: ocispec.MediaTypeImageIndex, Manifests: []ocispec.Descriptor{amd64, arm64, att}})

	l, err := ReadOCILayout(w.write([]ocispec.Descriptor{nested}))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 2 || len(l.Attestations) != 1 {
		t.Fatalf("got %d images and %d attestations, want 2 and 1", len(l.Images), len(l.Attestations))
	}
	img, err := l.Image("linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if img.Config.Config.User != "65532" {
		t.Errorf("config user = %q, want 65532", img.Config.Config.User)
	}
	tests := []struct {
		name     string
		want     bool
		data     string
		mode     int64
		uid      int
		linkname string
		mtime    time.Time // zero: not checked
	}{
		{name: "/etc/hostname", want: true, data: "new\n", mode: 0o600, uid: 65532, mtime: mtime},
		{name: "etc", want: true, mode: 0o755},
		{name: "/etc/gone"},
		{name: "/opt/d/a"},
		{name: "/opt/d/b", want: true, data: "b", mode: 0o644},
		{name: "/bin", want: true, linkname: "usr/bin", mtime: mtime},
	}
	for _, tt := range tests {
		e, ok := img.File(tt.name)
		if ok != tt.want {
			t.Errorf("File(%q) found = %v, want %v", tt.name, ok, tt.want)
			continue
		}
		if !ok {
			continue
		}
		if string(e.Data) != tt.data || e.Header.Mode != tt.mode || e.Header.Uid != tt.uid || e.Header.Linkname != tt.linkname {
			t.Errorf("File(%q) = data %q mode %o uid %d link %q, want %q %o %d %q", tt.name,
				e.Data, e.Header.Mode, e.Header.Uid, e.Header.Linkname, tt.data, tt.mode, tt.uid, tt.linkname)
		}
		if !tt.mtime.IsZero() && !e.Header.ModTime.Equal(tt.mtime) {
			t.Errorf("File(%q) mtime = %v, want %v", tt.name, e.Header.ModTime, tt.mtime)
		}
	}
	if img, err := l.Image("linux/arm64"); err != nil {
		t.Error(err)
	} else if e, ok := img.File("hello.txt"); !ok || string(e.Data) != "hi\n" {
		t.Errorf("arm64 hello.txt = %q, %v", e.Data, ok)
	}
	if _, err := l.Image("linux/s390x"); err == nil {
		t.Error("Image(linux/s390x) found an image")
	}
}

func TestReadOCILayoutRejects(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(w *layoutWriter, top ocispec.Descriptor) []ocispec.Descriptor
		wantErr string
	}{
		{
			name: "blob does not match digest",
			corrupt: func(w *layoutWriter, top ocispec.Descriptor) []ocispec.Descriptor {
				w.blobs[top.Digest] = append([]byte(nil), w.blobs[top.Digest]...)
				w.blobs[top.Digest][0] ^= 1
				return []ocispec.Descriptor{top}
			},
			wantErr: "does not match its digest",
		},
		{
			name: "blob missing",
			corrupt: func(w *layoutWriter, top ocispec.Descriptor) []ocispec.Descriptor {
				delete(w.blobs, top.Digest)
				return []ocispec.Descriptor{top}
			},
			wantErr: "missing",
		},
		{
			name: "unknown media type",
			corrupt: func(w *layoutWriter, top ocispec.Descriptor) []ocispec.Descriptor {
				top.MediaType = "text/plain"
				return []ocispec.Descriptor{top}
			},
			wantErr: "unexpected media type",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &layoutWriter{t: t, blobs: map[digest.Digest][]byte{}}
			top := w.image(ocispec.Platform{OS: "linux", Architecture: "amd64"},
				w.tarLayer(ocispec.MediaTypeImageLayer, nil))
			_, err := ReadOCILayout(w.write(tt.corrupt(w, top)))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ReadOCILayout() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}
