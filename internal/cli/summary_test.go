package cli

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

	"github.com/distill-build/distill/frontend"
	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// summaryLayout is an OCI layout as BuildKit exports a two-platform image: an
// index.json naming an index of two manifests and an attestation.
type summaryLayout struct {
	files map[string][]byte
	// want are the images readLayout must find.
	want []platformImage
}

func newTestLayout(t *testing.T) *summaryLayout {
	t.Helper()
	l := &summaryLayout{files: map[string][]byte{}}
	add := func(mediaType string, data []byte) ocispecs.Descriptor {
		d := digest.FromBytes(data)
		l.files["blobs/"+d.Algorithm().String()+"/"+d.Encoded()] = data
		return ocispecs.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
	}
	addJSON := func(mediaType string, v any) ocispecs.Descriptor {
		dt, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return add(mediaType, dt)
	}
	gz := func(n int) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		if _, err := zw.Write(bytes.Repeat([]byte{'x'}, n)); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	var manifests []ocispecs.Descriptor
	for i, arch := range []string{"amd64", "arm64"} {
		cfg := addJSON(ocispecs.MediaTypeImageConfig, ocispecs.Image{Platform: ocispecs.Platform{OS: "linux", Architecture: arch}})
		l1 := add(ocispecs.MediaTypeImageLayerGzip, gz(1000*(i+1)))
		l2 := add(ocispecs.MediaTypeImageLayer, bytes.Repeat([]byte{'y'}, 500))
		m := addJSON(ocispecs.MediaTypeImageManifest, ocispecs.Manifest{Config: cfg, Layers: []ocispecs.Descriptor{l1, l2}})
		m.Platform = &ocispecs.Platform{OS: "linux", Architecture: arch}
		if arch == "arm64" {
			m.Platform.Variant = "v8" // normalized away, as the frontend's counts are
		}
		manifests = append(manifests, m)
		l.want = append(l.want, platformImage{platform: "linux/" + arch, digest: m.Digest, compressed: l1.Size + l2.Size, uncompressed: int64(1000*(i+1) + 500)})
	}
	att := addJSON(ocispecs.MediaTypeImageManifest, ocispecs.Manifest{})
	att.Annotations = map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
	att.Platform = &ocispecs.Platform{OS: "unknown", Architecture: "unknown"}
	idx := addJSON(ocispecs.MediaTypeImageIndex, ocispecs.Index{Manifests: append(manifests, att)})
	dt, err := json.Marshal(ocispecs.Index{Manifests: []ocispecs.Descriptor{idx}})
	if err != nil {
		t.Fatal(err)
	}
	l.files["index.json"] = dt
	return l
}

func (l *summaryLayout) writeDir(t *testing.T) string {
	dir := t.TempDir()
	for name, data := range l.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func (l *summaryLayout) writeTar(t *testing.T) string {
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for name, data := range l.files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "img.oci.tar")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadLayout(t *testing.T) {
	l := newTestLayout(t)
	for _, tc := range []struct {
		name string
		dest string
	}{
		{"directory", l.writeDir(t)},
		{"tarball", l.writeTar(t)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readLayout(tc.dest)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(l.want) {
				t.Fatalf("got %+v\nwant %+v", got, l.want)
			}
			for i := range got {
				if got[i] != l.want[i] {
					t.Errorf("image %d: got %+v, want %+v", i, got[i], l.want[i])
				}
			}
		})
	}
}

func TestSummary(t *testing.T) {
	l := newTestLayout(t)
	tarball := l.writeTar(t)
	counts := []byte(`{"linux/amd64":{"debian":4,"built":1},"linux/arm64":{"debian":4,"built":0}}`)
	d := func(i int) string { return string(l.want[i].digest) }
	for _, tc := range []struct {
		name string
		res  *frontendResult
		outs []*output
		want []string // lines, in order
	}{
		{"oci tarball", &frontendResult{meta: map[string][]byte{frontend.PackagesKey: counts}, exporter: map[string]string{"containerimage.digest": "sha256:idx"}},
			[]*output{{entry: exportEntry("oci"), dest: tarball}},
			[]string{
				"IMAGE   PLATFORM     DIGEST" + strings.Repeat(" ", len(d(0))-4) + "COMPRESSED  UNCOMPRESSED  DEBIAN  BUILT",
				"static  linux/amd64  " + d(0) + "  " + padRight(formatSize(l.want[0].compressed), 12) + padRight("1.5 kB", 14) + "4       1",
				"static  linux/arm64  " + d(1) + "  " + padRight(formatSize(l.want[1].compressed), 12) + padRight("2.5 kB", 14) + "4       0",
				"index sha256:idx; built in 1.2s",
			}},
		{"pushed: no sizes", &frontendResult{meta: map[string][]byte{frontend.PackagesKey: []byte(`{"linux/amd64":{"debian":4,"built":0}}`)}, exporter: map[string]string{"containerimage.digest": "sha256:abc"}},
			[]*output{{entry: exportEntry("image")}},
			[]string{
				"IMAGE   PLATFORM     DIGEST      COMPRESSED  UNCOMPRESSED  DEBIAN  BUILT",
				"static  linux/amd64  sha256:abc  -           -             4       0",
				"built in 1.2s",
			}},
		{"unreadable layout", &frontendResult{meta: map[string][]byte{frontend.PackagesKey: []byte(`{"linux/amd64":{"debian":4,"built":0}}`)}},
			[]*output{{entry: exportEntry("oci"), dest: filepath.Join(t.TempDir(), "gone.tar")}},
			[]string{
				"IMAGE   PLATFORM     DIGEST  COMPRESSED  UNCOMPRESSED  DEBIAN  BUILT",
				"static  linux/amd64  -       -           -             4       0",
				"built in 1.2s; sizes unknown: reading ",
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSummary("static", tc.res, tc.outs, 1234*time.Millisecond)
			var b bytes.Buffer
			if err := s.write(&b); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("got\n%s\nwant %d lines", b.String(), len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) || (i < len(tc.want)-1 && strings.TrimRight(lines[i], " ") != strings.TrimRight(w, " ")) {
					t.Errorf("line %d:\n got %q\nwant %q", i, lines[i], w)
				}
			}
		})
	}
	if newSummary("x", &frontendResult{}, nil, time.Second) != nil {
		t.Error("a build without package counts (a .deb) got a summary")
	}
}

func padRight(s string, n int) string { return s + strings.Repeat(" ", n-len(s)) }

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{-1: "-", 0: "0 B", 999: "999 B", 1000: "1.0 kB", 2_110_000: "2.1 MB", 23_700_000: "23.7 MB", 1_500_000_000: "1.50 GB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func exportEntry(typ string) client.ExportEntry { return client.ExportEntry{Type: typ} }
