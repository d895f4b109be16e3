package lockfile

import (
	"fmt"
	"strings"
)

// LockedSource pins a Debian source package: where its files are and their
// sha256, so a locked build fetches them without reading a Sources index.
type LockedSource struct {
	Repository string             `json:"repository"`
	Directory  string             `json:"directory"` // "pool/main/d/dash"
	Files      []LockedSourceFile `json:"files"`
	// BuildDepends is the package's Build-Depends (with -Arch and -Indep)
	// as the Sources index writes them.
	BuildDepends string `json:"build_depends,omitempty"`
}

// LockedSourceFile is one file of a locked source package.
type LockedSourceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// SourceKey names a source package in the lockfile: "dash 0.5.12-2".
func SourceKey(name, version string) string { return name + " " + version }

// SetSource pins a source package.
func (l *Lockfile) SetSource(key string, s LockedSource) {
	if l.Sources == nil {
		l.Sources = map[string]LockedSource{}
	}
	l.Sources[key] = s
}

// Source returns a pinned source package.
func (l *Lockfile) Source(key string) (LockedSource, error) {
	s, ok := l.Sources[key]
	if !ok {
		return LockedSource{}, fmt.Errorf("the lockfile has no source package %s", key)
	}
	return s, nil
}

// validateSources checks that each pinned source has a .dsc and well-formed
// files.
func (l *Lockfile) validateSources() error {
	for key, s := range l.Sources {
		dsc := false
		for _, f := range s.Files {
			if f.Name == "" || strings.ContainsAny(f.Name, "/\x00") || len(f.SHA256) != 64 || f.Size < 0 {
				return fmt.Errorf("lockfile: source %s: invalid file %+v", key, f)
			}
			dsc = dsc || strings.HasSuffix(f.Name, ".dsc")
		}
		if !dsc || s.Directory == "" || strings.Contains(s.Directory, "..") {
			return fmt.Errorf("lockfile: source %s: no .dsc, or an invalid directory %q", key, s.Directory)
		}
	}
	return nil
}
