package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// definition writes a distill file whose # syntax= line names the bed's
// frontend image, plus any extra files, into a fresh context directory.
func definition(t testing.TB, b *Bed, body string, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	src := "# syntax=" + b.FrontendImage + "\n" + body
	if err := os.WriteFile(filepath.Join(dir, "distill.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range extra {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// example copies an example definition into a context directory with its
// syntax line pointing at the bed's frontend image.
func example(t testing.TB, b *Bed, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(mustRepoRoot(t), "examples", name, "distill.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	first, rest, _ := strings.Cut(string(src), "\n")
	if !strings.HasPrefix(first, "# syntax=") {
		t.Fatalf("examples/%s/distill.hcl does not start with a # syntax= line", name)
	}
	return definition(t, b, rest, nil)
}

func mustRepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// wantEntry checks one path of an image's filesystem.
type wantEntry struct {
	path     string
	typeflag byte // tar.TypeReg, TypeDir, TypeSymlink
	mode     int64
	uid, gid int
	content  string // regular files: substring; symlinks: the target
}

func checkEntries(t *testing.T, label string, img *OCIImage, epoch time.Time, want []wantEntry) {
	t.Helper()
	files := img.Files()
	for _, w := range want {
		e, ok := files[cleanName(w.path)]
		if !ok {
			t.Errorf("%s: %s missing", label, w.path)
			continue
		}
		h := e.Header
		if h.Typeflag != w.typeflag || h.Mode&0o7777 != w.mode || h.Uid != w.uid || h.Gid != w.gid {
			t.Errorf("%s: %s is type %c mode %o owner %d:%d, want type %c mode %o owner %d:%d",
				label, w.path, h.Typeflag, h.Mode&0o7777, h.Uid, h.Gid, w.typeflag, w.mode, w.uid, w.gid)
		}
		if !h.ModTime.Equal(epoch) {
			t.Errorf("%s: %s mtime %v, want %v", label, w.path, h.ModTime.UTC(), epoch)
		}
		switch {
		case h.Typeflag == '2' && h.Linkname != w.content:
			t.Errorf("%s: %s -> %q, want -> %q", label, w.path, h.Linkname, w.content)
		case h.Typeflag == '0' && !strings.Contains(string(e.Data), w.content):
			t.Errorf("%s: %s = %q, want it to contain %q", label, w.path, e.Data, w.content)
		}
	}
}
