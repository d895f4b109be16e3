package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/distill-build/distill/definition"
)

const oneImage = "image \"x\" {\n  platforms = [\"linux/amd64\"]\n}\n"

// TestReadDefinition reads definitions from files, standard input and a
// FIFO, and refuses what is too large or never ends, without reading it
// all and without leaving a staged copy behind.
func TestReadDefinition(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", t.TempDir())
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := func(name string) string {
		p := filepath.Join(dir, name)
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name   string
		file   string
		stdin  string
		writer string // what a writer sends into the FIFO file names
		cancel bool   // the command is interrupted (SIGINT, SIGTERM) while reading
		staged bool
		err    string
	}{
		{name: "file", file: write("a.hcl", oneImage)},
		{name: "standard input", file: "-", stdin: oneImage, staged: true},
		{name: "fifo", file: fifo("f1"), writer: oneImage, staged: true},
		{name: "interrupted fifo", file: fifo("f2"), cancel: true, err: "reading the definition: interrupted: context canceled"},
		{name: "endless device", file: "/dev/zero", err: "reading the definition: /dev/zero: more than 4194304 bytes (4 MiB), the most a definition may hold: is it the right file?"},
		{name: "large file", file: write("big.hcl", strings.Repeat("#\n", definition.MaxSize/2+1)), err: "big.hcl: more than 4194304 bytes"},
		{name: "large input", file: "-", stdin: strings.Repeat("#\n", definition.MaxSize/2+1), err: "reading the definition from standard input: standard input: more than 4194304 bytes"},
		{name: "missing", file: filepath.Join(dir, "none.hcl"), err: "reading the definition: open " + dir + "/none.hcl: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tc.cancel {
				cancel()
				// Release the reader left blocked in open once the test is done.
				defer func() {
					if f, err := os.OpenFile(tc.file, os.O_WRONLY, 0); err == nil {
						_ = f.Close()
					}
				}()
			}
			if tc.writer != "" {
				go func() {
					if f, err := os.OpenFile(tc.file, os.O_WRONLY, 0); err == nil {
						_, _ = io.WriteString(f, tc.writer)
						_ = f.Close()
					}
				}()
			}
			o := commonOptions{file: tc.file}
			d, err := readDefinition(ctx, &o, "", strings.NewReader(tc.stdin), io.Discard)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.img == nil || d.img.Name != "x" || d.staged != tc.staged || !filepath.IsAbs(d.path) {
				t.Errorf("read %+v", d)
			}
			if data, err := os.ReadFile(d.path); err != nil || string(data) != oneImage {
				t.Errorf("the frontend would read %q (%v)", data, err)
			}
			d.remove()
			if _, err := os.Stat(d.path); tc.staged != os.IsNotExist(err) {
				t.Errorf("after remove: %v", err)
			}
		})
	}
	if entries, _ := os.ReadDir(os.Getenv("TMPDIR")); len(entries) != 0 {
		t.Errorf("staged copies left: %v", names(entries))
	}
}

// TestLockNeedsAFile: the lockfile goes next to the definition, which
// standard input does not have.
func TestLockNeedsAFile(t *testing.T) {
	_, _, err := runCLI(t, "lock", "-f", "-")
	if err == nil || !strings.Contains(err.Error(), "-f -: lock writes the lockfile next to the definition") {
		t.Errorf("error %v", err)
	}
}
