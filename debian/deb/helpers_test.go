package deb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
	"github.com/ulikunitz/xz/lzma"
)

// This file builds small .deb files in memory for the tests: an ar
// container around tar archives, compressed as asked.

var testTime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

const testControl = "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Someone <someone@example.org>\nDescription: a test package\n more text\n .\n end\n"

// member is one data.tar entry.
type member struct {
	hdr  tar.Header
	body string
}

func dirM(name string, mode int64) member {
	return member{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: mode, ModTime: testTime}}
}

func fileM(name, body string, mode int64) member {
	return member{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: int64(len(body)), ModTime: testTime}, body: body}
}

func symlinkM(name, target string) member {
	return member{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777, ModTime: testTime}}
}

func hardlinkM(name, target string) member {
	return member{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: 0o644, ModTime: testTime}}
}

func specialM(name string, typ byte) member {
	return member{hdr: tar.Header{Typeflag: typ, Name: name, Mode: 0o644, ModTime: testTime, Devmajor: 1, Devminor: 3}}
}

func owned(m member, uid, gid int) member {
	m.hdr.Uid, m.hdr.Gid = uid, gid
	return m
}

func at(m member, t time.Time) member {
	m.hdr.ModTime = t
	return m
}

// tarBytes writes members as a GNU tar archive, as dpkg-deb does.
func tarBytes(t testing.TB, members []member) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := m.hdr
		if h.Uname == "" && h.Uid == 0 {
			h.Uname = "root"
		}
		if h.Gname == "" && h.Gid == 0 {
			h.Gname = "root"
		}
		h.Format = tar.FormatGNU
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("tar header %s: %v", h.Name, err)
		}
		if _, err := tw.Write([]byte(m.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// compressBytes compresses b for a member named *.tar.<ext>.
func compressBytes(t testing.TB, ext string, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch ext {
	case "":
		return b
	case "gz":
		w := gzip.NewWriter(&buf)
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "xz":
		w, err := xz.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "zst":
		w, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "lzma":
		w, err := lzma.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "bz2":
		// The standard library only decompresses bzip2.
		if _, err := exec.LookPath("bzip2"); err != nil {
			if testing.Short() {
				t.Skip("bzip2 not installed: cannot make a data.tar.bz2 fixture")
			}
			t.Fatal("bzip2 not installed: cannot make a data.tar.bz2 fixture (.ci/run installs it)")
		}
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(b)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("bzip2: %v", err)
		}
		return out
	default:
		t.Fatalf("no compressor for %q", ext)
	}
	return buf.Bytes()
}

type arMember struct {
	name string
	data []byte
}

func arBytes(members ...arMember) []byte {
	var buf bytes.Buffer
	buf.WriteString(arMagic)
	for _, m := range members {
		fmt.Fprintf(&buf, "%-16s%-12d%-6d%-6d%-8o%-10d`\n", m.name, testTime.Unix(), 0, 0, 0o100644, len(m.data))
		buf.Write(m.data)
		if len(m.data)%2 == 1 {
			buf.WriteByte('\n')
		}
	}
	return buf.Bytes()
}

// debSpec describes a fixture .deb.
type debSpec struct {
	control     string // default testControl
	noControl   bool
	md5sums     string
	controlComp string
	dataComp    string
	data        []member
}

func buildDeb(t testing.TB, s debSpec) []byte {
	t.Helper()
	ctl := s.control
	if ctl == "" {
		ctl = testControl
	}
	cm := []member{dirM("./", 0o755)}
	if !s.noControl {
		cm = append(cm, fileM("./control", ctl, 0o644))
	}
	if s.md5sums != "" {
		cm = append(cm, fileM("./md5sums", s.md5sums, 0o644))
	}
	cname, dname := "control.tar", "data.tar"
	if s.controlComp != "" {
		cname += "." + s.controlComp
	}
	if s.dataComp != "" {
		dname += "." + s.dataComp
	}
	return arBytes(
		arMember{"debian-binary", []byte("2.0\n")},
		arMember{cname, compressBytes(t, s.controlComp, tarBytes(t, cm))},
		arMember{dname, compressBytes(t, s.dataComp, tarBytes(t, s.data))},
	)
}

// sandbox makes <tmp>/root for extraction and <tmp>/outside/secret, which
// no extraction may touch; check verifies that.
type sandbox struct {
	parent, root, outside string
}

func newSandbox(t testing.TB) *sandbox {
	t.Helper()
	p := t.TempDir()
	s := &sandbox{parent: p, root: filepath.Join(p, "root"), outside: filepath.Join(p, "outside")}
	for _, d := range []string{s.root, s.outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(s.outside, "secret")
	if err := os.WriteFile(secret, []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{secret, s.outside} {
		if err := os.Chtimes(p, sandboxTime, sandboxTime); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

var sandboxTime = time.Date(1999, 9, 9, 9, 9, 9, 0, time.UTC)

func (s *sandbox) check(t testing.TB) {
	t.Helper()
	ents, err := os.ReadDir(s.parent)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "outside,root" {
		t.Fatalf("written outside the root: %s holds %v", s.parent, names)
	}
	ents, err = os.ReadDir(s.outside)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "secret" || !ents[0].Type().IsRegular() {
		t.Fatalf("written outside the root: %s holds %v", s.outside, ents)
	}
	b, err := os.ReadFile(filepath.Join(s.outside, "secret"))
	if err != nil || string(b) != "secret\n" {
		t.Fatalf("outside/secret changed: %q %v", b, err)
	}
	// Metadata too: no chmod, chown, utimes or link through a symlink.
	for _, c := range []struct {
		name string
		mode fs.FileMode
	}{{"secret", 0o644}, {"", fs.ModeDir | 0o755}} {
		fi, err := os.Lstat(filepath.Join(s.outside, c.name))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if fi.Mode() != c.mode || !fi.ModTime().Equal(sandboxTime) || int(st.Uid) != os.Geteuid() ||
			(c.name == "secret" && st.Nlink != 1) {
			t.Fatalf("outside/%s changed: %v %v uid %d nlink %d", c.name, fi.Mode(), fi.ModTime(), st.Uid, st.Nlink)
		}
	}
}

// entry is what listTree reports of one path.
type entry struct {
	Path   string
	Mode   fs.FileMode
	UID    int
	GID    int
	Size   int64
	MTime  int64
	Target string // symlink target
	Body   string // regular files under 4 KiB
	Ino    uint64
}

// listTree lists every path below root (not root itself), sorted.
func listTree(t testing.TB, root string) []entry {
	t.Helper()
	var out []entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		rel, _ := filepath.Rel(root, p)
		e := entry{Path: filepath.ToSlash(rel), Mode: fi.Mode(), UID: int(st.Uid), GID: int(st.Gid), MTime: fi.ModTime().Unix(), Ino: st.Ino}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			e.Target, err = os.Readlink(p)
		case fi.Mode().IsRegular():
			e.Size = fi.Size()
			if e.Size < 4096 {
				var b []byte
				b, err = os.ReadFile(p)
				e.Body = string(b)
			}
		}
		out = append(out, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func find(entries []entry, p string) *entry {
	for i := range entries {
		if entries[i].Path == p {
			return &entries[i]
		}
	}
	return nil
}

func isRoot() bool { return os.Geteuid() == 0 }
