package archive

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ulikunitz/xz"
)

// compressed returns the synthetic Packages file uncompressed, gzipped and
// xz-compressed, keyed by extension.
func compressed(t testing.TB) map[string][]byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/synthetic/Packages")
	if err != nil {
		t.Fatal(err)
	}
	var gz, xzb bytes.Buffer
	zw := gzip.NewWriter(&gz)
	if _, err := zw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := xw.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := xw.Close(); err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"": raw, ".gz": gz.Bytes(), ".xz": xzb.Bytes()}
}

// releaseText returns a Release file listing files (path -> content).
func releaseText(files map[string][]byte, extra string) string {
	var b strings.Builder
	b.WriteString("Origin: Debian\nLabel: Debian\nSuite: stable\nVersion: 12.5\nCodename: bookworm\n")
	b.WriteString("Date: Sat, 10 Feb 2024 09:36:25 UTC\nAcquire-By-Hash: yes\n")
	b.WriteString("Architectures: all amd64 arm64\nComponents: main contrib\nDescription: Debian 12.5 Released 10 February 2024\n")
	b.WriteString(extra)
	b.WriteString("MD5Sum:\n 00000000000000000000000000000000 1 main/binary-amd64/Packages\nSHA256:\n")
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(&b, " %s %8d %s\n", sha256Hex(files[p]), len(files[p]), p)
	}
	return b.String()
}

func TestParseRelease(t *testing.T) {
	c := compressed(t)
	files := map[string][]byte{
		"main/binary-amd64/Packages":    c[""],
		"main/binary-amd64/Packages.gz": c[".gz"],
		"main/binary-amd64/Packages.xz": c[".xz"],
		"main/binary-arm64/Packages.xz": c[".xz"],
		"main/binary-arm64/Packages":    c[""],
		"contrib/binary-amd64/Packages": {},
	}
	r, err := ParseRelease([]byte(releaseText(files, "Valid-Until: Sat, 17 Feb 2024 09:36:25 UTC\n")))
	if err != nil {
		t.Fatal(err)
	}
	if r.Origin != "Debian" || r.Suite != "stable" || r.Codename != "bookworm" || r.Version != "12.5" || r.Dir != "dists/bookworm" ||
		!r.AcquireByHash || strings.Join(r.Architectures, ",") != "all,amd64,arm64" || strings.Join(r.Components, ",") != "main,contrib" {
		t.Errorf("parsed %+v", r)
	}
	if want := time.Date(2024, 2, 10, 9, 36, 25, 0, time.UTC); !r.Date.Equal(want) {
		t.Errorf("Date %v", r.Date)
	}
	if err := r.CheckValidUntil(time.Date(2024, 2, 11, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Error(err)
	}
	if err := r.CheckValidUntil(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)); err == nil || !strings.Contains(err.Error(), "dists/bookworm/InRelease expired") {
		t.Errorf("CheckValidUntil after expiry: %v", err)
	}
	if len(r.Files) != 6 {
		t.Errorf("%d files", len(r.Files))
	}

	// IndexFile: .gz first, then .xz, then uncompressed.
	for _, tt := range []struct{ arch, want string }{
		{"amd64", "main/binary-amd64/Packages.gz"},
		{"arm64", "main/binary-arm64/Packages.xz"},
	} {
		p, sum, size, err := r.IndexFile("main", tt.arch)
		if err != nil || p != tt.want || sum != r.Files[tt.want].SHA256 || size != r.Files[tt.want].Size {
			t.Errorf("IndexFile(main, %s) = %s %s %d %v", tt.arch, p, sum, size, err)
		}
	}
	if p, _, _, err := r.IndexFile("contrib", "amd64"); err != nil || p != "contrib/binary-amd64/Packages" {
		t.Errorf("IndexFile(contrib, amd64) = %s, %v", p, err)
	}
	_, _, _, err = r.IndexFile("main", "riscv64")
	if err == nil || err.Error() != "dists/bookworm/InRelease lists no main/binary-riscv64/Packages index (it has: contrib/binary-amd64, main/binary-amd64, main/binary-arm64)" {
		t.Errorf("IndexFile of a missing arch: %v", err)
	}

	if got, want := r.ByHashPath("main/binary-amd64/Packages.xz"), "main/binary-amd64/by-hash/SHA256/"+sha256Hex(c[".xz"]); got != want {
		t.Errorf("ByHashPath = %s, want %s", got, want)
	}
	if got := r.ByHashPath("main/binary-i386/Packages.xz"); got != "main/binary-i386/Packages.xz" {
		t.Errorf("ByHashPath of an unlisted file = %s", got)
	}

	// Verify, decompress and parse each form.
	for ext, data := range c {
		path := "main/binary-amd64/Packages" + ext
		ix, err := r.LoadPackages(path, data, IndexOptions{Repository: "debian"})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if ix.Len() != 53 || ix.Lookup("python3")[0].Repository != "debian" {
			t.Errorf("%s: %d packages", path, ix.Len())
		}
	}

	// A changed index: the error names the file and both hashes.
	bad := append([]byte(nil), c[".gz"]...)
	bad[len(bad)/2] ^= 1
	err = r.VerifyFile("main/binary-amd64/Packages.gz", bad)
	var hm *HashMismatchError
	if !errors.As(err, &hm) {
		t.Fatalf("VerifyFile of a changed file: %v", err)
	}
	want := fmt.Sprintf("dists/bookworm/main/binary-amd64/Packages.gz: sha256 %s (%d bytes) does not match dists/bookworm/InRelease, which lists sha256 %s (%d bytes)",
		sha256Hex(bad), len(bad), sha256Hex(c[".gz"]), len(c[".gz"]))
	if err.Error() != want {
		t.Errorf("error\n%s\nwant\n%s", err, want)
	}
	if _, err := r.LoadPackages("main/binary-amd64/Packages.gz", bad, IndexOptions{}); !errors.As(err, &hm) {
		t.Errorf("LoadPackages of a changed file: %v", err)
	}
	if err := r.VerifyFile("main/binary-amd64/Packages.gz", c[".gz"][:10]); !errors.As(err, &hm) || hm.Size != 10 {
		t.Errorf("VerifyFile of a truncated file: %v", err)
	}
	if err := r.VerifyFile("main/binary-s390x/Packages.gz", c[".gz"]); err == nil || !strings.Contains(err.Error(), "not listed") {
		t.Errorf("VerifyFile of an unlisted file: %v", err)
	}
}

func TestParseReleaseErrors(t *testing.T) {
	for _, tt := range []struct{ in, err string }{
		{"", "Release: empty"},
		{"Origin: Debian\n", "no SHA256 field"},
		{"Date: yesterday\nSHA256:\n", `Date: cannot parse date "yesterday"`},
		{"SHA256:\n abc 1 x\n", `invalid hash "abc" for x`},
		{"SHA256:\n " + strings.Repeat("a", 64) + " -1 x\n", `invalid size "-1" for x`},
		{"SHA256:\n " + strings.Repeat("a", 64) + " 1\n", "malformed line"},
	} {
		_, err := ParseRelease([]byte(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.err) {
			t.Errorf("ParseRelease(%q): %v, want %q", tt.in, err, tt.err)
		}
	}
}
