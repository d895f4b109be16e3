package deb

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestRunUnpack(t *testing.T) {
	dir := t.TempDir()
	debPath := filepath.Join(dir, "hello.deb")
	if err := os.WriteFile(debPath, buildDeb(t, debSpec{dataComp: "xz", data: baseData()}), 0o644); err != nil {
		t.Fatal(err)
	}
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
	if _, err := os.Stat(filepath.Join(root, StatusDir, "hello-alt")); err != nil {
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

// TestRunUnpackMany: several --deb/--root/--name triples unpack side by
// side, each into its own root, and the first failure in argument order is
// the one reported.
func TestRunUnpackMany(t *testing.T) {
	dir := t.TempDir()
	debPath := filepath.Join(dir, "hello.deb")
	if err := os.WriteFile(debPath, buildDeb(t, debSpec{dataComp: "xz", data: baseData()}), 0o644); err != nil {
		t.Fatal(err)
	}
	var args []string
	for i := range 5 {
		args = append(args, "--deb", debPath, "--root", filepath.Join(dir, "out", strconv.Itoa(i)), "--name", "hello"+strconv.Itoa(i))
	}
	if err := run(append([]string{"unpack", "--epoch", "0"}, args...), &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := os.Stat(filepath.Join(dir, "out", strconv.Itoa(i), StatusDir, "hello"+strconv.Itoa(i))); err != nil {
			t.Errorf("package %d: %v", i, err)
		}
	}
	// Packages sharing a root unpack in turn, as separate calls would; an
	// empty --name means the Package field.
	shared := filepath.Join(dir, "shared")
	args = nil
	for i := range 4 {
		args = append(args, "--deb", debPath, "--root", shared+strings.Repeat("/", i%2), "--name", []string{"", "one", "", "two"}[i])
	}
	if err := run(append([]string{"unpack", "--epoch", "0"}, args...), &bytes.Buffer{}); err != nil {
		t.Fatalf("one root for several packages: %v", err)
	}
	for _, name := range []string{"hello", "one", "two"} {
		if _, err := os.Stat(filepath.Join(shared, StatusDir, name)); err != nil {
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

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.deb")
	os.WriteFile(bad, []byte("not a deb"), 0o644)
	t.Setenv("SOURCE_DATE_EPOCH", "")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "missing subcommand"},
		{[]string{"pack"}, `unknown subcommand "pack"`},
		{[]string{"unpack", "--root", dir}, "--deb is required"},
		{[]string{"unpack", "--deb", bad}, "--root is required"},
		{[]string{"unpack", "--deb", bad, "--root", dir, "extra"}, `unexpected argument "extra"`},
		{[]string{"unpack", "--deb", bad, "--root", dir, "--bogus"}, "flag provided but not defined: -bogus"},
		{[]string{"unpack", "--deb", bad, "--root", dir, "--epoch", "yesterday"}, `--epoch "yesterday" is not a number`},
		{[]string{"unpack", "--deb", bad, "--root", dir, "--name", "a/b"}, "--name: invalid package name"},
		{[]string{"unpack", "--deb", filepath.Join(dir, "missing.deb"), "--root", dir}, "no such file"},
		{[]string{"unpack", "--deb", bad, "--root", dir}, "unpack " + bad + ": deb: ar: not an ar archive"},
		{[]string{"unpack", "--deb", bad, "--root", dir, "--deb", bad}, "2 --deb but 1 --root"},
		{[]string{"unpack", "--deb", bad, "--root", dir, "--deb", bad, "--root", dir, "--name", "a"}, "2 --deb but 1 --name"},
		{[]string{"unpack", "--deb", "-", "--root", dir, "--deb", bad, "--root", dir}, "standard input) takes one package"},
	} {
		err := run(tc.args, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "-5")
	if err := run([]string{"unpack", "--deb", bad, "--root", dir}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("bad SOURCE_DATE_EPOCH: %v", err)
	}
	var out bytes.Buffer
	if err := run([]string{"unpack", "-h"}, &out); err != nil || !strings.Contains(out.String(), "usage: unpack") {
		t.Errorf("-h: %v %q", err, out.String())
	}
}
