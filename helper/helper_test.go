package helper

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestRoundTrip: each command writes the exact words builds run (they are
// part of the exec's cache key), and reading them back gives the same
// value.
func TestRoundTrip(t *testing.T) {
	epoch := time.Unix(1700000000, 0).UTC()
	for _, tc := range []struct {
		name string
		cmd  Command
		args string // the words, space-separated
	}{
		{"unpack, a group as distill2llb writes it",
			Unpack{Epoch: epoch, Debs: []UnpackDeb{{"/deb/0/base-files_12_amd64.deb", "/out/0", "base-files"}, {"/deb/1/libc6_2.36_amd64.deb", "/out/1", "libc6"}}},
			"unpack --epoch 1700000000 --deb /deb/0/base-files_12_amd64.deb --root /out/0 --name base-files --deb /deb/1/libc6_2.36_amd64.deb --root /out/1 --name libc6"},
		{"unpack at the epoch 0",
			Unpack{Epoch: time.Unix(0, 0).UTC(), Debs: []UnpackDeb{{"a.deb", "r", "libc6:arm64"}}},
			"unpack --epoch 0 --deb a.deb --root r --name libc6:arm64"},
		{"unpack without epoch, every flag",
			Unpack{Debs: []UnpackDeb{{"a.deb", "r", "hello"}}, NoChown: true, NoStatus: true, Verbose: true},
			"unpack --deb a.deb --root r --name hello --no-chown --no-status -v"},
		{"unpack from standard input, named by the Package field",
			Unpack{Debs: []UnpackDeb{{"-", "/r", ""}}},
			"unpack --deb - --root /r --name "},
		{"cacerts as distill2llb writes it",
			CACerts{Deb: "/deb/ca-certificates_1_all.deb", Epoch: epoch, Root: "/out", Path: "/etc/ssl/certs/ca-certificates.crt"},
			"cacerts --deb /deb/ca-certificates_1_all.deb --epoch 1700000000 --root /out --path /etc/ssl/certs/ca-certificates.crt"},
		{"cacerts, Java",
			CACerts{Deb: "/deb/c.deb", Epoch: epoch, Root: "/out", Path: "/etc/ssl/certs/java/cacerts", Java: true},
			"cacerts --deb /deb/c.deb --epoch 1700000000 --root /out --path /etc/ssl/certs/java/cacerts --java"},
		{"cacerts without epoch",
			CACerts{Deb: "c.deb", Root: "r", Path: "x"},
			"cacerts --deb c.deb --root r --path x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.cmd.Args()
			if got := strings.Join(args, " "); got != tc.args {
				t.Errorf("Args:\n got %s\nwant %s", got, tc.args)
			}
			back, err := Parse(args)
			if err != nil {
				t.Fatalf("Parse(%q): %v", args, err)
			}
			if !reflect.DeepEqual(back, tc.cmd) {
				t.Errorf("Parse(Args()) = %#v, want %#v", back, tc.cmd)
			}
			if !IsCommand(args[0]) {
				t.Errorf("IsCommand(%q) is false", args[0])
			}
		})
	}
}

// TestParseErrors: command lines that do not describe the work are refused
// before any is done, with an error naming the flag.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string
	}{
		{"", "missing subcommand (want unpack or cacerts)"},
		{"pack", `unknown subcommand "pack" (want unpack or cacerts)`},
		{"unpack --root r", "--deb is required"},
		{"unpack --deb a.deb", "--root is required"},
		{"unpack --deb a.deb --root r extra", `unexpected argument "extra"`},
		{"unpack --deb a.deb --root r --bogus", "flag provided but not defined: -bogus"},
		{"unpack --deb a.deb --root r --epoch yesterday", `invalid value "yesterday" for flag -epoch: not a whole number of seconds since 1970`},
		{"unpack --deb a.deb --root r --epoch -5", "for flag -epoch"},
		{"unpack --deb a.deb --root r --epoch 1.5", "for flag -epoch"},
		{"unpack --deb a.deb --root r --epoch 0x10", "for flag -epoch"},
		{"unpack --deb a.deb --root r --name a/b", "--name: invalid package name"},
		{"unpack --deb a.deb --root r --deb b.deb", "2 --deb but 1 --root"},
		{"unpack --deb a.deb --root r --deb b.deb --root s --name a", "2 --deb but 1 --name"},
		{"unpack --deb - --root r --deb b.deb --root s", "standard input) takes one package"},
		{"unpack --deb", "flag needs an argument: -deb"},
		{"cacerts --deb c.deb --root r", "--deb, --root and --path are required"},
		{"cacerts --root r --path p", "--deb, --root and --path are required"},
		{"cacerts --deb c.deb --root r --path /", `--path "/" names the root`},
		{"cacerts --deb c.deb --root r --path ../..", `--path "../.." names the root`},
		{"cacerts --deb c.deb --root r --path p --epoch now", "for flag -epoch"},
		{"cacerts --deb c.deb --root r --path p x", `unexpected argument "x"`},
	} {
		args := strings.Fields(tc.args)
		if _, err := Parse(args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): error %v, want %q", args, err, tc.want)
		}
	}
}

func TestIsCommand(t *testing.T) {
	for name, want := range map[string]bool{
		UnpackCommand: true, CACertsCommand: true,
		"": false, "help": false, "build": false, "Unpack": false, "--version": false,
	} {
		if got := IsCommand(name); got != want {
			t.Errorf("IsCommand(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestUsage: help, at the top or of a subcommand, prints usage and is no
// error; a bad command line prints the subcommand's usage and fails.
func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    []string
		wantErr bool
	}{
		{[]string{"help"}, []string{"usage: unpack", "usage: cacerts"}, false},
		{[]string{"--help"}, []string{"usage: unpack", "usage: cacerts"}, false},
		{[]string{"unpack", "-h"}, []string{"usage: unpack"}, false},
		{[]string{"cacerts", "--help"}, []string{"usage: cacerts"}, false},
		{[]string{"cacerts", "--root", "r"}, []string{"usage: cacerts"}, true},
		{[]string{"unpack"}, []string{"usage: unpack"}, true},
	} {
		var stderr bytes.Buffer
		err := run(tc.args, &stderr)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: error %v, want error %v", tc.args, err, tc.wantErr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%q: no %q in %q", tc.args, w, stderr.String())
			}
		}
	}
}

func TestEpochOrEnv(t *testing.T) {
	given := time.Unix(5, 0).UTC()
	for _, tc := range []struct {
		flag time.Time
		env  string
		want time.Time
		err  string
	}{
		{given, "2000", given, ""},
		{time.Time{}, "2000", time.Unix(2000, 0).UTC(), ""},
		{time.Time{}, " 2000\n", time.Unix(2000, 0).UTC(), ""},
		{time.Time{}, "", time.Time{}, ""},
		{time.Time{}, "-5", time.Time{}, `SOURCE_DATE_EPOCH "-5": not a whole number`},
	} {
		t.Setenv("SOURCE_DATE_EPOCH", tc.env)
		got, err := epochOrEnv(tc.flag)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v %q: error %v, want %q", tc.flag, tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("%v %q: %v %v, want %v", tc.flag, tc.env, got, err, tc.want)
		}
	}
}

// debFile builds a .deb with dpkg-deb, an oracle independent of the code
// under test: control is the control file, files the data (paths below the
// root, mode 0644), comp the compression dpkg-deb's -Z takes.
func debFile(t *testing.T, control string, files map[string]string, comp string) string {
	t.Helper()
	if _, err := exec.LookPath("dpkg-deb"); err != nil {
		if testing.Short() {
			t.Skip("dpkg-deb not installed: these tests build their .debs with it")
		}
		t.Fatal("dpkg-deb not installed: these tests build their .debs with it (.ci/run installs it)")
	}
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	write := func(p, body string) {
		full := filepath.Join(tree, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("DEBIAN/control", control)
	for p, body := range files {
		write(p, body)
	}
	// dpkg-deb wants DEBIAN 0755 whatever the umask.
	for _, d := range []string{tree, filepath.Join(tree, "DEBIAN")} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "pkg.deb")
	if b, err := exec.Command("dpkg-deb", "--root-owner-group", "-Z"+comp, "--build", tree, out).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb --build: %v\n%s", err, b)
	}
	return out
}
