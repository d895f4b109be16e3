package deb

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzUnpack feeds arbitrary bytes to Unpack: it must never panic and never
// write, link, chmod or touch anything outside the root, whatever the
// archive says. Seeds are well-formed and hostile .debs, mostly with
// uncompressed members so that mutations reach the tar headers.
func FuzzUnpack(f *testing.F) {
	hostile := []member{
		dirM("./", 0o755),
		symlinkM("./up", "../.."),
		symlinkM("./abs", "/"),
		symlinkM("./tmp", "/tmp"),
		fileM("./abs/etc/f", "x", 0o644),
		fileM("./up/outside/secret", "pwned", 0o644),
		hardlinkM("./h", "./abs/etc/f"),
		hardlinkM("./h2", "../outside/secret"),
		symlinkM("./loop", "loop"),
		specialM("./null", tar.TypeChar),
	}
	seeds := [][]byte{
		buildDeb(f, debSpec{data: baseData(), md5sums: "0123456789abcdef0123456789abcdef  usr/bin/hello\n"}),
		buildDeb(f, debSpec{data: hostile}),
		buildDeb(f, debSpec{data: append(baseData(), hostile[1:]...)}),
		buildDeb(f, debSpec{controlComp: "gz", dataComp: "gz", data: baseData()}),
		buildDeb(f, debSpec{controlComp: "xz", dataComp: "xz", data: baseData()}),
		buildDeb(f, debSpec{controlComp: "zst", dataComp: "zst", data: baseData()}),
		buildDeb(f, debSpec{dataComp: "lzma", data: baseData()}),
		[]byte(arMagic),
		nil,
	}
	for _, s := range seeds {
		f.Add(s)
	}
	epoch := time.Unix(1700000000, 0)
	f.Fuzz(func(t *testing.T, data []byte) {
		sb := newSandbox(t)
		_, _ = Unpack(bytes.NewReader(data), sb.root, Options{Epoch: epoch})
		sb.check(t)
		checkNoSpecial(t, sb.root)
	})
}

// FuzzExtractEntries drives the extractor with valid tar archives whose
// entries the fuzzer chooses, one per line: "<type> <name> <target>", type
// f (file), d (dir), l (symlink), h (hard link), c (char device), p (FIFO).
// "@OUT" in a name or target stands for the absolute path of the directory
// beside the root that must stay untouched. Unlike FuzzUnpack, no header
// checksum stands between the mutations and the extractor.
func FuzzExtractEntries(f *testing.F) {
	for _, s := range []string{
		"d ./ \nd ./usr/ \nf ./usr/a \nh ./usr/b ./usr/a\nl ./lib usr\nf ./lib/c \n",
		"l ./x @OUT\nf ./x/secret \nh ./y ./x/secret\n",
		"l ./x @OUT/secret\nf ./x \nd ./x/ \n",
		"l ./a /\nl ./a/b ../..\nf ./a/b/c \n",
		"l ./a .\nl ./b a/a/a/a\nd ./b/d/ \nf ./b/d/f \nh ./g ./a/b/d/f\n",
		"f ./../outside/secret \nh ./h @OUT/secret\nl ./l ../outside\n",
		"d ./d/ \nf ./d/f \nl ./d/f /\nf ./d/f/x \n",
		"c ./dev/null \np ./fifo \n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sb := newSandbox(t)
		lines := strings.Split(string(data), "\n")
		if len(lines) > 64 {
			lines = lines[:64]
		}
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for i, l := range lines {
			l = strings.ReplaceAll(l, "@OUT", sb.outside)
			typ, rest, _ := strings.Cut(l, " ")
			name, target, _ := strings.Cut(rest, " ")
			h := &tar.Header{Name: name, Linkname: target, Mode: 0o755, ModTime: testTime, Format: tar.FormatPAX}
			switch typ {
			case "f":
				h.Typeflag, h.Size = tar.TypeReg, int64(len(target))
				h.Linkname = ""
			case "d":
				h.Typeflag, h.Linkname = tar.TypeDir, ""
			case "l":
				h.Typeflag = tar.TypeSymlink
			case "h":
				h.Typeflag = tar.TypeLink
			case "c":
				h.Typeflag = tar.TypeChar
			case "p":
				h.Typeflag = tar.TypeFifo
			default:
				continue
			}
			h.Mode |= int64(i%3) << 10 // sprinkle set-id and sticky bits
			if tw.WriteHeader(h) != nil {
				return
			}
			if h.Typeflag == tar.TypeReg {
				if _, err := tw.Write([]byte(target)); err != nil {
					return
				}
			}
		}
		if tw.Close() != nil {
			return
		}
		x, err := NewExtractor(sb.root, ExtractOptions{ImpliedTime: testTime})
		if err != nil {
			t.Fatal(err)
		}
		if err := x.ExtractAll(tar.NewReader(&buf)); err == nil {
			if err := x.Finish(); err != nil {
				t.Fatalf("Finish: %v", err)
			}
		}
		sb.check(t)
		checkNoSpecial(t, sb.root)
	})
}

// checkNoSpecial fails if root holds anything but directories, regular
// files and symlinks.
func checkNoSpecial(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if m := d.Type(); m&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0 {
			t.Fatalf("%s is %v", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(root); err != nil {
		t.Fatal(err)
	}
}
