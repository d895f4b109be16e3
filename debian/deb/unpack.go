package deb

import (
	"fmt"
	"io"
	"time"
)

// StatusDir is where distroless records installed packages, one control
// file per package, instead of /var/lib/dpkg/status.
const StatusDir = "var/lib/dpkg/status.d"

// Options controls Unpack.
type Options struct {
	// Epoch, when not the zero Time, clamps every modification time to it
	// (SOURCE_DATE_EPOCH).
	Epoch time.Time
	// Name names the status.d records; the default is the Package field.
	Name string
	// NoChown keeps the extracting user as owner of everything written.
	NoChown bool
	// NoStatus skips the status.d records.
	NoStatus bool
}

// Result describes an unpacked package.
type Result struct {
	Package      string
	Version      string
	Architecture string
	Name         string // the status.d record name
	DataMember   string // e.g. "data.tar.xz"
	Stats
}

// Unpack reads the .deb in r and writes its data archive below root (an
// existing directory), then the records status.d/<name> (the control file
// verbatim) and, when the package has md5sums, status.d/<name>.md5sums.
// No maintainer script runs. Directories that already exist in root are
// left as they are, so packages can be unpacked into one root in turn.
func Unpack(r io.Reader, root string, opt Options) (*Result, error) {
	a, err := Open(r)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	c := a.Control
	res := &Result{
		Package:      c.Package(),
		Version:      c.Version(),
		Architecture: c.Architecture(),
		Name:         opt.Name,
		DataMember:   a.DataMember,
	}
	if res.Name == "" {
		res.Name = res.Package
	}
	if !opt.NoStatus {
		if err := CheckPackageName(res.Name); err != nil {
			if opt.Name == "" {
				return nil, fmt.Errorf("deb: Package field: %w", err)
			}
			return nil, fmt.Errorf("deb: %w", err)
		}
	}
	x, err := NewExtractor(root, ExtractOptions{
		Epoch:       opt.Epoch,
		NoChown:     opt.NoChown,
		ImpliedTime: a.DataModTime,
	})
	if err != nil {
		return nil, fmt.Errorf("deb: %w", err)
	}
	if err := x.ExtractAll(a.Data()); err != nil {
		return nil, fmt.Errorf("deb %s: %s: %w", res.Package, a.DataMember, err)
	}
	if err := a.Finish(); err != nil {
		return nil, err
	}
	if !opt.NoStatus {
		if err := x.WriteFile(StatusDir+"/"+res.Name, c.Raw, 0o644, c.ModTime); err != nil {
			return nil, fmt.Errorf("deb %s: %w", res.Package, err)
		}
		if c.MD5Sums != nil {
			if err := x.WriteFile(StatusDir+"/"+res.Name+".md5sums", c.MD5Sums, 0o644, c.MD5SumsModTime); err != nil {
				return nil, fmt.Errorf("deb %s: %w", res.Package, err)
			}
		}
	}
	if err := x.Finish(); err != nil {
		return nil, fmt.Errorf("deb %s: %w", res.Package, err)
	}
	res.Stats = x.Stats()
	return res, nil
}
