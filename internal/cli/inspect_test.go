package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	specs "github.com/opencontainers/image-spec/specs-go"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// testEntry is one tar entry of a synthetic layer: a regular file, or a
// symlink when link is set.
type testEntry struct {
	name, body, link string
}

// testLayout writes OCI layouts in memory: blobs by digest.
type testLayout struct {
	blobs map[digest.Digest][]byte
}

func (l *testLayout) add(t testing.TB, mediaType string, data []byte) ocispecs.Descriptor {
	t.Helper()
	d := digest.FromBytes(data)
	l.blobs[d] = data
	return ocispecs.Descriptor{MediaType: mediaType, Digest: d, Size: int64(len(data))}
}

func (l *testLayout) addJSON(t testing.TB, mediaType string, v any) ocispecs.Descriptor {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return l.add(t, mediaType, data)
}

// layer is a gzipped tar of entries, in order.
func (l *testLayout) layer(t testing.TB, entries ...testEntry) ocispecs.Descriptor {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		if e.link != "" {
			h = &tar.Header{Name: e.name, Mode: 0o777, Linkname: e.link, Typeflag: tar.TypeSymlink}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return l.add(t, ocispecs.MediaTypeImageLayerGzip, buf.Bytes())
}

// image is a manifest of layers for p, as BuildKit writes one.
func (l *testLayout) image(t testing.TB, p ocispecs.Platform, layers ...ocispecs.Descriptor) ocispecs.Descriptor {
	t.Helper()
	cfg := l.addJSON(t, ocispecs.MediaTypeImageConfig, ocispecs.Image{Platform: p})
	d := l.addJSON(t, ocispecs.MediaTypeImageManifest, ocispecs.Manifest{Versioned: specs.Versioned{SchemaVersion: 2},
		MediaType: ocispecs.MediaTypeImageManifest, Config: cfg, Layers: layers})
	d.Platform = &p
	return d
}

// write writes the layout with index.json naming top as a directory, and
// as a tarball of it.
func (l *testLayout) write(t testing.TB, dir string, top ...ocispecs.Descriptor) (string, string) {
	t.Helper()
	files := map[string][]byte{"oci-layout": []byte(`{"imageLayoutVersion":"1.0.0"}`)}
	index, err := json.Marshal(ocispecs.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispecs.MediaTypeImageIndex, Manifests: top})
	if err != nil {
		t.Fatal(err)
	}
	files["index.json"] = index
	for d, data := range l.blobs {
		files["blobs/sha256/"+d.Encoded()] = data
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
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
	if err := os.WriteFile(dir+".tar", buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, dir + ".tar"
}

// pkgLayer is a package's layer as distill's helper writes it: its files,
// its status.d record and its md5sums.
func pkgLayer(name, version string, files ...testEntry) []testEntry {
	out := append([]testEntry(nil), files...)
	sums := ""
	for _, f := range files {
		if f.link == "" {
			sums += "0123456789abcdef0123456789abcdef  " + f.name + "\n"
		}
	}
	return append(out,
		testEntry{name: "var/lib/dpkg/status.d/" + name, body: "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"},
		testEntry{name: "var/lib/dpkg/status.d/" + name + ".md5sums", body: sums})
}

// testImages writes two multi-platform layouts: the second updates libc6,
// adds zlib1g, drops oldpkg and keeps base-files' and the generated
// files' layers.
func testImages(t *testing.T) (dirA, tarA, dirB, tarB string, pull int64) {
	t.Helper()
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	var layouts [2]*testLayout
	for i := range layouts {
		layouts[i] = &testLayout{blobs: map[digest.Digest][]byte{}}
	}
	a, b := layouts[0], layouts[1]
	base := pkgLayer("base-files", "12.4", testEntry{name: "etc/issue", body: "Debian 12\n"}, testEntry{name: "etc/os-release", body: strings.Repeat("x", 300)})
	generated := []testEntry{{name: "etc/passwd", body: "root:x:0:0:root:/root:/sbin/nologin\n"}, {name: "etc/.wh.issue"}}
	libc1 := pkgLayer("libc6", "2.36-9", testEntry{name: "usr/lib/libc.so.6", body: noise("1", 4000)}, testEntry{name: "lib64/ld.so", link: "/usr/lib/ld.so"})
	libc2 := pkgLayer("libc6", "2.36-9+deb12u1", testEntry{name: "usr/lib/libc.so.6", body: noise("2", 4100)}, testEntry{name: "lib64/ld.so", link: "/usr/lib/ld.so"})
	old := pkgLayer("oldpkg", "1", testEntry{name: "usr/bin/old", body: "old"})
	zlib := pkgLayer("zlib1g", "1:1.2.13", testEntry{name: "usr/lib/libz.so.1", body: strings.Repeat("z", 500)})

	attestation := a.addJSON(t, ocispecs.MediaTypeImageManifest, ocispecs.Manifest{})
	attestation.Annotations = map[string]string{attestationType: "attestation-manifest"}
	top := a.addJSON(t, ocispecs.MediaTypeImageIndex, ocispecs.Index{Versioned: specs.Versioned{SchemaVersion: 2}, Manifests: []ocispecs.Descriptor{
		a.image(t, arm64, a.layer(t, base...)),
		a.image(t, amd64, a.layer(t, base...), a.layer(t, libc1...), a.layer(t, old...), a.layer(t, generated...)),
		attestation,
	}})
	dirA, tarA = a.write(t, filepath.Join(t.TempDir(), "a"), top)
	newLibc, newZlib := b.layer(t, libc2...), b.layer(t, zlib...)
	dirB, tarB = b.write(t, filepath.Join(t.TempDir(), "b"),
		b.image(t, amd64, b.layer(t, base...), newLibc, newZlib, b.layer(t, generated...)))
	return dirA, tarA, dirB, tarB, newLibc.Size + newZlib.Size
}

// noise is n bytes that do not compress, the same for the same seed.
func noise(seed string, n int) string {
	var b []byte
	for sum := digest.FromString(seed); len(b) < n; sum = digest.FromBytes(b) {
		raw, _ := hex.DecodeString(sum.Encoded())
		b = append(b, raw...)
	}
	return string(b[:n])
}

func TestInspect(t *testing.T) {
	dirA, tarA, dirB, tarB, pull := testImages(t)
	for _, tc := range []struct {
		name   string
		args   []string
		exit   int
		stdout []string // in order
		err    string
	}{
		{"directory", []string{"--platform", "linux/amd64", dirA}, ExitOK, []string{
			dirA + " (linux/amd64): 3 packages, 4 layers,",
			"PACKAGE     VERSION  SIZE    COMPRESSED  LAYER\n",
			"libc6       2.36-9   4.0 kB  ",
			"base-files  12.4     300 B   ", // etc/issue is whited out
			"oldpkg      1        3 B     ",
			"LAYER  DIGEST               COMPRESSED  UNCOMPRESSED  PACKAGES\n2      sha256:",
			"libc6\n",
			"FILES NO PACKAGE LISTS (1)  SIZE  LAYER\n/etc/passwd                 36 B  4\n"}, ""},
		{"tarball, host platform", []string{"--platform", "linux/amd64", tarA}, ExitOK, []string{tarA + " (linux/amd64): 3 packages"}, ""},
		{"other platform", []string{"--platform", "linux/arm64", tarA}, ExitOK, []string{tarA + " (linux/arm64): 1 packages, 1 layers",
			"FILES NO PACKAGE LISTS (0)"}, ""},
		{"one image needs no platform", []string{tarB}, ExitOK, []string{tarB + " (linux/amd64): 3 packages"}, ""},
		{"two images", []string{"--platform", "linux/amd64", dirA, tarB}, ExitOK, []string{
			dirA + " (linux/amd64) -> " + tarB + " (linux/amd64)\n\n",
			"   PACKAGE  FROM    TO\n",
			"~  libc6    2.36-9  2.36-9+deb12u1\n",
			"-  oldpkg   1       -\n",
			"+  zlib1g   -       1:1.2.13\n",
			fmt.Sprintf("\nto pull: 2 of 4 layers, %s compressed (", humanBytes(pull))}, ""},
		{"no platform", []string{"--platform", "linux/s390x", dirA}, ExitFailure, nil,
			dirA + " has no image for linux/s390x, only for linux/arm64, linux/amd64: choose one with --platform"},
		{"bad platform", []string{"--platform", "linux/", dirA}, ExitUsage, nil, "--platform linux/:"},
		{"registry reference", []string{"app:1.0"}, ExitFailure, nil,
			"app:1.0 is no file or directory, and as a registry reference: "},
		{"not a layout", []string{filepath.Dir(dirA)}, ExitFailure, nil, "is not an OCI layout: index.json"},
		{"three images", []string{dirA, dirB, tarB}, ExitUsage, nil, "accepts between 1 and 2 arg(s), received 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runCLI(t, append([]string{"inspect"}, tc.args...)...)
			if ExitCode(err) != tc.exit || (tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err))) {
				t.Fatalf("exit %d, error %v; want %d, %q", ExitCode(err), err, tc.exit, tc.err)
			}
			rest := stdout
			for _, w := range tc.stdout {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, stdout)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// TestInspectCorrupt checks that a layer whose bytes do not match its
// digest is refused, naming the layer.
func TestInspectCorrupt(t *testing.T) {
	dirA, _, _, _, _ := testImages(t)
	var m ocispecs.Manifest
	var index ocispecs.Index
	data, _ := os.ReadFile(filepath.Join(dirA, "index.json"))
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dirA, "blobs/sha256", index.Manifests[0].Digest.Encoded()))
	if err := json.Unmarshal(data, &index); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(filepath.Join(dirA, "blobs/sha256", index.Manifests[1].Digest.Encoded()))
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	layer := filepath.Join(dirA, "blobs/sha256", m.Layers[1].Digest.Encoded())
	blob, _ := os.ReadFile(layer)
	blob[len(blob)-9] ^= 0xff // the gzip trailer's CRC: the stream still decompresses
	if err := os.WriteFile(layer, blob, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, "inspect", "--platform", "linux/amd64", dirA)
	if err == nil || !strings.Contains(err.Error(), m.Layers[1].Digest.String()) {
		t.Errorf("a corrupt layer: %v", err)
	}
}

// BenchmarkReadContentsWhiteouts reads an image whose upper layer whites
// out a tenth of the 20,000 files of its lower one, 2,000 entries, with an
// opaque directory among them.
func BenchmarkReadContentsWhiteouts(b *testing.B) {
	l := &testLayout{blobs: map[digest.Digest][]byte{}}
	var lower, upper []testEntry
	for d := range 200 {
		for f := range 100 {
			lower = append(lower, testEntry{name: fmt.Sprintf("usr/share/d%d/f%d", d, f), body: "x"})
			if f%10 == 0 {
				upper = append(upper, testEntry{name: fmt.Sprintf("usr/share/d%d/.wh.f%d", d, f)})
			}
		}
	}
	upper = append(upper, testEntry{name: "usr/share/d7/.wh..wh..opq"})
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	dir, _ := l.write(b, filepath.Join(b.TempDir(), "w"), l.image(b, amd64, l.layer(b, lower...), l.layer(b, upper...)))
	layout, err := openLayout(dir)
	if err != nil {
		b.Fatal(err)
	}
	imgs, err := layout.images()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := readContents(imgs[0])
		if err != nil {
			b.Fatal(err)
		}
		if want := 20000 - 2000 - 90; len(c.files) != want {
			b.Fatalf("%d files, want %d", len(c.files), want)
		}
	}
}

// TestWhiteouts: a whiteout hides an entry and all below it, an opaque
// marker everything below its directory; what a later layer adds there is
// seen again.
func TestWhiteouts(t *testing.T) {
	c := &imageContents{files: map[string]imageFile{}, below: map[string]map[string]bool{}}
	for _, p := range []string{"etc/issue", "etc/issue.net", "usr/lib/a/x.so", "usr/lib/a/b/y.so", "usr/lib/ab", "usr/share/doc/c", "usr/share/doc/d/e", "top"} {
		c.addFile(p, imageFile{})
	}
	for _, tc := range []struct {
		dir, name string
		want      string // the files left, sorted
	}{
		{"etc", "issue", "etc/issue.net top usr/lib/a/b/y.so usr/lib/a/x.so usr/lib/ab usr/share/doc/c usr/share/doc/d/e"},
		{"usr/lib", "a", "etc/issue.net top usr/lib/ab usr/share/doc/c usr/share/doc/d/e"},
		{"usr/share/doc", ".wh..opq", "etc/issue.net top usr/lib/ab"},
		{"usr", "nothing", "etc/issue.net top usr/lib/ab"},
		{".", ".wh..opq", ""},
	} {
		c.whiteout(tc.dir, tc.name)
		if got := strings.Join(slices.Sorted(maps.Keys(c.files)), " "); got != tc.want {
			t.Errorf("after %s/.wh.%s: %q, want %q", tc.dir, tc.name, got, tc.want)
		}
	}
	c.addFile("usr/lib/a/z.so", imageFile{})
	c.addFile("usr/bin/sh", imageFile{})
	c.whiteout("usr", "lib")
	if got := strings.Join(slices.Sorted(maps.Keys(c.files)), " "); got != "usr/bin/sh" {
		t.Errorf("files added after the whiteouts, then usr/lib whited out: %q, want usr/bin/sh", got)
	}
}
