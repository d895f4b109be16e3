package frontend

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/gateway/client"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// ContextNameOpt names a frontend option the CLI sets to the build
// context's directory, for messages about files the context lacks; buildx
// does not say, and they name "the build context".
const ContextNameOpt = "distill-context-name"

// maxLinks bounds the symlinks followed from one source, as Linux's 40.
const maxLinks = 40

// dirReader lists a directory of a solved state: a gateway reference.
type dirReader interface {
	ReadDir(ctx context.Context, req client.ReadDirRequest) ([]*fstypes.Stat, error)
}

// checkSources looks in the build context for the source of every file
// entry, before the LLB copies it: a copy would report a missing source as
// a checksum error at the image's line, copy a directory whole into a file
// entry, and copy a symlink as a link to a path on the client. A symlink
// that stays in the context is followed (the copy follows it too, as
// Dockerfile COPY does); one leaving the context is refused. Each problem
// is reported at its source attribute.
func checkSources(ctx context.Context, c client.Client, st llb.State, entries []*definition.Entry, contextName string) error {
	var withSource []*definition.Entry
	for _, e := range entries {
		if e.Source != "" {
			withSource = append(withSource, e)
		}
	}
	if len(withSource) == 0 {
		return nil
	}
	def, err := st.Marshal(ctx)
	if err != nil {
		return fmt.Errorf("marshalling the build context: %w", err)
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return fmt.Errorf("loading the build context: %w", err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return fmt.Errorf("loading the build context: %w", err)
	}
	return sourceDiagnostics(ctx, ref, withSource, contextName)
}

// sourceDiagnostics checks each entry's source in the context ref holds.
func sourceDiagnostics(ctx context.Context, ref dirReader, entries []*definition.Entry, contextName string) error {
	if contextName == "" {
		contextName = "the build context"
	} else {
		contextName = "the build context " + contextName
	}
	var diags hcl.Diagnostics
	dirs := &contextDirs{ref: ref, lists: map[string]map[string]*fstypes.Stat{}}
	for _, e := range entries {
		if e.Source == "" {
			continue
		}
		problem, err := checkSource(ctx, dirs, e.Source, contextName)
		if err != nil {
			return fmt.Errorf("%s: source %q: %w", e.SourceRange, e.Source, err)
		}
		if problem != "" {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Bad file source",
				Detail: problem, Subject: e.SourceRange.Ptr()})
		}
	}
	if diags.HasErrors() {
		return diags
	}
	return nil
}

// checkSource follows src through the context's symlinks to a regular
// file, or says what is wrong with it; err is a failure to read the context.
func checkSource(ctx context.Context, dirs *contextDirs, src, contextName string) (problem string, err error) {
	p := src
	for range maxLinks {
		st, err := dirs.lstat(ctx, p)
		if err != nil {
			return "", err
		}
		via := ""
		if p != src {
			via = fmt.Sprintf(" (%s links to it)", src)
		}
		if st == nil {
			return fmt.Sprintf("%s is not in %s%s: add it there, or fix the path (it is relative to the context).", p, contextName, via), nil
		}
		mode := fs.FileMode(st.Mode)
		switch {
		case mode.IsRegular():
			return "", nil
		case mode.IsDir():
			return fmt.Sprintf("%s is a directory in %s%s; a file's source must be a file: declare a file block for each file.", p, contextName, via), nil
		case mode&fs.ModeSymlink == 0:
			return fmt.Sprintf("%s in %s%s is not a regular file (mode %v).", p, contextName, via, mode), nil
		}
		target := st.Linkname
		if path.IsAbs(target) {
			return fmt.Sprintf("%s is a symlink to %s, an absolute path: the build sees only %s, so copy the file into it or make the link relative.", p, target, contextName), nil
		}
		next := path.Join(path.Dir(p), target)
		if next == ".." || strings.HasPrefix(next, "../") {
			return fmt.Sprintf("%s is a symlink to %s, which leaves %s: copy the file into it.", p, target, contextName), nil
		}
		p = next
	}
	return fmt.Sprintf("%s: more than %d symlinks to follow (a loop?) in %s.", src, maxLinks, contextName), nil
}

// contextDirs lists the context's directories for one check, each once:
// entries' sources and the links between them share directories, and each
// listing is a round trip to the daemon.
type contextDirs struct {
	ref   dirReader
	lists map[string]map[string]*fstypes.Stat // by directory, then name; nil: no such directory
}

// lstat is the stat of p in the context, not following a final symlink,
// or nil when it does not exist.
func (d *contextDirs) lstat(ctx context.Context, p string) (*fstypes.Stat, error) {
	if p == "." {
		return &fstypes.Stat{Path: ".", Mode: uint32(fs.ModeDir | 0o755)}, nil
	}
	dir := path.Dir(p)
	list, ok := d.lists[dir]
	if !ok {
		var err error
		if list, err = d.list(ctx, dir); err != nil {
			return nil, err
		}
		d.lists[dir] = list
	}
	return list[path.Base(p)], nil
}

// list reads one directory of the context: nil when it is missing.
func (d *contextDirs) list(ctx context.Context, dir string) (map[string]*fstypes.Stat, error) {
	entries, err := d.ref.ReadDir(ctx, client.ReadDirRequest{Path: dir})
	if err != nil {
		if msg := err.Error(); errors.Is(err, fs.ErrNotExist) || strings.Contains(msg, "no such file or directory") || strings.Contains(msg, "not a directory") {
			return nil, nil // a missing parent: the gRPC error has lost its type
		}
		return nil, fmt.Errorf("listing %s: %w", dir, err)
	}
	list := make(map[string]*fstypes.Stat, len(entries))
	for _, st := range entries {
		if _, dup := list[st.Path]; !dup {
			list[st.Path] = st
		}
	}
	return list, nil
}
