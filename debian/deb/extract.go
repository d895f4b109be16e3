package deb

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Errors wrapped by MemberError; test with errors.Is.
var (
	ErrTraversal       = errors.New(`path traversal ("..")`)
	ErrEscapingLink    = errors.New("symlink target escapes the root")
	ErrHardLink        = errors.New("hard link target is not a regular file extracted earlier from this archive")
	ErrUnsupportedType = errors.New("unsupported member type")
	ErrNotDir          = errors.New("a parent of the path is not a directory")
	ErrLinkLoop        = errors.New("too many levels of symbolic links")
)

// MemberError reports a data archive member that could not be extracted.
type MemberError struct {
	Member string // the name as written in the archive
	Err    error
}

func (e *MemberError) Error() string { return fmt.Sprintf("member %q: %v", e.Member, e.Err) }
func (e *MemberError) Unwrap() error { return e.Err }

// maxLinks bounds symlinks followed while resolving one path, as Linux does.
const maxLinks = 40

// Stats counts what an extraction wrote.
type Stats struct {
	Files     int   // regular files
	Dirs      int   // directories created
	Symlinks  int   // symbolic links
	HardLinks int   // hard links
	Bytes     int64 // bytes of regular file content
}

// ExtractOptions controls how a tar stream is written into a root.
type ExtractOptions struct {
	// Epoch, when not the zero Time, clamps every modification time to it,
	// as SOURCE_DATE_EPOCH asks.
	Epoch time.Time
	// NoChown keeps the extracting user as owner instead of the numeric
	// uid/gid of each member (for unprivileged use; images need owners).
	NoChown bool
	// ImpliedTime is the modification time (clamped to Epoch) of directories
	// the extractor creates that the archive does not list. When zero, they
	// get Epoch, or keep the time of their creation if Epoch is zero too.
	// Unpack passes the ar modification time of the data member.
	ImpliedTime time.Time
}

// dirMeta is the metadata applied to a directory created by this
// extraction once everything beneath it is written.
type dirMeta struct {
	path     string
	mode     fs.FileMode
	uid, gid int
	mtime    time.Time
	gone     bool
}

// Extractor writes members of a tar stream below a root directory. It is
// not safe for concurrent use. Call Finish after the last member.
type Extractor struct {
	root    string
	opt     ExtractOptions
	dirs    []*dirMeta
	dirAt   map[string]*dirMeta // real path → directory created here
	regular map[string]string   // cleaned member name → real path
	isDir   map[string]bool     // real paths known to be directories
	stats   Stats
	buf     []byte // copy buffer shared by all files
}

// NewExtractor returns an extractor writing below root, which must be an
// existing directory.
func NewExtractor(root string, opt ExtractOptions) (*Extractor, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("root: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("root %s is not a directory", root)
	}
	return &Extractor{
		root:    real,
		opt:     opt,
		dirAt:   map[string]*dirMeta{},
		regular: map[string]string{},
		isDir:   map[string]bool{},
	}, nil
}

// Stats returns what has been written so far.
func (x *Extractor) Stats() Stats { return x.stats }

// ExtractTar writes every member of tr below root.
func ExtractTar(tr *tar.Reader, root string, opt ExtractOptions) (Stats, error) {
	x, err := NewExtractor(root, opt)
	if err != nil {
		return Stats{}, err
	}
	if err := x.ExtractAll(tr); err != nil {
		return x.stats, err
	}
	return x.stats, x.Finish()
}

// ExtractAll writes every member of tr.
func (x *Extractor) ExtractAll(tr *tar.Reader) error {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the data archive: %w", err)
		}
		if err := x.Extract(h, tr); err != nil {
			return err
		}
	}
}

// Extract writes one member; body supplies a regular file's content.
func (x *Extractor) Extract(h *tar.Header, body io.Reader) error {
	if err := x.extract(h, body); err != nil {
		var me *MemberError
		if errors.As(err, &me) {
			return err
		}
		return &MemberError{Member: h.Name, Err: err}
	}
	return nil
}

func (x *Extractor) extract(h *tar.Header, body io.Reader) error {
	name, err := cleanName(h.Name)
	if err != nil {
		return err
	}
	if h.Uid < 0 || h.Gid < 0 || int64(h.Uid) > 1<<32-2 || int64(h.Gid) > 1<<32-2 {
		return fmt.Errorf("uid/gid %d/%d out of range", h.Uid, h.Gid)
	}
	mode := fs.FileMode(h.Mode).Perm() | specialBits(h.Mode)
	mtime := x.clamp(h.ModTime)

	switch h.Typeflag {
	case tar.TypeDir:
		return x.mkdir(name, mode, h.Uid, h.Gid, mtime)
	case tar.TypeReg:
		if isSparse(h) {
			// A few header bytes could stand for terabytes of zeros; dpkg
			// does not take sparse members either.
			return fmt.Errorf("%w: sparse file", ErrUnsupportedType)
		}
		if name == "" {
			return errors.New("a regular file cannot replace the root")
		}
		n, err := x.writeFile(name, body, mode, h.Uid, h.Gid, mtime)
		x.stats.Bytes += n
		if err == nil {
			x.stats.Files++
		}
		return err
	case tar.TypeSymlink:
		if name == "" {
			return errors.New("a symlink cannot replace the root")
		}
		return x.symlink(name, h.Linkname, h.Uid, h.Gid, mtime)
	case tar.TypeLink:
		if name == "" {
			return errors.New("a hard link cannot replace the root")
		}
		return x.hardlink(name, h.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return fmt.Errorf("%w: device node", ErrUnsupportedType)
	case tar.TypeFifo:
		return fmt.Errorf("%w: FIFO", ErrUnsupportedType)
	case tar.TypeGNUSparse:
		return fmt.Errorf("%w: sparse file", ErrUnsupportedType)
	}
	return fmt.Errorf("%w: type flag %q", ErrUnsupportedType, h.Typeflag)
}

// isSparse reports a PAX-format sparse file (GNU.sparse.* records).
func isSparse(h *tar.Header) bool {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

func specialBits(m int64) fs.FileMode {
	var out fs.FileMode
	if m&0o4000 != 0 {
		out |= fs.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= fs.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= fs.ModeSticky
	}
	return out
}

// impliedTime is the time of directories the archive does not list.
func (x *Extractor) impliedTime() time.Time {
	if x.opt.ImpliedTime.IsZero() {
		return x.opt.Epoch
	}
	return x.clamp(x.opt.ImpliedTime)
}

func (x *Extractor) clamp(t time.Time) time.Time {
	if !x.opt.Epoch.IsZero() && t.After(x.opt.Epoch) {
		return x.opt.Epoch
	}
	return t
}

func (x *Extractor) mkdirImplied(p string) error {
	if err := os.Mkdir(p, 0o755); err != nil {
		return err
	}
	m := &dirMeta{path: p, mode: 0o755, mtime: x.impliedTime()}
	x.dirs = append(x.dirs, m)
	x.dirAt[p] = m
	x.isDir[p] = true
	x.stats.Dirs++
	return nil
}

func (x *Extractor) mkdir(name string, mode fs.FileMode, uid, gid int, mtime time.Time) error {
	if name == "" {
		// The root exists already and belongs to whoever made it.
		return nil
	}
	p, err := x.parent(name)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case fi.IsDir():
		x.isDir[p] = true
		if m := x.dirAt[p]; m != nil {
			// Created by this extraction (implied or listed twice): the
			// archive's entry decides.
			m.mode, m.uid, m.gid, m.mtime = mode, uid, gid, mtime
		}
		// Otherwise another package made it: leave it as it is, as dpkg does.
		return nil
	case fi.Mode()&fs.ModeSymlink != 0:
		// A link to a directory stands for that directory, as dpkg keeps
		// /lib -> usr/lib on merged-/usr systems.
		if _, err := x.resolve(name, false); err == nil {
			return nil
		}
		if err := os.Remove(p); err != nil {
			return err
		}
	default:
		if err := os.Remove(p); err != nil {
			return err
		}
	}
	if err := os.Mkdir(p, 0o755); err != nil {
		return err
	}
	m := &dirMeta{path: p, mode: mode, uid: uid, gid: gid, mtime: mtime}
	x.dirs = append(x.dirs, m)
	x.dirAt[p] = m
	x.isDir[p] = true
	x.stats.Dirs++
	return nil
}

// writeFile writes a regular file and returns the bytes written.
func (x *Extractor) writeFile(name string, body io.Reader, mode fs.FileMode, uid, gid int, mtime time.Time) (int64, error) {
	p, err := x.parent(name)
	if err != nil {
		return 0, err
	}
	var f *os.File
	err = x.create(p, func() error {
		// O_EXCL|O_NOFOLLOW: never through a symlink, never into an
		// existing file. A raw open keeps the file away from the poller.
		fd, err := unix.Open(p, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
		if err != nil {
			return &fs.PathError{Op: "open", Path: p, Err: err}
		}
		f = os.NewFile(uintptr(fd), p)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if x.buf == nil {
		x.buf = make([]byte, 64<<10)
	}
	// Hide File.ReadFrom, which would allocate a buffer per file.
	n, err := io.CopyBuffer(struct{ io.Writer }{f}, body, x.buf)
	if err == nil && !x.opt.NoChown {
		err = f.Chown(uid, gid)
	}
	if err == nil {
		// After chown, which clears set-id bits.
		err = f.Chmod(mode)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if err := setTimes(p, mtime); err != nil {
		return n, err
	}
	x.regular[name] = p
	return n, nil
}

func (x *Extractor) symlink(name, target string, uid, gid int, mtime time.Time) error {
	if target == "" {
		return errors.New("symlink with an empty target")
	}
	if strings.IndexByte(target, 0) >= 0 {
		return errors.New("NUL in symlink target")
	}
	if !strings.HasPrefix(target, "/") {
		j := path.Join(path.Dir(name), target)
		if j == ".." || strings.HasPrefix(j, "../") {
			return fmt.Errorf("%w: %s -> %s", ErrEscapingLink, name, target)
		}
	}
	p, err := x.parent(name)
	if err != nil {
		return err
	}
	if err := x.create(p, func() error { return os.Symlink(target, p) }); err != nil {
		return err
	}
	if !x.opt.NoChown {
		if err := os.Lchown(p, uid, gid); err != nil {
			return err
		}
	}
	if err := setTimes(p, mtime); err != nil {
		return err
	}
	delete(x.regular, name)
	x.stats.Symlinks++
	return nil
}

func (x *Extractor) hardlink(name, target string) error {
	t, err := cleanName(target)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", target, err)
	}
	tp, ok := x.regular[t]
	if !ok {
		return fmt.Errorf("%w: %s", ErrHardLink, target)
	}
	// Check that the target still is that regular file, reached the same way.
	if again, err := x.parent(t); err != nil || again != tp {
		return fmt.Errorf("%w: %s", ErrHardLink, target)
	}
	if fi, err := os.Lstat(tp); err != nil || !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: %s", ErrHardLink, target)
	}
	p, err := x.parent(name)
	if err != nil {
		return err
	}
	if p == tp {
		return fmt.Errorf("hard link to itself")
	}
	if err := x.create(p, func() error { return os.Link(tp, p) }); err != nil {
		return err
	}
	x.regular[name] = p
	x.stats.HardLinks++
	return nil
}

// WriteFile writes a regular file the archive does not hold (such as the
// status.d records), creating its parents as implied directories.
func (x *Extractor) WriteFile(name string, data []byte, mode fs.FileMode, mtime time.Time) error {
	clean, err := cleanName(name)
	if err != nil || clean == "" {
		return fmt.Errorf("write %q: invalid name", name)
	}
	if _, err := x.writeFile(clean, bytes.NewReader(data), mode, 0, 0, x.clamp(mtime)); err != nil {
		return fmt.Errorf("write /%s: %w", clean, err)
	}
	delete(x.regular, clean)
	return nil
}

// Finish gives the directories created by this extraction their mode,
// owner and time, deepest last-made first, now that nothing more is
// written below them.
func (x *Extractor) Finish() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		m := x.dirs[i]
		if m.gone {
			continue
		}
		fi, err := os.Lstat(m.path)
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			continue
		}
		if !x.opt.NoChown {
			if err := os.Lchown(m.path, m.uid, m.gid); err != nil {
				return err
			}
		}
		if err := os.Chmod(m.path, m.mode); err != nil {
			return err
		}
		if err := setTimes(m.path, m.mtime); err != nil {
			return err
		}
	}
	x.dirs = nil
	return nil
}
