package deb

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// baseData is a small, well-formed data archive.
func baseData() []member {
	return []member{
		dirM("./", 0o755),
		dirM("./etc/", 0o755),
		fileM("./etc/hello.conf", "greeting = hi\n", 0o644),
		dirM("./usr/", 0o755),
		dirM("./usr/bin/", 0o755),
		fileM("./usr/bin/hello", "#!/bin/true\n", 0o755),
		dirM("./usr/lib/", 0o755),
		fileM("./usr/lib/os-release", "ID=test\n", 0o644),
		symlinkM("./etc/os-release", "../usr/lib/os-release"),
		symlinkM("./etc/abs-link", "/usr/lib/os-release"),
		hardlinkM("./usr/bin/hi", "./usr/bin/hello"),
	}
}

func TestUnpackCompressions(t *testing.T) {
	for _, c := range []struct{ control, data string }{
		{"", ""}, {"gz", "gz"}, {"xz", "xz"}, {"zst", "zst"},
		{"xz", "bz2"}, {"gz", "lzma"}, {"zst", "xz"},
	} {
		t.Run("control.tar."+c.control+"+data.tar."+c.data, func(t *testing.T) {
			sb := newSandbox(t)
			debBytes := buildDeb(t, debSpec{controlComp: c.control, dataComp: c.data, data: baseData(), md5sums: "0123456789abcdef0123456789abcdef  usr/bin/hello\n"})
			res, err := Unpack(bytes.NewReader(debBytes), sb.root, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sb.check(t)
			if res.Package != "hello" || res.Version != "1.0-1" || res.Architecture != "amd64" || res.Name != "hello" {
				t.Errorf("result %+v", res)
			}
			// Dirs: etc, usr, usr/bin, usr/lib, and var, var/lib, var/lib/dpkg,
			// var/lib/dpkg/status.d for the records.
			want := Stats{Files: 3, Dirs: 8, Symlinks: 2, HardLinks: 1, Bytes: int64(len("greeting = hi\n#!/bin/true\nID=test\n"))}
			if res.Stats != want {
				t.Errorf("stats %+v, want %+v", res.Stats, want)
			}
			ents := listTree(t, sb.root)
			var got []string
			for _, e := range ents {
				got = append(got, e.Path)
			}
			wantPaths := []string{
				"etc", "etc/abs-link", "etc/hello.conf", "etc/os-release",
				"usr", "usr/bin", "usr/bin/hello", "usr/bin/hi", "usr/lib", "usr/lib/os-release",
				"var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/status.d",
				"var/lib/dpkg/status.d/hello", "var/lib/dpkg/status.d/hello.md5sums",
			}
			if strings.Join(got, " ") != strings.Join(wantPaths, " ") {
				t.Fatalf("paths\n got %v\nwant %v", got, wantPaths)
			}
			if e := find(ents, "etc/abs-link"); e.Target != "/usr/lib/os-release" {
				t.Errorf("absolute link target %q", e.Target)
			}
			if e := find(ents, "etc/os-release"); e.Target != "../usr/lib/os-release" {
				t.Errorf("relative link target %q", e.Target)
			}
			if a, b := find(ents, "usr/bin/hello"), find(ents, "usr/bin/hi"); a.Ino != b.Ino || a.Mode != 0o755 {
				t.Errorf("hard link: %+v %+v", a, b)
			}
			for _, e := range ents {
				if !strings.HasPrefix(e.Path, "var") && e.MTime != testTime.Unix() {
					t.Errorf("%s: mtime %d, want %d", e.Path, e.MTime, testTime.Unix())
				}
			}
		})
	}
}

func TestStatusRecords(t *testing.T) {
	plain := "Package: libfoo1\nSource: foo\nVersion: 2:1.2-3\nArchitecture: arm64\nMulti-Arch: same\nDescription: foo\n library\n"
	md5 := "d41d8cd98f00b204e9800998ecf8427e  usr/lib/libfoo.so.1\n"
	for _, tc := range []struct {
		name     string
		control  string // default plain
		md5sums  string
		opt      Options
		wantName string
		wantErr  string
	}{
		{name: "control and md5sums", md5sums: md5, wantName: "libfoo1"},
		// Parsing reads fields out of the control file; status.d still gets
		// its bytes as they are (scanners read them, and image digests
		// depend on them).
		{name: "odd layout verbatim", control: "\nPackage:libfoo1\r\nVersion:   2:1.2-3 \t\nArchitecture: arm64\nDescription: foo  \n library\t\n\n\n", wantName: "libfoo1"},
		{name: "no md5sums", wantName: "libfoo1"},
		{name: "name override", md5sums: md5, opt: Options{Name: "libfoo1:arm64"}, wantName: "libfoo1:arm64"},
		{name: "bad name", opt: Options{Name: "../passwd"}, wantErr: "invalid package name"},
		{name: "no status", md5sums: md5, opt: Options{NoStatus: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			control := tc.control
			if control == "" {
				control = plain
			}
			d := buildDeb(t, debSpec{control: control, md5sums: tc.md5sums, controlComp: "xz", dataComp: "xz",
				data: []member{dirM("./", 0o755), dirM("./usr/", 0o755), dirM("./usr/lib/", 0o755), fileM("./usr/lib/libfoo.so.1", "", 0o644)}})
			res, err := Unpack(bytes.NewReader(d), sb.root, tc.opt)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Package != "libfoo1" || res.Version != "2:1.2-3" || res.Architecture != "arm64" {
				t.Fatalf("read %q %q %q from the control file", res.Package, res.Version, res.Architecture)
			}
			sb.check(t)
			dir := filepath.Join(sb.root, StatusDir)
			if tc.wantName == "" {
				if _, err := os.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("status.d written with NoStatus: %v", err)
				}
				return
			}
			b, err := os.ReadFile(filepath.Join(dir, tc.wantName))
			if err != nil || string(b) != control {
				t.Fatalf("status.d/%s = %q, %v; want the control file verbatim", tc.wantName, b, err)
			}
			b, err = os.ReadFile(filepath.Join(dir, tc.wantName+".md5sums"))
			if tc.md5sums == "" {
				if !errors.Is(err, fs.ErrNotExist) {
					t.Fatalf("md5sums written for a package without: %v", err)
				}
			} else if err != nil || string(b) != tc.md5sums {
				t.Fatalf("md5sums = %q, %v", b, err)
			}
			for _, p := range []string{"var", "var/lib", "var/lib/dpkg", StatusDir, StatusDir + "/" + tc.wantName} {
				fi, err := os.Lstat(filepath.Join(sb.root, p))
				if err != nil {
					t.Fatal(err)
				}
				if want := fs.FileMode(0o755) | fs.ModeDir; fi.IsDir() && fi.Mode() != want || !fi.IsDir() && fi.Mode() != 0o644 {
					t.Errorf("%s mode %v", p, fi.Mode())
				}
				if fi.ModTime().Unix() != testTime.Unix() {
					t.Errorf("%s mtime %v, want the archive's %v", p, fi.ModTime(), testTime)
				}
			}
		})
	}
}

func TestModesOwnersTimes(t *testing.T) {
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	data := []member{
		dirM("./", 0o755),
		owned(dirM("./var/", 0o755), 0, 0),
		owned(dirM("./var/mail/", 0o2775), 0, 8),
		dirM("./tmp/", 0o1777),
		dirM("./usr/", 0o755),
		dirM("./usr/bin/", 0o755),
		owned(fileM("./usr/bin/su", "su", 0o4755), 0, 0),
		owned(fileM("./usr/bin/wall", "wall", 0o2755), 0, 5),
		owned(fileM("./usr/bin/both", "both", 0o6711), 0, 0),
		owned(fileM("./home-file", "n", 0o600), 65532, 65532),
		owned(symlinkM("./nonroot-link", "home-file"), 65532, 65532),
		at(fileM("./old", "o", 0o444), old),
		dirM("./ro/", 0o555),
		fileM("./ro/inside", "i", 0o644),
	}
	run := func(t *testing.T, opt Options) []entry {
		sb := newSandbox(t)
		if _, err := Unpack(bytes.NewReader(buildDeb(t, debSpec{data: data, dataComp: "zst"})), sb.root, opt); err != nil {
			t.Fatal(err)
		}
		sb.check(t)
		return listTree(t, sb.root)
	}
	t.Run("preserved", func(t *testing.T) {
		if !isRoot() {
			t.Skip("setting owners needs root")
		}
		ents := run(t, Options{})
		for _, w := range []struct {
			path     string
			mode     fs.FileMode
			uid, gid int
			mtime    time.Time
		}{
			{"var/mail", fs.ModeDir | fs.ModeSetgid | 0o775, 0, 8, testTime},
			{"tmp", fs.ModeDir | fs.ModeSticky | 0o777, 0, 0, testTime},
			{"usr/bin/su", fs.ModeSetuid | 0o755, 0, 0, testTime},
			{"usr/bin/wall", fs.ModeSetgid | 0o755, 0, 5, testTime},
			{"usr/bin/both", fs.ModeSetuid | fs.ModeSetgid | 0o711, 0, 0, testTime},
			{"home-file", 0o600, 65532, 65532, testTime},
			{"nonroot-link", fs.ModeSymlink | 0o777, 65532, 65532, testTime},
			{"old", 0o444, 0, 0, old},
			{"ro", fs.ModeDir | 0o555, 0, 0, testTime},
		} {
			e := find(ents, w.path)
			if e == nil {
				t.Errorf("%s missing", w.path)
				continue
			}
			if e.Mode != w.mode || e.UID != w.uid || e.GID != w.gid || e.MTime != w.mtime.Unix() {
				t.Errorf("%s: %v %d:%d %d, want %v %d:%d %d", w.path, e.Mode, e.UID, e.GID, e.MTime, w.mode, w.uid, w.gid, w.mtime.Unix())
			}
		}
	})
	t.Run("epoch clamps", func(t *testing.T) {
		epoch := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, e := range run(t, Options{Epoch: epoch, NoChown: !isRoot()}) {
			want := epoch
			if e.Path == "old" {
				want = old
			}
			if e.MTime != want.Unix() {
				t.Errorf("%s: mtime %d, want %d", e.Path, e.MTime, want.Unix())
			}
		}
	})
	t.Run("no chown", func(t *testing.T) {
		for _, e := range run(t, Options{NoChown: true}) {
			if e.UID != os.Geteuid() {
				t.Errorf("%s: uid %d with NoChown", e.Path, e.UID)
			}
			if e.Path == "usr/bin/su" && e.Mode != fs.ModeSetuid|0o755 {
				t.Errorf("su mode %v", e.Mode)
			}
		}
	})
}

// TestSharedRoot unpacks into a root that other packages populated.
func TestSharedRoot(t *testing.T) {
	sb := newSandbox(t)
	// Another package's layout: merged /usr and a private /usr/share.
	for _, d := range []string{"usr/lib", "usr/share"} {
		if err := os.MkdirAll(filepath.Join(sb.root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(sb.root, "usr/share"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("usr/lib", filepath.Join(sb.root, "lib")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sb.root, "usr/share/other"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := buildDeb(t, debSpec{data: []member{
		dirM("./", 0o755),
		dirM("./lib/", 0o755),
		fileM("./lib/libx.so", "elf", 0o644),
		dirM("./usr/", 0o755),
		dirM("./usr/share/", 0o755),
		fileM("./usr/share/mine", "mine", 0o644),
	}})
	if _, err := Unpack(bytes.NewReader(d), sb.root, Options{}); err != nil {
		t.Fatal(err)
	}
	sb.check(t)
	ents := listTree(t, sb.root)
	if e := find(ents, "lib"); e == nil || e.Target != "usr/lib" {
		t.Fatalf("lib symlink replaced: %+v", e)
	}
	if e := find(ents, "usr/lib/libx.so"); e == nil || e.Body != "elf" {
		t.Fatalf("lib/libx.so not written through the /lib link: %+v", e)
	}
	if e := find(ents, "usr/share"); e.Mode.Perm() != 0o750 {
		t.Errorf("existing usr/share changed to %v", e.Mode)
	}

	// Hard links may only point at files of the same archive.
	d = buildDeb(t, debSpec{data: []member{hardlinkM("./usr/share/other-link", "./usr/share/other")}})
	if _, err := Unpack(bytes.NewReader(d), sb.root, Options{}); !errors.Is(err, ErrHardLink) {
		t.Fatalf("hard link to another package's file: %v", err)
	}
	sb.check(t)
}

func TestOpenErrors(t *testing.T) {
	ctl := func(t *testing.T) []byte {
		return tarBytes(t, []member{fileM("./control", testControl, 0o644)})
	}
	data := func(t *testing.T) []byte { return tarBytes(t, baseData()) }
	for _, tc := range []struct {
		name string
		deb  func(t *testing.T) []byte
		want string
	}{
		{"empty", func(*testing.T) []byte { return nil }, "reading magic"},
		{"not ar", func(*testing.T) []byte { return []byte("PK\x03\x04 zip file.......") }, "bad magic"},
		{"no members", func(*testing.T) []byte { return []byte(arMagic) }, "empty ar archive"},
		{"bad version", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("3.0\n")}, arMember{"control.tar", ctl(t)}, arMember{"data.tar", data(t)})
		}, `unsupported format version "3.0"`},
		{"control first", func(t *testing.T) []byte {
			return arBytes(arMember{"control.tar", ctl(t)}, arMember{"debian-binary", []byte("2.0\n")})
		}, "first member is \"control.tar\""},
		{"data before control", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"data.tar", data(t)}, arMember{"control.tar", ctl(t)})
		}, "where control.tar was expected"},
		{"no data", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", ctl(t)})
		}, "no data.tar member"},
		{"unknown compression", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", ctl(t)}, arMember{"data.tar.rar", data(t)})
		}, `unsupported compression "rar"`},
		{"bz2 control", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar.bz2", ctl(t)})
		}, `unsupported compression "bz2"`},
		{"corrupt xz", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar.xz", []byte("\xfd7zXZ\x00garbage")})
		}, "control.tar.xz: xz"},
		{"no control file", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", tarBytes(t, []member{fileM("./postinst", "#!/bin/sh\n", 0o755)})}, arMember{"data.tar", data(t)})
		}, "no control file"},
		{"bad control", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", tarBytes(t, []member{fileM("./control", "Package hello\n", 0o644)})}, arMember{"data.tar", data(t)})
		}, `deb: control.tar: control:1: expected "Name: value", got "Package hello"`},
		// The control file is read by the Strict rules (debian/control
		// tests them all): no comments, no field twice, one paragraph.
		{"comment in control", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", tarBytes(t, []member{fileM("./control", testControl+"#Comment: x\n", 0o644)})}, arMember{"data.tar", data(t)})
		}, `control:9: field name "#Comment" may not start with '#'`},
		{"duplicate field in control", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", tarBytes(t, []member{fileM("./control", testControl+"package: other\n", 0o644)})}, arMember{"data.tar", data(t)})
		}, "control:9: duplicate field package"},
		{"two control paragraphs", func(t *testing.T) []byte {
			return arBytes(arMember{"debian-binary", []byte("2.0\n")}, arMember{"control.tar", tarBytes(t, []member{fileM("./control", testControl+"\n"+testControl, 0o644)})}, arMember{"data.tar", data(t)})
		}, "control:10: more than one paragraph"},
		{"truncated data", func(t *testing.T) []byte {
			b := buildDeb(t, debSpec{dataComp: "gz", data: baseData()})
			return b[:len(b)-40]
		}, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb := newSandbox(t)
			_, err := Unpack(bytes.NewReader(tc.deb(t)), sb.root, Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			sb.check(t)
		})
	}
}

func TestOpenSkipsUnderscoreMembers(t *testing.T) {
	ctl := tarBytes(t, []member{fileM("./control", testControl, 0o644)})
	d := arBytes(
		arMember{"debian-binary", []byte("2.0\n")},
		arMember{"_gpgbuilder", []byte("odd size")},
		arMember{"control.tar", ctl},
		arMember{"_extra", []byte("x")},
		arMember{"data.tar", tarBytes(t, baseData())},
	)
	a, err := Open(bytes.NewReader(d))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Control.Package() != "hello" || a.DataMember != "data.tar" {
		t.Fatalf("%+v", a)
	}
	n := 0
	for {
		_, err := a.Data().Next()
		if err != nil {
			break
		}
		n++
	}
	if n != len(baseData()) {
		t.Fatalf("read %d members, want %d", n, len(baseData()))
	}
	if err := a.Finish(); err != nil {
		t.Fatal(err)
	}
}
