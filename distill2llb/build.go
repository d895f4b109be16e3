package distill2llb

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// The mounts of a build step: the source tree, where steps run and build,
// and the tree they install into, which becomes the package.
const (
	srcDir  = "/src"
	destDir = "/out"
)

// lowering lowers the packages built from source that one Image or Deb
// takes, for its one platform. Each package's tree and split are made once
// and each output's layer once, however many outputs, sandboxes and test
// images take them: BuildKit would merge the copies by digest, but the
// frontend's time and memory would grow with the package graph. It lives
// for one lowering, so it needs no key for the platform.
type lowering struct {
	opt    Options
	trees  map[*plan.Build]*tree
	splits map[*plan.Build]map[string]llb.State
	layers map[plan.Output]llb.State
}

func newLowering(opt Options) *lowering {
	return &lowering{opt: opt, trees: map[*plan.Build]*tree{}, splits: map[*plan.Build]map[string]llb.State{}, layers: map[plan.Output]llb.State{}}
}

// built lowers what an image or sandbox takes of a package built from
// source, for one platform, to its layer: what the steps install into
// $DESTDIR (or the part a subpackage takes), stamped with the epoch, with a
// status.d record so scanners list it. The package's own layer depends on
// its tests.
func (l *lowering) built(o plan.Output) (llb.State, error) {
	if layer, ok := l.layers[o]; ok {
		return layer, nil
	}
	opt := l.opt
	b, p := o.Build, o.Build.Package
	loc := location(opt.SourceMap, p.DeclRange)
	t, err := l.buildTree(b)
	if err != nil {
		return llb.State{}, err
	}
	files, name, depends := t.out, o.Name(), p.Runtime
	if len(p.Subpackages) > 0 {
		files = l.split(b, t)[o.Sub]
		if o.Sub != "" {
			depends = []string{fmt.Sprintf("%s (= %s)", p.Name, p.Version)}
		}
	}
	// The steps' mtimes are the build's; the layer's are the epoch.
	record := statusRecord(name, p.Name, p.Version, arch.ForPlatform(opt.Platform), depends)
	// Staged, then copied into scratch stamping every path with the epoch:
	// writing the record touches its directories' mtimes.
	epoch := llb.WithCreatedTime(opt.Epoch)
	sums := md5sums(b, t, files, name, opt)
	staging := llb.Scratch().File(llb.Copy(files, "/", "/", &llb.CopyInfo{CopyDirContentsOnly: true}).
		Mkdir("/var/lib/dpkg/status.d", 0o755, llb.WithParents(true), epoch).
		Mkfile("/var/lib/dpkg/status.d/"+name, 0o644, []byte(record), epoch).
		Copy(sums, "/"+name+".md5sums", "/var/lib/dpkg/status.d/"+name+".md5sums"),
		llb.WithCustomName(t.label+" stage package "+name), loc)
	stamp := &llb.CopyInfo{CopyDirContentsOnly: true, CreatedTime: &opt.Epoch}
	layer := llb.Scratch().File(llb.Copy(staging, "/", "/", stamp), llb.WithCustomName(t.label+" package "+name), loc)
	if p.Test != nil && o.Sub == "" {
		marker, err := l.tested(b, layer, t.label)
		if err != nil {
			return llb.State{}, err
		}
		// The same copy, with the tests' empty output copied in too: one
		// layer still, that cannot be built before the tests pass.
		layer = llb.Scratch().File(llb.Copy(staging, "/", "/", stamp).Copy(marker, "/", "/", &llb.CopyInfo{CopyDirContentsOnly: true}),
			llb.WithCustomName(t.label+" package "+name+", tested"), loc)
	}
	l.layers[o] = layer
	return layer, nil
}

// md5sums lists the md5 sum of every regular file of a package's layer,
// as dpkg's <pkg>.md5sums does (sorted, paths without the leading slash),
// so that scanners and distill inspect know which files are the package's.
// It runs in the package's sandbox, which has coreutils and findutils.
func md5sums(b *plan.Build, t *tree, files llb.State, name string, opt Options) llb.State {
	run := t.root.Run(
		llb.Args([]string{"/bin/sh", "-ec", `cd /files
find . -type f -print0 | LC_ALL=C sort -z | xargs -0r md5sum | sed 's#  \./#  #' > "/sums/$1.md5sums"`, "md5sums", name}),
		llb.AddMount("/files", files, llb.Readonly),
		llb.Network(llb.NetModeNone), llb.Platform(t.platform),
		location(opt.SourceMap, b.Package.DeclRange),
		llb.WithCustomName(t.label+" md5sums of "+name))
	return run.AddMount("/sums", llb.Scratch())
}

// split divides a package's output among its subpackages by their globs,
// in order, in one exec of the sandbox's bash (globstar, so "**" spans
// directories); the package keeps the rest, under "".
func (l *lowering) split(b *plan.Build, t *tree) map[string]llb.State {
	if parts, ok := l.splits[b]; ok {
		return parts
	}
	p, opt := b.Package, l.opt
	// The globs are arguments, never part of the script: "--" separates
	// one subpackage's from the next.
	args := []string{"/bin/bash", "-ec", `shopt -s globstar nullglob dotglob
IFS=
cp -a /out/. /split/main/
cd /split/main
sub=
for arg in "$@"; do
  case $arg in
  --sub=*) sub=/split/${arg#--sub=}; mkdir -p "$sub"; continue ;;
  esac
  for f in $arg; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    mkdir -p "$sub/$(dirname "$f")"
    mv "$f" "$sub/$f"
  done
done`, "split"}
	for _, sp := range p.Subpackages {
		args = append(args, "--sub="+sp.Name)
		args = append(args, sp.Paths...)
	}
	run := t.root.Run(append(sandboxEnv(opt), llb.Args(args),
		llb.AddMount("/out", t.out, llb.Readonly),
		llb.Network(llb.NetModeNone), llb.Platform(t.platform),
		location(opt.SourceMap, p.Subpackages[0].Range),
		llb.WithCustomName(t.label+" split into subpackages"))...)
	out := map[string]llb.State{"": run.AddMount("/split/main", llb.Scratch())}
	for _, sp := range p.Subpackages {
		out[sp.Name] = run.AddMount("/split/"+sp.Name, llb.Scratch())
	}
	l.splits[b] = out
	return out
}

// tree is a package built for one platform: its sandbox (with the packages
// it requires installed), and what its steps installed into $DESTDIR.
type tree struct {
	root, out llb.State
	label     string // "[hello 2.10 linux/amd64]", the prefix of its ops' names
	// platform is the sandbox's: the target's, or the build platform's
	// for a cross build.
	platform ocispecs.Platform
}

// buildTree makes a package's sandbox and source tree and runs its steps,
// one ExecOp each, so a changed step reruns from there on and the steps
// before it come from cache.
func (l *lowering) buildTree(b *plan.Build) (*tree, error) {
	if t, ok := l.trees[b]; ok {
		return t, nil
	}
	p, opt := b.Package, l.opt
	root, err := sandbox(b, opt, location(opt.SourceMap, p.Build.Range))
	if err != nil {
		return nil, err
	}
	if len(b.Deps) > 0 {
		// The packages built from source that this one requires, installed
		// over the sandbox as they are installed in images.
		layers := []llb.State{root}
		var names []string
		for _, dep := range b.Deps {
			layer, err := l.built(dep)
			if err != nil {
				return nil, err
			}
			layers = append(layers, layer)
			name := dep.Build.Package.Name
			if dep.Sub != "" {
				name += "." + dep.Sub // as requires names it: zlib.dev
			}
			names = append(names, name)
		}
		root = llb.Merge(layers, llb.WithCustomNamef("[%s %s] sandbox with %s", p.Name, p.Version, strings.Join(names, ", ")))
	}
	plat := platforms.Format(opt.Platform)
	label := fmt.Sprintf("[%s %s %s]", p.Name, p.Version, plat)
	// What runs in the sandbox runs on its platform: the target's, or the
	// build platform's for a cross build.
	sopt := opt
	if b.HostArch != "" {
		sopt.Platform = opt.Helper.Platform
	}
	src := llb.Scratch()
	for _, s := range p.Sources {
		src = addSource(src, root, s, b, sopt, label)
	}
	for _, pt := range p.Patches {
		// One patch, one exec, named for the patch: a patch that does not
		// apply fails there, with patch's report of the hunk.
		file := llb.Scratch().File(llb.Copy(opt.Contexts[""], pt.Path, "/"+path.Base(pt.Path)),
			llb.WithCustomName(label+" load "+pt.Path), location(opt.SourceMap, pt.Range))
		run := root.Run(append(sandboxEnv(opt),
			llb.Args([]string{"patch", "-p1", "--forward", "--batch", "--no-backup-if-mismatch", "-i", "/patch/" + path.Base(pt.Path)}),
			llb.AddMount("/patch", file, llb.Readonly),
			llb.Dir(srcDir),
			llb.Network(llb.NetModeNone), llb.Platform(sopt.Platform),
			location(opt.SourceMap, pt.Range),
			llb.WithCustomName(label+" apply "+pt.Path))...)
		src = run.AddMount(srcDir, src)
	}
	out := llb.Scratch()
	var caches []llb.RunOption
	for _, c := range p.Build.Caches {
		// Keyed by path alone: compiler and module caches are keyed by
		// content, so packages may share them, and concurrent builds too.
		caches = append(caches, llb.AddMount(c, llb.Scratch(), llb.AsPersistentCacheDir("distill:"+c, llb.CacheMountShared)))
	}
	wrapper := stepWrapper
	if b.HostArch != "" {
		wrapper = crossWrapper(b.HostArch)
	}
	if opt.NoCache != nil && (opt.NoCache(p.Name) || opt.NoCache("package."+p.Name)) {
		caches = append(caches, llb.IgnoreCache)
	}
	for _, step := range p.Build.Steps {
		run := root.Run(append(append(stepEnv(p, opt), caches...),
			// The user's step runs in a shell of its own with Debian's
			// build flags (-ffile-prefix-map among them, for reproducible
			// binaries) and the DEB_* triplets exported, when the sandbox
			// has dpkg-dev to print them.
			llb.Args([]string{"/bin/sh", "-c", wrapper, step.Run}),
			llb.Dir(srcDir),
			network(p.Build.Network),
			llb.Platform(sopt.Platform),
			location(opt.SourceMap, step.Range),
			llb.WithCustomName(label+" "+firstLine(step.Run)))...)
		src = run.AddMount(srcDir, src)
		out = run.AddMount(destDir, out)
	}
	t := &tree{root: root, out: out, label: label, platform: sopt.Platform}
	l.trees[b] = t
	return t, nil
}

// tested runs a package's test steps in a throwaway image of its runtime
// closure, busybox and layer, and returns their empty output: a state that
// exists only once every step has passed.
func (l *lowering) tested(b *plan.Build, layer llb.State, label string) (llb.State, error) {
	p, opt := b.Package, l.opt
	loc := location(opt.SourceMap, p.Test.Range)
	debs, err := packageLayers([][]plan.Package{b.TestDebs}, opt, loc)
	if err != nil {
		return llb.State{}, err
	}
	_, order := packageOrder([][]plan.Package{b.TestDebs})
	layers := make([]llb.State, 0, len(order)+len(b.Runtime)+1)
	for _, k := range order {
		layers = append(layers, debs[k])
	}
	for _, dep := range b.Runtime {
		dl, err := l.built(dep)
		if err != nil {
			return llb.State{}, err
		}
		layers = append(layers, dl)
	}
	root := llb.Merge(append(layers, layer), llb.WithCustomName(label+" test image"), loc)
	// busybox's applets under /busybox, last on PATH, as distroless's debug
	// images have them: tests can grep and test without a Debian shell.
	root = root.Run(llb.Args([]string{"/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /busybox && /bin/busybox --install -s /busybox"}),
		llb.Network(llb.NetModeNone), llb.Platform(opt.Platform), loc,
		llb.WithCustomName(label+" test image: busybox applets")).Root()
	var marker llb.State
	for _, step := range p.Test.Steps {
		run := root.Run(
			llb.Args([]string{"/bin/busybox", "sh", "-ec", step.Run}),
			llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox"),
			llb.AddEnv("SOURCE_DATE_EPOCH", fmt.Sprint(opt.Epoch.Unix())),
			llb.Network(llb.NetModeNone), llb.Platform(opt.Platform),
			location(opt.SourceMap, step.Range),
			llb.WithCustomName(label+" test: "+firstLine(step.Run)))
		root = run.Root()
		marker = run.AddMount("/tested", llb.Scratch())
	}
	return marker, nil
}

// stepWrapper exports Debian's build flags and architecture triplets, then
// runs the step ($0) with -e, so a failing command fails the step.
const stepWrapper = `if command -v dpkg-buildflags >/dev/null; then eval "$(dpkg-buildflags --export=sh)"; fi
if command -v dpkg-architecture >/dev/null; then eval "$(dpkg-architecture -s)"; fi
exec /bin/sh -ec "$0"`

// crossWrapper is stepWrapper for a cross build to host: the triplets and
// flags are host's, and CC, CXX and PKG_CONFIG name its cross tools.
func crossWrapper(host string) string {
	return `eval "$(dpkg-architecture -a` + host + ` -s 2>/dev/null)"
eval "$(dpkg-buildflags --export=sh)"
export CC="$DEB_HOST_GNU_TYPE-gcc" CXX="$DEB_HOST_GNU_TYPE-g++" PKG_CONFIG="$DEB_HOST_GNU_TYPE-pkg-config"
exec /bin/sh -ec "$0"`
}

// stepEnv is a step's environment, sorted: the sandbox's, $DESTDIR, the
// platform variables a Dockerfile has, and the package's own.
func stepEnv(p *definition.Package, opt Options) []llb.RunOption {
	env := sandboxEnv(opt)
	plat := platforms.Format(opt.Platform)
	build := plat
	if opt.Helper != nil {
		build = platforms.Format(opt.Helper.Platform)
	}
	env = append(env,
		llb.AddEnv("DESTDIR", destDir),
		llb.AddEnv("TARGETPLATFORM", plat),
		llb.AddEnv("TARGETOS", opt.Platform.OS),
		llb.AddEnv("TARGETARCH", opt.Platform.Architecture),
		llb.AddEnv("TARGETVARIANT", opt.Platform.Variant),
		llb.AddEnv("BUILDPLATFORM", build),
		llb.AddEnv("HOME", "/root"),
	)
	if len(p.Build.Profiles) > 0 {
		env = append(env, llb.AddEnv("DEB_BUILD_PROFILES", strings.Join(p.Build.Profiles, " ")))
	}
	for _, e := range p.Build.Env {
		env = append(env, llb.AddEnv(e.Name, e.Value))
	}
	return env
}

func network(on bool) llb.RunOption {
	if on {
		return llb.Network(llb.NetModeHost)
	}
	return llb.Network(llb.NetModeNone)
}

// addSource adds one source to the tree, below its dest.
func addSource(src, root llb.State, s *definition.Source, b *plan.Build, opt Options, label string) llb.State {
	dest := path.Join(srcDir, s.Dest)
	loc := location(opt.SourceMap, s.Range)
	switch s.Kind {
	case definition.SourceHTTP:
		h := s.HTTP
		// Pinned by its checksum: BuildKit checks the bytes, a wrong sum
		// fails at this source's line, and the cache key needs no network.
		dl := llb.HTTP(h.URL, llb.Checksum(digest.Digest(h.Digest)), llb.Filename(h.FileName()),
			llb.WithCustomName(label+" fetch "+h.URL), loc)
		if !h.IsArchive() {
			return src.File(llb.Copy(dl, h.FileName(), path.Join(s.Dest, h.FileName()), &llb.CopyInfo{CreateDestPath: true}),
				llb.WithCustomName(label+" add "+h.FileName()), loc)
		}
		run := root.Run(append(sandboxEnv(opt),
			llb.Args([]string{"/bin/sh", "-ec", `mkdir -p "$1" && tar -xf "$2" -C "$1" --strip-components="$3" --no-same-owner`,
				"unpack", dest, "/dl/" + h.FileName(), strconv.Itoa(h.Strip)}),
			llb.AddMount("/dl", dl, llb.Readonly),
			llb.Network(llb.NetModeNone), llb.Platform(opt.Platform), loc,
			llb.WithCustomName(label+" unpack "+h.FileName()))...)
		return run.AddMount(srcDir, src)
	case definition.SourceGit:
		g := s.Git
		ref := g.Commit
		if g.Tag != "" {
			ref = g.Tag
		}
		// The checksum makes BuildKit refuse a ref that does not resolve to
		// the written commit: a moved tag fails the build at this line.
		repo := llb.Git(g.URL, "", llb.GitRef(ref), llb.GitChecksum(g.Commit),
			llb.WithCustomName(label+" fetch "+g.URL+" "+ref), loc)
		return src.File(llb.Copy(repo, "/", path.Join("/", s.Dest), &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true}),
			llb.WithCustomName(label+" add "+g.URL), loc)
	case definition.SourceContext:
		c := s.Context
		ctx, ok := opt.Contexts[c.Name]
		if !ok {
			ctx = llb.Scratch() // the frontend loads every context a package names
		}
		return src.File(llb.Copy(ctx, c.Path, path.Join("/", s.Dest), &llb.CopyInfo{CopyDirContentsOnly: true, CreateDestPath: true, AllowWildcard: false}),
			llb.WithCustomName(label+" add "+s.Name()), loc)
	case definition.SourceDebian:
		// Each file pinned by the sha256 the verified Sources index lists;
		// dpkg-source checks them against the .dsc again and applies the
		// quilt series.
		var c chain
		dsc := ""
		for _, f := range b.Debian[s] {
			dl := opt.archiveHTTP(f.URL, f.SHA256, f.Name, llb.WithCustomName(label+" fetch "+f.Name), loc)
			c.copy(dl, f.Name, "/"+f.Name)
			if f.IsDSC() {
				dsc = f.Name
			}
		}
		if c.fa == nil {
			return src
		}
		files := llb.Scratch().File(c.fa, llb.WithCustomName(label+" collect "+s.Name()), loc)
		run := root.Run(append(sandboxEnv(opt),
			llb.Args([]string{"/bin/sh", "-ec", `dpkg-source -x "/dl/$2" /tmp/source >/dev/null
mkdir -p "$1" && cp -a /tmp/source/. "$1"/`, "unpack", dest, dsc}),
			llb.AddMount("/dl", files, llb.Readonly),
			llb.Network(llb.NetModeNone), llb.Platform(opt.Platform), loc,
			llb.WithCustomName(label+" dpkg-source -x "+dsc))...)
		return run.AddMount(srcDir, src)
	case definition.SourceInline:
		epoch := llb.WithCreatedTime(opt.Epoch)
		var c chain
		for _, f := range s.Inline.Files {
			p := path.Join("/", s.Dest, f.Path)
			if dir := path.Dir(p); dir != "/" {
				c.mkdir(dir, 0o755, llb.WithParents(true), epoch)
			}
			c.mkfile(p, 0o644, []byte(f.Content), epoch)
		}
		fa := c.fa
		if fa == nil {
			return src
		}
		return src.File(fa, llb.WithCustomName(label+" inline source"), loc)
	}
	return src
}

// statusRecord is a /var/lib/dpkg/status.d record, which scanners read to
// list the package: a subpackage names the package it was split from as
// its Source, as dpkg does for binary packages of one source.
func statusRecord(name, source, version, debArch string, depends []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Package: %s\n", name)
	if source != name {
		fmt.Fprintf(&b, "Source: %s\n", source)
	}
	fmt.Fprintf(&b, "Version: %s\nArchitecture: %s\n", version, debArch)
	if len(depends) > 0 {
		fmt.Fprintf(&b, "Depends: %s\n", strings.Join(depends, ", "))
	}
	fmt.Fprintf(&b, "Maintainer: distill\nDescription: %s, built from source by distill\n", name)
	return b.String()
}

// firstLine is a step's first line, for progress output.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
