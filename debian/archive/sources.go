package archive

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/distill-build/distill/debian/control"
)

// SourcePackage is one paragraph of a Sources index: a source package at
// one version and the files that make it, under Directory in the archive.
type SourcePackage struct {
	Name, Version string
	Directory     string // "pool/main/d/dash"
	Files         []SourceFile
	// BuildDepends joins Build-Depends, Build-Depends-Arch and
	// Build-Depends-Indep with commas, as written.
	BuildDepends string
}

// SourceFile is one file of a source package, as Checksums-Sha256 lists it.
type SourceFile struct {
	Name   string
	SHA256 string
	Size   int64
}

// DSC is the source package's .dsc file.
func (s *SourcePackage) DSC() (SourceFile, bool) {
	for _, f := range s.Files {
		if strings.HasSuffix(f.Name, ".dsc") {
			return f, true
		}
	}
	return SourceFile{}, false
}

// ErrNoSource reports a Sources index without the package at that version.
var ErrNoSource = errors.New("no such source package")

// FindSource reads a Sources index (uncompressed) and returns the package
// at version, or ErrNoSource.
func FindSource(r io.Reader, file, name, version string) (*SourcePackage, error) {
	cr := control.NewControlReader(r, file)
	for {
		p, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: %s %s: %w", file, name, version, ErrNoSource)
		}
		if err != nil {
			return nil, err
		}
		if p.String("Package") != name || p.String("Version") != version {
			continue
		}
		s := &SourcePackage{Name: name, Version: version, Directory: p.String("Directory")}
		var bd []string
		for _, f := range []string{"Build-Depends", "Build-Depends-Arch", "Build-Depends-Indep"} {
			if v := strings.TrimSpace(p.String(f)); v != "" {
				bd = append(bd, v)
			}
		}
		s.BuildDepends = strings.Join(bd, ", ")
		sums, ok := p.Get("Checksums-Sha256")
		if !ok || s.Directory == "" || strings.Contains(s.Directory, "..") {
			return nil, cr.Errorf(p.Line, "source %s %s: no Checksums-Sha256 or Directory", name, version)
		}
		err = control.ValueLines(sums, func(line []byte) error {
			f := strings.Fields(string(line))
			if len(f) != 3 || len(f[0]) != 64 || strings.ContainsAny(f[2], "/\x00") {
				return cr.Errorf(p.Line, "source %s %s: malformed Checksums-Sha256 line %q", name, version, line)
			}
			size, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil || size < 0 {
				return cr.Errorf(p.Line, "source %s %s: invalid size %q", name, version, f[1])
			}
			s.Files = append(s.Files, SourceFile{Name: f[2], SHA256: strings.ToLower(f[0]), Size: size})
			return nil
		})
		if err != nil {
			return nil, err
		}
		if _, ok := s.DSC(); !ok {
			return nil, cr.Errorf(p.Line, "source %s %s lists no .dsc", name, version)
		}
		return s, nil
	}
}
