// Package distill2llb lowers a planned definition to BuildKit LLB: one state and one
// image config per image and platform. It knows nothing of the gateway.
package distill2llb

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"

	"github.com/distill-build/distill/plan"

	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options are the inputs of a lowering that do not come from the definition.
type Options struct {
	Platform ocispecs.Platform
	// Epoch is the time stamped on every generated file and on the config
	// (SOURCE_DATE_EPOCH), so that equal inputs give equal digests.
	Epoch time.Time
	// Context is the build context that `source` paths name.
	Context llb.State
	// Contexts are the contexts packages take sources from, by name: ""
	// for the main build context, or a named one (--build-context).
	Contexts map[string]llb.State
	// SourceMap, when set, ties operations to their lines in the definition
	// so BuildKit shows the snippet when one fails.
	SourceMap *llb.SourceMap
	// Packages are the solved .debs for this platform, in groups: each
	// group is unpacked by one run of the helper, one layer per package.
	// Groups an image shares with the image it extends make the same LLB,
	// so BuildKit unpacks them once for both.
	Packages [][]plan.Package
	// CACertificates, when set, is the ca-certificates package whose
	// certificates make the image's CA bundle and Java trust store.
	CACertificates *plan.Package
	// Built are the packages built from source that the image takes, with
	// their sandboxes: one layer each, after the Debian packages.
	Built []plan.Output
	// Helper runs inside builds; needed when there are packages.
	Helper *Helper
	// Moved maps the URL of an archive file (a .deb, a source package's
	// file) that its mirror failed to serve to where to fetch it instead:
	// the repository's snapshot (see plan.SnapshotURL). The sha256 pins
	// the bytes wherever they come from.
	Moved map[string]string
	// NoCache, when set, says whether --no-cache-filter names a target:
	// a package named there ("hello" or "package.hello") runs its steps
	// again.
	NoCache func(name string) bool
	// Base, when set, is an image the image is built on, from a named
	// context that replaces an image it extends (--build-context NAME=…,
	// as a Dockerfile's FROM NAME): its layers come first, with its
	// history, and Packages and Built then hold only what the replaced
	// image did not.
	Base *BaseImage
}

// BaseImage is an image from outside the definition an image is built on.
type BaseImage struct {
	State   llb.State
	History []ocispecs.History
}

// archiveHTTP fetches an archive file pinned by its sha256: from its
// mirror, unless that failed and the file has moved. A moved file's
// download differs in its mode too: BuildKit keys a pinned download by
// name, mode and sha256, not URL, and would otherwise merge it with the
// failed one and fail again.
func (o Options) archiveHTTP(u, sha256, name string, opts ...llb.HTTPOption) llb.State {
	opts = append(opts, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, sha256)), llb.Filename(name))
	if m, ok := o.Moved[u]; ok {
		u = m
		opts = append(opts, llb.Chmod(0o644))
	}
	return llb.HTTP(u, opts...)
}

// Image lowers one image for one platform: the layers Layers decides, one
// per package (or merged for the layer budget), group by group, then the
// CA files, the packages built from source and one layer of the declared
// files, merged.
func Image(img *definition.Image, opt Options) (llb.State, *dockerspec.DockerOCIImage, error) {
	layout, err := Layers(img, plan.Debs{Groups: opt.Packages, CA: opt.CACertificates, Built: opt.Built})
	if err != nil {
		return llb.State{}, nil, err
	}
	debs, err := packageLayers(opt.Packages, opt, location(opt.SourceMap, img.AttrRange(definition.AttrPackages)))
	if err != nil {
		return llb.State{}, nil, err
	}
	lower := newLowering(opt)
	layers := make([]llb.State, 0, len(layout.Layers))
	history := make([]string, 0, len(layout.Layers))
	for _, l := range layout.Layers {
		var st llb.State
		switch l.Kind {
		case LayerPackage:
			st = debs[l.debs[0]]
		case LayerMerged:
			st = mergedLayer(img.Name, l, debs, layout.debBudget)
		case LayerCABundle, LayerJavaTrustStore:
			if opt.Helper == nil {
				return llb.State{}, nil, fmt.Errorf("the CA certificates need the in-build helper, and this build has none")
			}
			java := l.Kind == LayerJavaTrustStore
			attr := definition.AttrCACertificates
			if java {
				attr = definition.AttrJavaCACerts
			}
			st = caBundle(*opt.CACertificates, opt, location(opt.SourceMap, img.AttrRange(attr)), java)
		case LayerBuilt:
			if st, err = lower.built(*l.Built); err != nil {
				return llb.State{}, nil, err
			}
		case LayerFiles:
			if st, err = files(img, opt); err != nil {
				return llb.State{}, nil, err
			}
		default:
			return llb.State{}, nil, fmt.Errorf("image %s: unknown layer kind %q", img.Name, l.Kind)
		}
		layers, history = append(layers, st), append(history, l.History())
	}
	if opt.Base != nil {
		layers = append([]llb.State{opt.Base.State}, layers...)
	}
	var st llb.State
	switch len(layers) {
	case 0:
		st = llb.Scratch()
	case 1:
		st = layers[0]
	default:
		st = llb.Merge(layers, llb.WithCustomNamef("[%s] merge %d layers", img.Name, len(layers)))
	}
	return st.Platform(opt.Platform), config(img, history, opt), nil
}

// files builds the one layer of declared entries. The entries are made in a
// staging state, then copied into scratch in one action: creating a child
// touches its parent's mtime, and the copy stamps every path with the epoch
// after its children. Implicit parent directories are declared explicitly so
// that their owner and mode are fixed too.
func files(img *definition.Image, opt Options) (llb.State, error) {
	st := llb.Scratch()
	if len(img.Entries) == 0 {
		return st, nil
	}
	var c chain
	epoch := llb.WithCreatedTime(opt.Epoch)
	for _, e := range withParents(img.Entries) {
		if e.Mode&^0o777 != 0 && e.Kind != definition.KindSymlink {
			// Mkdir and Mkfile keep only the permission bits; a copy
			// applies setuid, setgid and sticky bits too.
			c.copy(staged(e, opt), "/"+path.Base(e.Path), e.Path, copyInfo(e, opt))
			continue
		}
		owner := llb.WithUIDGID(e.UID, e.GID)
		switch e.Kind {
		case definition.KindDirectory:
			c.mkdir(e.Path, e.Mode, owner, epoch)
		case definition.KindSymlink:
			c.symlink(e.Target, e.Path, owner, epoch)
		case definition.KindFile:
			if e.Source == "" {
				c.mkfile(e.Path, e.Mode, e.Content, owner, epoch)
				break
			}
			c.copy(opt.Context, e.Source, e.Path, sourceCopyInfo(e, opt))
		default:
			return llb.State{}, fmt.Errorf("%s: unknown entry kind %v", e.Range, e.Kind)
		}
	}
	staging := llb.Scratch().File(c.fa, llb.WithCustomNamef("[%s] stage files", img.Name), location(opt.SourceMap, img.DeclRange))
	return st.File(llb.Copy(staging, "/", "/", &llb.CopyInfo{CopyDirContentsOnly: true, CreatedTime: &opt.Epoch}),
		llb.WithCustomNamef("[%s] files", img.Name), location(opt.SourceMap, img.DeclRange)), nil
}

// copyInfo copies with the entry's owner, full mode and the epoch.
func copyInfo(e *definition.Entry, opt Options) *llb.CopyInfo {
	return &llb.CopyInfo{
		Mode:        &llb.ChmodOpt{Mode: e.Mode}, // marshalled as raw Unix bits
		ChownOpt:    &llb.ChownOpt{User: &llb.UserOpt{UID: e.UID}, Group: &llb.UserOpt{UID: e.GID}},
		CreatedTime: &opt.Epoch,
	}
}

// sourceCopyInfo copies a file from the build context as copyInfo does,
// following a symlink at source as Dockerfile COPY does (BuildKit resolves
// it inside the context; the frontend has refused one that leaves it), so
// that the image gets the file, not a link to a path on the client.
func sourceCopyInfo(e *definition.Entry, opt Options) *llb.CopyInfo {
	ci := copyInfo(e, opt)
	ci.FollowSymlinks = true
	return ci
}

// staged makes an entry with special mode bits in a state of its own, to be
// copied into place.
func staged(e *definition.Entry, opt Options) llb.State {
	p := "/" + path.Base(e.Path)
	epoch := llb.WithCreatedTime(opt.Epoch)
	if e.Kind == definition.KindDirectory {
		return llb.Scratch().File(llb.Mkdir(p, 0o755, epoch))
	}
	if e.Source != "" {
		return llb.Scratch().File(llb.Copy(opt.Context, e.Source, p, &llb.CopyInfo{CreatedTime: &opt.Epoch, FollowSymlinks: true}))
	}
	return llb.Scratch().File(llb.Mkfile(p, 0o644, e.Content, epoch))
}

// withParents returns the entries plus a root-owned 0755 directory for every
// ancestor that was not declared, sorted by path so parents come first.
func withParents(entries []*definition.Entry) []*definition.Entry {
	declared := map[string]bool{}
	for _, e := range entries {
		declared[e.Path] = true
	}
	out := append([]*definition.Entry(nil), entries...)
	for _, e := range entries {
		for dir := path.Dir(e.Path); dir != "/" && !declared[dir]; dir = path.Dir(dir) {
			declared[dir] = true
			out = append(out, &definition.Entry{Kind: definition.KindDirectory, Path: dir, Mode: 0o755, Range: e.Range})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// chain builds a sequence of file actions: BuildKit chains an action to its
// predecessor through methods, and the first one has none.
type chain struct{ fa *llb.FileAction }

func (c *chain) mkdir(p string, m fs.FileMode, opts ...llb.MkdirOption) {
	if c.fa == nil {
		c.fa = llb.Mkdir(p, m, opts...)
	} else {
		c.fa = c.fa.Mkdir(p, m, opts...)
	}
}

func (c *chain) mkfile(p string, m fs.FileMode, dt []byte, opts ...llb.MkfileOption) {
	if c.fa == nil {
		c.fa = llb.Mkfile(p, m, dt, opts...)
	} else {
		c.fa = c.fa.Mkfile(p, m, dt, opts...)
	}
}

func (c *chain) symlink(target, p string, opts ...llb.SymlinkOption) {
	if c.fa == nil {
		c.fa = llb.Symlink(target, p, opts...)
	} else {
		c.fa = c.fa.Symlink(target, p, opts...)
	}
}

func (c *chain) copy(from llb.State, src, dst string, opts ...llb.CopyOption) {
	if c.fa == nil {
		c.fa = llb.Copy(from, src, dst, opts...)
	} else {
		c.fa = c.fa.Copy(from, src, dst, opts...)
	}
}

// location ties an operation to a range of the definition.
func location(sm *llb.SourceMap, r hcl.Range) llb.ConstraintsOpt {
	return sm.Location([]*pb.Range{Range(r)})
}

// Range converts an HCL range to BuildKit's: lines are 1-based in both,
// characters 0-based in BuildKit.
func Range(r hcl.Range) *pb.Range {
	return &pb.Range{
		Start: &pb.Position{Line: int32(r.Start.Line), Character: int32(r.Start.Column - 1)},
		End:   &pb.Position{Line: int32(r.End.Line), Character: int32(r.End.Column - 1)},
	}
}
