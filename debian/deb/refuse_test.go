package deb

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefused covers hostile archives: each must fail with the error named,
// mention the member, and write nothing outside the root.
func TestRefused(t *testing.T) {
	outsideAbs := "" // filled per sandbox
	for _, tc := range []struct {
		name   string
		data   func(sb *sandbox) []member
		is     error
		member string
	}{
		{name: "dotdot file", is: ErrTraversal, member: "./../outside/secret",
			data: func(*sandbox) []member { return []member{fileM("./../outside/secret", "pwned", 0o644)} }},
		{name: "dotdot inside", is: ErrTraversal, member: "./usr/../../x",
			data: func(*sandbox) []member { return []member{fileM("./usr/../../x", "pwned", 0o644)} }},
		{name: "dotdot dir", is: ErrTraversal, member: "../",
			data: func(*sandbox) []member { return []member{dirM("../", 0o755)} }},
		{name: "dotdot symlink name", is: ErrTraversal, member: "../link",
			data: func(*sandbox) []member { return []member{symlinkM("../link", "/etc")} }},
		{name: "relative link escapes", is: ErrEscapingLink, member: "./usr/lib/x",
			data: func(*sandbox) []member {
				return []member{dirM("./usr/", 0o755), dirM("./usr/lib/", 0o755), symlinkM("./usr/lib/x", "../../../outside/secret")}
			}},
		{name: "relative link escapes via detour", is: ErrEscapingLink, member: "./a",
			data: func(*sandbox) []member { return []member{symlinkM("./a", "usr/../../outside")} }},
		{name: "hard link outside", is: ErrTraversal, member: "./h",
			data: func(*sandbox) []member { return []member{hardlinkM("./h", "../outside/secret")} }},
		{name: "hard link to host absolute path", is: ErrHardLink, member: "./h",
			data: func(sb *sandbox) []member { return []member{hardlinkM("./h", outsideAbs+"/secret")} }},
		{name: "hard link to missing", is: ErrHardLink, member: "./h",
			data: func(*sandbox) []member { return []member{hardlinkM("./h", "./nothing")} }},
		{name: "hard link to directory", is: ErrHardLink, member: "./h",
			data: func(*sandbox) []member { return []member{dirM("./d/", 0o755), hardlinkM("./h", "./d")} }},
		{name: "hard link to symlink", is: ErrHardLink, member: "./h",
			data: func(*sandbox) []member { return []member{symlinkM("./s", "/etc/passwd"), hardlinkM("./h", "./s")} }},
		{name: "hard link to replaced file", is: ErrHardLink, member: "./h",
			data: func(sb *sandbox) []member {
				return []member{fileM("./f", "x", 0o644), symlinkM("./f", outsideAbs+"/secret"), hardlinkM("./h", "./f")}
			}},
		{name: "char device", is: ErrUnsupportedType, member: "./dev/null",
			data: func(*sandbox) []member { return []member{dirM("./dev/", 0o755), specialM("./dev/null", '3')} }},
		{name: "block device", is: ErrUnsupportedType, member: "./dev/sda",
			data: func(*sandbox) []member { return []member{specialM("./dev/sda", '4')} }},
		{name: "fifo", is: ErrUnsupportedType, member: "./run/fifo",
			data: func(*sandbox) []member { return []member{specialM("./run/fifo", '6')} }},
		{name: "link loop", is: ErrLinkLoop, member: "./l1/file",
			data: func(*sandbox) []member {
				return []member{symlinkM("./l1", "l2"), symlinkM("./l2", "l1"), fileM("./l1/file", "x", 0o644)}
			}},
		{name: "file as parent", is: ErrNotDir, member: "./f/g",
			data: func(*sandbox) []member { return []member{fileM("./f", "x", 0o644), fileM("./f/g", "y", 0o644)} }},
		{name: "file over non-empty dir", member: "./d",
			data: func(*sandbox) []member {
				return []member{dirM("./d/", 0o755), fileM("./d/x", "x", 0o644), fileM("./d", "y", 0o644)}
			}},
		{name: "file over root", member: ".",
			data: func(*sandbox) []member { return []member{fileM(".", "y", 0o644)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			outsideAbs = sb.outside
			d := buildDeb(t, debSpec{data: tc.data(sb)})
			_, err := Unpack(bytes.NewReader(d), sb.root, Options{})
			if err == nil {
				t.Fatal("unpacked without error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
			var me *MemberError
			if !errors.As(err, &me) || me.Member != tc.member {
				t.Errorf("error %v does not name member %q", err, tc.member)
			}
			sb.check(t)
		})
	}
}

// TestSymlinksStayInside checks that symlinks met as parents or as the final
// component never lead a write out of the root.
func TestSymlinksStayInside(t *testing.T) {
	for _, tc := range []struct {
		name  string
		data  func(sb *sandbox) []member
		check func(t *testing.T, sb *sandbox)
	}{
		{
			name: "absolute host path as parent",
			data: func(sb *sandbox) []member {
				return []member{symlinkM("./x", sb.outside), fileM("./x/secret", "pwned", 0o644)}
			},
			check: func(t *testing.T, sb *sandbox) {
				// The link is read as inside the image: <root><outside>/secret.
				b, err := os.ReadFile(filepath.Join(sb.root, sb.outside, "secret"))
				if err != nil || string(b) != "pwned" {
					t.Fatalf("%q %v", b, err)
				}
				if l, _ := os.Readlink(filepath.Join(sb.root, "x")); l != sb.outside {
					t.Fatalf("link target changed to %q", l)
				}
			},
		},
		{
			name: "link to slash as parent",
			data: func(*sandbox) []member {
				return []member{symlinkM("./etc", "/"), fileM("./etc/passwd", "root:x:0:0::/root:/sbin/nologin\n", 0o644)}
			},
			check: func(t *testing.T, sb *sandbox) {
				if _, err := os.Stat(filepath.Join(sb.root, "passwd")); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			// a/b is a/c to the eye, but "up" is "/", and ".." of "/" is "/".
			name: "dotdot after an absolute link stops at the root",
			data: func(*sandbox) []member {
				return []member{dirM("./a/", 0o755), symlinkM("./a/up", "/"), symlinkM("./a/b", "up/../c"), fileM("./a/b/f", "x", 0o644)}
			},
			check: func(t *testing.T, sb *sandbox) {
				if _, err := os.Stat(filepath.Join(sb.root, "c/f")); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "absolute member names are read inside the root",
			data: func(sb *sandbox) []member {
				return []member{fileM(sb.outside+"/secret", "pwned", 0o644), fileM("/etc/abs", "x", 0o644)}
			},
			check: func(t *testing.T, sb *sandbox) {
				for _, p := range []string{sb.outside + "/secret", "etc/abs"} {
					if _, err := os.Lstat(filepath.Join(sb.root, p)); err != nil {
						t.Fatal(err)
					}
				}
			},
		},
		{
			name: "final symlink replaced, not followed",
			data: func(sb *sandbox) []member {
				return []member{symlinkM("./f", sb.outside+"/secret"), fileM("./f", "mine", 0o600)}
			},
			check: func(t *testing.T, sb *sandbox) {
				fi, err := os.Lstat(filepath.Join(sb.root, "f"))
				if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
					t.Fatalf("%v %v", fi, err)
				}
			},
		},
		{
			name: "final symlink replaced by symlink and dir",
			data: func(sb *sandbox) []member {
				return []member{
					symlinkM("./s", sb.outside), symlinkM("./s", "/elsewhere"),
					symlinkM("./d", sb.outside+"/secret"), dirM("./d/", 0o700),
				}
			},
			check: func(t *testing.T, sb *sandbox) {
				if l, _ := os.Readlink(filepath.Join(sb.root, "s")); l != "/elsewhere" {
					t.Fatalf("s -> %q", l)
				}
				if fi, err := os.Lstat(filepath.Join(sb.root, "d")); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
					t.Fatalf("d: %v %v", fi, err)
				}
			},
		},
		{
			name: "hard link through symlinked parent",
			data: func(sb *sandbox) []member {
				return []member{dirM("./usr/", 0o755), fileM("./usr/f", "x", 0o644), symlinkM("./u", "/usr"), hardlinkM("./u/g", "./usr/f")}
			},
			check: func(t *testing.T, sb *sandbox) {
				e := listTree(t, sb.root)
				if find(e, "usr/g") == nil || find(e, "usr/g").Ino != find(e, "usr/f").Ino {
					t.Fatal("usr/g is not a link to usr/f")
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			d := buildDeb(t, debSpec{data: tc.data(sb)})
			if _, err := Unpack(bytes.NewReader(d), sb.root, Options{NoStatus: true}); err != nil {
				t.Fatal(err)
			}
			sb.check(t)
			tc.check(t, sb)
		})
	}
}

// TestSparseRefused patches a member into an old-GNU sparse file ('S'),
// which Go's tar writer no longer makes, and checks that it is refused.
func TestSparseRefused(t *testing.T) {
	raw := tarBytes(t, []member{fileM("./zeros", "", 0o644)})
	copy(raw[483:495], fmt.Sprintf("%011o", 1<<40)) // realsize: a TiB of holes
	setTypeflag(raw[:512], 'S')
	if h, err := tar.NewReader(bytes.NewReader(raw)).Next(); err != nil || h.Typeflag != tar.TypeGNUSparse {
		t.Fatalf("fixture: %v %v", h, err)
	}
	sb := newSandbox(t)
	x, err := NewExtractor(sb.root, ExtractOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = x.ExtractAll(tar.NewReader(bytes.NewReader(raw)))
	if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), "sparse") {
		t.Fatalf("sparse member: %v", err)
	}
	sb.check(t)

	// The PAX form (GNU sparse 0.1), which Go's reader expands on reading
	// and its writer will not write: an extended header is patched in.
	var recs string
	for _, kv := range [][2]string{{"GNU.sparse.major", "0"}, {"GNU.sparse.minor", "1"}, {"GNU.sparse.numblocks", "1"}, {"GNU.sparse.map", "0,0"}, {"GNU.sparse.size", "1099511627776"}} {
		r := " " + kv[0] + "=" + kv[1] + "\n"
		n := len(r) + 2
		recs += fmt.Sprint(n) + r
	}
	raw = tarBytes(t, []member{fileM("./PaxHeaders/zeros", recs, 0o644), fileM("./zeros", "", 0o644)})
	setTypeflag(raw[:512], 'x')
	buf := bytes.NewBuffer(raw)
	h, err := tar.NewReader(bytes.NewReader(raw)).Next()
	if err != nil || h.Size != 1<<40 || h.Typeflag != tar.TypeReg {
		t.Fatalf("fixture: %+v %v", h, err)
	}
	_, err = ExtractTar(tar.NewReader(buf), sb.root, ExtractOptions{})
	if !errors.Is(err, ErrUnsupportedType) || !strings.Contains(err.Error(), "sparse") {
		t.Fatalf("PAX sparse member: %v", err)
	}
	sb.check(t)
}

// setTypeflag rewrites the type flag of a tar header block and its checksum.
func setTypeflag(hdr []byte, flag byte) {
	hdr[156] = flag
	copy(hdr[148:156], "        ")
	sum := 0
	for _, b := range hdr {
		sum += int(b)
	}
	copy(hdr[148:156], fmt.Sprintf("%06o\x00 ", sum))
}
