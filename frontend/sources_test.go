package frontend

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// dirRef reads a directory as a gateway reference to a solved local
// context reads it: entries by name, modes as Go's, links unresolved.
type dirRef string

func (d dirRef) ReadDir(_ context.Context, req client.ReadDirRequest) ([]*fstypes.Stat, error) {
	entries, err := os.ReadDir(filepath.Join(string(d), req.Path))
	if err != nil {
		return nil, err
	}
	var out []*fstypes.Stat
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			return nil, err
		}
		st := &fstypes.Stat{Path: e.Name(), Mode: uint32(fi.Mode())}
		if fi.Mode()&os.ModeSymlink != 0 {
			if st.Linkname, err = os.Readlink(filepath.Join(string(d), req.Path, e.Name())); err != nil {
				return nil, err
			}
		}
		out = append(out, st)
	}
	return out, nil
}

// countingRef counts the listings of each directory.
type countingRef struct {
	dirReader
	reads map[string]int
}

func (c countingRef) ReadDir(ctx context.Context, req client.ReadDirRequest) ([]*fstypes.Stat, error) {
	c.reads[req.Path]++
	return c.dirReader.ReadDir(ctx, req)
}

// TestFileSources checks what a file block's source may be, with each
// refusal at the source attribute's line.
func TestFileSources(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.txt")
	ctxDir := t.TempDir()
	for _, f := range []struct{ name, link string }{
		{name: "motd"}, {name: "dir/"}, {name: "sub/deep.txt"},
		{name: "inside", link: "motd"},
		{name: "chain", link: "sub/up"},
		{name: "sub/up", link: "../motd"},
		{name: "leaves", link: "../outside.txt"},
		{name: "absolute", link: outside},
		{name: "todir", link: "dir"},
		{name: "dangling", link: "gone.txt"},
		{name: "loop", link: "loop"},
	} {
		p := filepath.Join(ctxDir, f.name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case f.link != "":
			err = os.Symlink(f.link, p)
		case strings.HasSuffix(f.name, "/"):
			err = os.Mkdir(p, 0o755)
		default:
			err = os.WriteFile(p, []byte("hi\n"), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		source, ctxName string
		want            string // the message at line 2, or "" for none
	}{
		{source: "motd"},
		{source: "sub/deep.txt"},
		{source: "inside"},
		{source: "chain"},
		{source: "missing.txt", ctxName: "app", want: "Bad file source; missing.txt is not in the build context app: add it there, or fix the path (it is relative to the context)."},
		{source: "nodir/missing.txt", want: "nodir/missing.txt is not in the build context: add it there"},
		{source: "motd/x", want: "motd/x is not in the build context:"},
		{source: "dir", ctxName: "app", want: "dir is a directory in the build context app; a file's source must be a file: declare a file block for each file."},
		{source: "todir", want: "dir is a directory in the build context (todir links to it)"},
		{source: "leaves", want: "leaves is a symlink to ../outside.txt, which leaves the build context: copy the file into it."},
		{source: "absolute", want: "absolute is a symlink to " + outside + ", an absolute path: the build sees only the build context, so copy the file into it or make the link relative."},
		{source: "dangling", want: "gone.txt is not in the build context (dangling links to it)"},
		{source: "loop", want: "loop: more than 40 symlinks to follow (a loop?) in the build context."},
	} {
		t.Run(tc.source, func(t *testing.T) {
			src := "image \"a\" {\n  file \"/etc/motd\" { source = \"" + tc.source + "\" }\n}\n"
			def := parse(t, src)
			err := sourceDiagnostics(t.Context(), dirRef(ctxDir), def.Images[0].Entries, tc.ctxName)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			sm := llb.NewSourceMap(nil, "distill.hcl", Language, []byte(src))
			err = wrapSource(err, sm)
			if err == nil || !strings.HasPrefix(err.Error(), "distill.hcl:2,31-") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q at distill.hcl:2,31", err, tc.want)
			}
			if srcs := errdefs.Sources(err); len(srcs) != 1 || srcs[0].Ranges[0].Start.Line != 2 {
				t.Errorf("sources %+v", srcs)
			}
		})
	}
	// One check lists each directory once, however many sources and links
	// go through it.
	src := "image \"a\" {\n"
	for i, source := range []string{"motd", "inside", "chain", "sub/deep.txt", "missing.txt", "nodir/missing.txt", "nodir/other.txt"} {
		src += fmt.Sprintf("  file \"/f%d\" { source = %q }\n", i, source)
	}
	ref := countingRef{dirReader: dirRef(ctxDir), reads: map[string]int{}}
	if err := sourceDiagnostics(t.Context(), ref, parse(t, src+"}\n").Images[0].Entries, ""); err == nil {
		t.Error("no error for missing.txt")
	}
	if want := map[string]int{".": 1, "sub": 1, "nodir": 1}; !maps.Equal(ref.reads, want) {
		t.Errorf("directories listed %v, want each once: %v", ref.reads, want)
	}
	// Only entries with a source are looked up: the rest need no context.
	if err := sourceDiagnostics(t.Context(), dirRef(ctxDir), []*definition.Entry{{Path: "/a", Content: []byte("x")}}, ""); err != nil {
		t.Error(err)
	}
}
