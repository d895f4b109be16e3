package helper

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/deb"
)

const helloControl = "Package: hello\nVersion: 1.0-1\nArchitecture: amd64\nMaintainer: Someone <someone@example.org>\nDescription: a test package\n"

// helloDeb is a .deb with three files, its data compressed with xz.
func helloDeb(t *testing.T) string {
	return debFile(t, helloControl, map[string]string{
		"usr/bin/hello":                 "#!/bin/sh\necho hello\n",
		"etc/os-release":                "ID=test\n",
		"usr/share/doc/hello/copyright": "none\n",
	}, "xz")
}

func TestRunUnpack(t *testing.T) {
	debPath := helloDeb(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "new", "root") // created by unpack
	var stderr bytes.Buffer
	t.Setenv("SOURCE_DATE_EPOCH", "")
	err := run([]string{"unpack", "--deb", debPath, "--root", root, "--epoch", "1000", "--name", "hello-alt", "-v"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "unpacked hello 1.0-1 (amd64) from data.tar.xz: 3 files") {
		t.Errorf("summary %q", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(root, deb.StatusDir, "hello-alt")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Lstat(filepath.Join(root, "usr/bin/hello"))
	if err != nil || fi.ModTime().Unix() != 1000 {
		t.Fatalf("mtime %v %v, want the --epoch", fi.ModTime(), err)
	}

	// SOURCE_DATE_EPOCH when --epoch is absent.
	t.Setenv("SOURCE_DATE_EPOCH", "2000")
	root2 := filepath.Join(dir, "root2")
	if err := run([]string{"unpack", "--deb", debPath, "--root", root2}, &stderr); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(root2, "etc/os-release")); err != nil || !fi.ModTime().Equal(time.Unix(2000, 0)) {
		t.Fatalf("mtime %v %v, want SOURCE_DATE_EPOCH", fi.ModTime(), err)
	}
	if _, err := os.Stat(filepath.Join(root2, deb.StatusDir, "hello")); err != nil {
		t.Errorf("no record named by the Package field: %v", err)
	}
}

func TestOverlapping(t *testing.T) {
	for _, tc := range []struct {
		roots []string
		want  bool
	}{
		{[]string{"/out/0", "/out/1", "/out/10"}, false},
		{[]string{"/out/1", "/out/1/"}, true},
		{[]string{"/out/1/x", "/out/1"}, true},
		{[]string{"/out/a", "/out/ab"}, false},
	} {
		if got := overlapping(tc.roots); got != tc.want {
			t.Errorf("%q: %v, want %v", tc.roots, got, tc.want)
		}
	}
}

// TestRunUnpackMany: several packages unpack side by side, each into its
// own root, and the first failure in argument order is the one reported.
func TestRunUnpackMany(t *testing.T) {
	debPath := helloDeb(t)
	dir := t.TempDir()
	u := Unpack{Epoch: time.Unix(0, 0)}
	for i := range 5 {
		u.Debs = append(u.Debs, UnpackDeb{debPath, filepath.Join(dir, "out", strconv.Itoa(i)), "hello" + strconv.Itoa(i)})
	}
	if err := run(u.Args(), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := os.Stat(filepath.Join(dir, "out", strconv.Itoa(i), deb.StatusDir, "hello"+strconv.Itoa(i))); err != nil {
			t.Errorf("package %d: %v", i, err)
		}
	}
	// Packages sharing a root unpack in turn, as separate calls would; an
	// empty name means the Package field.
	shared := filepath.Join(dir, "shared")
	u.Debs = nil
	for i := range 4 {
		u.Debs = append(u.Debs, UnpackDeb{debPath, shared + strings.Repeat("/", i%2), []string{"", "one", "", "two"}[i]})
	}
	if err := run(u.Args(), &bytes.Buffer{}); err != nil {
		t.Fatalf("one root for several packages: %v", err)
	}
	for _, name := range []string{"hello", "one", "two"} {
		if _, err := os.Stat(filepath.Join(shared, deb.StatusDir, name)); err != nil {
			t.Error(err)
		}
	}

	bad := filepath.Join(dir, "bad.deb")
	if err := os.WriteFile(bad, []byte("not a deb"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := run([]string{"unpack", "--deb", debPath, "--root", filepath.Join(dir, "x"), "--deb", bad, "--root", filepath.Join(dir, "y"),
		"--deb", filepath.Join(dir, "missing.deb"), "--root", filepath.Join(dir, "z")}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "unpack "+bad+": deb: ar: not an ar archive") {
		t.Errorf("error %v, want the second package's", err)
	}
}

// TestRunUnpackErrors: failures while unpacking name the package or the
// setting at fault.
func TestRunUnpackErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.deb")
	if err := os.WriteFile(bad, []byte("not a deb"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"unpack", "--deb", filepath.Join(dir, "missing.deb"), "--root", dir}, "", "no such file"},
		{[]string{"unpack", "--deb", bad, "--root", dir}, "", "unpack " + bad + ": deb: ar: not an ar archive"},
		{[]string{"unpack", "--deb", bad, "--root", dir}, "-5", `unpack: SOURCE_DATE_EPOCH "-5"`},
		{[]string{"cacerts", "--deb", bad, "--root", dir, "--path", "x"}, "", "cacerts: " + bad + ": deb: ar: not an ar archive"},
		{[]string{"cacerts", "--deb", filepath.Join(dir, "missing.deb"), "--root", dir, "--path", "x"}, "", "no such file"},
	} {
		t.Setenv("SOURCE_DATE_EPOCH", tc.env)
		if err := run(tc.args, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
