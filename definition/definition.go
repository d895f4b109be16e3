// Package definition turns a distill definition (HCL) into a typed model. It knows
// nothing about BuildKit: every value keeps the source range it came from so
// that later stages can report errors against the definition.
package definition

import (
	"io/fs"

	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/zclconf/go-cty/cty"
)

// Definition is a decoded distill file.
type Definition struct {
	Filename     string
	Variables    []*Variable
	Repositories []*Repository
	Packages     []*Package // built from source
	Images       []*Image   // as written; plan.Lower applies from, accounts and owners
}

// Image returns the image block with the given name, or nil.
func (d *Definition) Image(name string) *Image {
	for _, img := range d.Images {
		if img.Name == name {
			return img
		}
	}
	return nil
}

// Package returns the package block with the given name, or nil.
func (d *Definition) Package(name string) *Package {
	for _, p := range d.Packages {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Variable is a `variable "NAME" { default = … }` block after overrides.
type Variable struct {
	Name        string
	Description string
	Default     cty.Value
	Value       cty.Value // Default, or the override from a build argument
	Overridden  bool      // by a build argument
	Filled      bool      // from Options.Defaults
	Used        bool      // referenced from any expression in the file
	DeclRange   hcl.Range
}

// Image is an `image "NAME" { … }` block.
type Image struct {
	Name        string
	Description string
	Platforms   []ocispecs.Platform // empty: whatever the build asks for
	Env         []EnvVar            // sorted by name
	Entrypoint  []string            // nil when unset
	Cmd         []string            // nil when unset
	Workdir     string
	User        string
	Labels      map[string]string
	Annotations map[string]string
	Entries     []*Entry     // sorted by path
	Accounts    *Accounts    // nil when no accounts block applies
	Packages    []string     // Debian package requests, in order (after plan.Lower, inherited ones first)
	Built       []PackageRef // packages built from source (package.NAME), in order
	Exclude     []string     // packages kept out of the closure
	From        []string     // the images this one extends, later ones winning
	// CACertificates adds /etc/ssl/certs/ca-certificates.crt, built from the
	// ca-certificates package without installing it.
	CACertificates bool
	// JavaCACerts adds /etc/ssl/certs/java/cacerts, the same certificates as
	// a Java trust store (what ca-certificates-java's maintainer script makes).
	JavaCACerts bool
	// LayerBudget caps the image's layers (0: DefaultLayerBudget): one per
	// package is right for small updates, but Docker refuses images deeper
	// than about 125 layers.
	LayerBudget int

	DeclRange hcl.Range          // the block header
	Attrs     map[Attr]hcl.Range // range of every attribute that was set
}

// DefaultLayerBudget leaves room under Docker's limit of about 125 layers
// for 25 more of an image built on this one.
const DefaultLayerBudget = 100

// Budget is the image's layer budget.
func (img *Image) Budget() int {
	if img.LayerBudget == 0 {
		return DefaultLayerBudget
	}
	return img.LayerBudget
}

// NeedsCA says whether the image takes certificates from ca-certificates.
func (img *Image) NeedsCA() bool { return img.CACertificates || img.JavaCACerts }

// NeedsArchive says whether the image takes anything from a repository
// (a package built from source needs at least its build sandbox).
func (img *Image) NeedsArchive() bool {
	return len(img.Packages) > 0 || len(img.Built) > 0 || img.NeedsCA()
}

// PackageRef is a reference to a package block, package.NAME, or to one of
// its subpackages, package.NAME.SUB.
type PackageRef struct {
	Name  string
	Sub   string // "" for the package itself
	Range hcl.Range
}

// Key names what the reference takes: "zlib", or "zlib.dev".
func (r PackageRef) Key() string {
	if r.Sub == "" {
		return r.Name
	}
	return r.Name + "." + r.Sub
}

// AttrRange is the range of the named attribute, or of the block header when
// the attribute was not set.
func (img *Image) AttrRange(a Attr) hcl.Range {
	if r, ok := img.Attrs[a]; ok {
		return r
	}
	return img.DeclRange
}

// EnvVar is one environment variable of an image config.
type EnvVar struct {
	Name, Value string
}

// EntryKind says what a filesystem entry of an image is.
type EntryKind int

const (
	KindFile EntryKind = iota
	KindDirectory
	KindSymlink
)

func (k EntryKind) String() string {
	return [...]string{"file", "directory", "symlink"}[k]
}

// Entry is a declared path in an image: a `file`, `directory` or `symlink` block.
type Entry struct {
	Kind    EntryKind
	Path    string // absolute and clean
	Content []byte // file: inline content (when Source is empty)
	Source  string // file: a path in the build context
	// SourceRange is where source is set: a source the context lacks, or
	// that is no file, is reported there.
	SourceRange hcl.Range
	Target      string      // symlink: where it points
	Mode        fs.FileMode // Unix permission bits, 0 to 07777
	UID         int
	GID         int
	// Owner is the owner as written when it names a user or group; UID
	// and GID are set from the image's accounts once they are merged.
	Owner      string
	OwnerRange hcl.Range

	Range hcl.Range // the block header
}
