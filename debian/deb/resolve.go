package deb

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Paths: member names are cleaned, then resolved inside the root one
// component at a time, so that nothing is ever written through a symlink
// to a place outside it.

// cleanName turns a member name into a slash-separated path relative to the
// root ("" for the root itself). A ".." component anywhere is refused; a
// leading "/" is read as relative to the root, as tar does.
func cleanName(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", errors.New("NUL in name")
	}
	for _, c := range strings.Split(name, "/") {
		if c == ".." {
			return "", ErrTraversal
		}
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), nil
}

// real returns the host path of the cleaned, already resolved relative path.
func (x *Extractor) real(rel string) string {
	if rel == "" {
		return x.root
	}
	return x.root + "/" + rel
}

// resolve follows rel inside the root, component by component, and returns
// a relative path all of whose components are real directories (never
// symlinks). Symlinks are followed as inside a chroot: absolute targets
// start again at the root and ".." stops at it, so the result never leaves
// the root. Missing directories are created when create is set; otherwise
// resolve reports fs.ErrNotExist.
func (x *Extractor) resolve(rel string, create bool) (string, error) {
	todo := splitPath(rel)
	var cur []string
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			// Only link targets bring "..": cur holds real directories, so
			// dropping the last one is the real parent.
			if len(cur) > 0 {
				cur = cur[:len(cur)-1]
			}
			continue
		}
		next := strings.Join(append(cur, c), "/")
		p := x.real(next)
		if x.isDir[p] {
			cur = append(cur, c)
			continue
		}
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if !create {
				return "", fs.ErrNotExist
			}
			if err := x.mkdirImplied(p); err != nil {
				return "", err
			}
		case err != nil:
			return "", err
		case fi.IsDir():
			x.isDir[p] = true
		case fi.Mode()&fs.ModeSymlink != 0:
			links++
			if links > maxLinks {
				return "", ErrLinkLoop
			}
			t, err := os.Readlink(p)
			if err != nil {
				return "", err
			}
			if strings.HasPrefix(t, "/") {
				cur = cur[:0]
			}
			todo = append(splitPath(t), todo...)
			continue
		default:
			return "", fmt.Errorf("%w: %s", ErrNotDir, next)
		}
		cur = append(cur, c)
	}
	return strings.Join(cur, "/"), nil
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// parent resolves the directory that holds name and returns the host path
// name will have. The last component is not resolved.
func (x *Extractor) parent(name string) (string, error) {
	dir, base := path.Split(name)
	d, err := x.resolve(strings.TrimSuffix(dir, "/"), true)
	if err != nil {
		return "", err
	}
	if d == "" {
		return x.real(base), nil
	}
	return x.real(d + "/" + base), nil
}

// clear makes room for a non-directory at p: an existing file or link is
// removed, an empty directory too; a non-empty directory is an error.
func (x *Extractor) clear(p string) error {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil {
		if fi.IsDir() {
			return fmt.Errorf("cannot replace directory: %w", err)
		}
		return err
	}
	if m := x.dirAt[p]; m != nil {
		m.gone = true
		delete(x.dirAt, p)
	}
	delete(x.isDir, p)
	return nil
}

// create runs mk, which makes p and fails if p exists; if it does, the old
// entry is cleared away and mk runs again. This spares a stat per member in
// the common case, an empty place.
func (x *Extractor) create(p string, mk func() error) error {
	err := mk()
	if errors.Is(err, fs.ErrExist) {
		if err := x.clear(p); err != nil {
			return err
		}
		err = mk()
	}
	return err
}

// setTimes sets access and modification time of p to t without following a
// final symlink. The zero Time leaves them alone.
func setTimes(p string, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	ts, err := unix.TimeToTimespec(t)
	if err != nil {
		return &fs.PathError{Op: "utimes", Path: p, Err: err}
	}
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &fs.PathError{Op: "utimes", Path: p, Err: err}
	}
	return nil
}
