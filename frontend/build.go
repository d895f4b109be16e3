// Package frontend is distill's BuildKit gateway frontend: it reads the
// definition through dockerui (filename, build args, target, platforms),
// answers subrequests, and solves one image per requested platform.
package frontend

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/helper"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/frontend/linter"
	"github.com/hashicorp/hcl/v2"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	commonexptypes "github.com/moby/buildkit/exporter/exptypes"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Language names the definition's language in source maps (as linguist does).
const Language = "HCL"

// Build is the gateway BuildFunc.
func Build(ctx context.Context, c client.Client) (_ *client.Result, err error) {
	defer func() { err = detached(err) }()
	bc, err := dockerui.NewClient(c)
	if err != nil {
		return nil, fmt.Errorf("reading frontend options: %w", err)
	}
	// Transfer the lockfile with the definition: it sits next to it.
	filename := bc.BuildOpts().Opts["filename"]
	if filename == "" {
		filename = dockerui.DefaultDockerfileName // as dockerui defaults it
	}
	src, err := bc.ReadEntrypoint(ctx, Language,
		llb.FollowPaths([]string{filename, filename + ".dockerignore", lockfile.Name(filename)}))
	if err != nil {
		return nil, err
	}
	// Targets and outline answer from the definition as written; lint rules
	// and builds see it lowered (an image runs as the user it inherits), with
	// ranges that still point at the lines that say so.
	written, diags := definition.Parse(src.Filename, src.Data, definition.Options{Args: bc.BuildArgs})
	if diags.HasErrors() {
		return nil, diagnosticsError(diags, src.SourceMap)
	}
	for _, msg := range undeclaredArgs(written, bc.BuildArgs) {
		src.Warn(ctx, msg, client.WarnOpts{})
	}
	def, lowerDiags := plan.Lower(written)
	lintCfg, err := linter.ConfigFor(bc.LinterConfig, src.Filename, src.Data)
	if err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}
	lt := linter.New(lintCfg)

	// dockerui answers the outline request with BuildKit's outline alone;
	// ours has the layers too, in a result of our own (see outlineVersion).
	var layered *layeredOutline
	if res, ok, err := bc.HandleSubrequest(ctx, dockerui.RequestHandler{
		ListTargets: func(context.Context) (*targetsList, error) { return listTargets(written, src.SourceMap), nil },
		Outline: func(ctx context.Context) (*outlineT, error) {
			var err error
			if layered, err = outlineWithLayers(ctx, bc, c, written, def, lowerDiags, src); err != nil {
				return nil, err
			}
			return &layered.Outline, nil
		},
		Lint: func(context.Context) (*lintResults, error) {
			if lowerDiags.HasErrors() {
				return nil, diagnosticsError(lowerDiags, src.SourceMap)
			}
			// Rules that look at closures take them from the lockfile.
			lock, err := readLockfile(ctx, c, src.SourceMap)
			if err != nil {
				return nil, wrapSource(err, src.SourceMap)
			}
			return lint(def, bc.Target, lt, linter.LockClosures(lock), src.SourceMap)
		},
	}); err != nil || ok {
		if err == nil && layered != nil {
			return layered.result()
		}
		return res, err
	}

	if lowerDiags.HasErrors() {
		return nil, diagnosticsError(lowerDiags, src.SourceMap)
	}
	if bc.BuildOpts().Opts[LockOpt] == "true" {
		res, err := lock(ctx, bc, c, def, src.SourceMap, warnDiag(ctx, src))
		return res, wrapSource(err, src.SourceMap)
	}

	if pkg, err := plan.PackageTarget(def, bc.Target); err != nil || pkg != nil {
		if err != nil {
			return nil, err
		}
		res, err := debs(ctx, bc, c, def, pkg, src.SourceMap)
		return res, wrapSource(err, src.SourceMap)
	}
	tp, err := planTarget(ctx, bc, c, def, src)
	if err != nil {
		return nil, err
	}
	img, plats, pkgs, lock, base := tp.img, tp.plats, tp.pkgs, tp.lock, tp.base
	bc.TargetPlatforms = plats
	bc.MultiPlatformRequested = bc.MultiPlatformRequested || len(plats) > 1
	epoch, err := sourceDateEpoch(bc.BuildArgs)
	if err != nil {
		return nil, err
	}
	buildCtx, named, err := contexts(ctx, bc, img.Entries, plan.PackagesToBuild(def, img.Built))
	if err != nil {
		return nil, err
	}
	if err := checkSources(ctx, c, buildCtx, img.Entries, bc.BuildOpts().Opts[ContextNameOpt]); err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}

	var h *distill2llb.Helper
	if img.NeedsArchive() {
		if h, err = inBuildHelper(bc, c, bc.BuildPlatforms[0]); err != nil {
			return nil, err
		}
	}
	// As with Dockerfiles, a build shows its target's lint warnings and
	// fails on them when the check configuration says error=true: after
	// the packages are planned, so that the lockfile's closure is read.
	warnings := lt.Check(def, []*definition.Image{img}, linter.LockClosures(lock))
	warnLint(ctx, src, warnings)
	if err := lt.Error(warnings); err != nil {
		return nil, err
	}

	rb, err := bc.Build(ctx, func(ctx context.Context, platform *ocispecs.Platform, _ int) (*dockerui.BuildResult, error) {
		p := bc.BuildPlatforms[0]
		if platform != nil {
			p = *platform
		}
		cons := []llb.ConstraintsOpt{llb.Platform(p)}
		if bc.IsNoCache(img.Name) {
			cons = append(cons, llb.IgnoreCache)
		}
		var cfg *dockerspec.DockerOCIImage
		var baseImg *distill2llb.BaseImage
		if base != nil {
			if baseImg, err = loadBase(ctx, bc, base, p); err != nil {
				return nil, err
			}
		}
		res, err := solveMoving(ctx, c, def, lock, lockfile.Name(src.Filename), client.SolveRequest{CacheImports: bc.CacheImports}, func(moved map[string]string) (*llb.Definition, error) {
			st, config, err := distill2llb.Image(img, distill2llb.Options{Platform: p, Epoch: epoch, Context: buildCtx, Contexts: named, SourceMap: src.SourceMap,
				Packages: pkgs[arch.ForPlatform(p)].Groups, CACertificates: pkgs[arch.ForPlatform(p)].CA, Built: pkgs[arch.ForPlatform(p)].Built, Helper: h, Moved: moved, NoCache: bc.IsNoCache, Base: baseImg})
			if err != nil {
				return nil, wrapSource(err, src.SourceMap)
			}
			cfg = config
			// --label, as for a Dockerfile: over the image's own labels.
			if len(bc.Labels) > 0 && cfg.Config.Labels == nil {
				cfg.Config.Labels = map[string]string{}
			}
			maps.Copy(cfg.Config.Labels, bc.Labels)
			dt, err := st.Marshal(ctx, cons...)
			if err != nil {
				return nil, fmt.Errorf("marshalling LLB for %s: %w", img.Name, err)
			}
			return dt, nil
		})
		if err != nil {
			return nil, err
		}
		ref, err := res.SingleRef()
		if err != nil {
			return nil, err
		}
		return &dockerui.BuildResult{Reference: ref, Image: cfg, Epoch: &epoch}, nil
	})
	if err != nil {
		return nil, err
	}
	if bc.SBOM != nil {
		if err := attachSBOMs(ctx, c, rb, def, img, base, pkgs, epoch); err != nil {
			return nil, err
		}
	}
	if err := rb.EachPlatform(ctx, func(_ context.Context, _ string, p ocispecs.Platform) error {
		for k, v := range img.Annotations {
			rb.AddMeta(exptypes.AnnotationManifestKey(&p, k), []byte(v))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	counts, err := packageCounts(pkgs, plats)
	if err != nil {
		return nil, fmt.Errorf("counting %s's packages: %w", img.Name, err)
	}
	rb.AddMeta(PackagesKey, counts)
	// The exporter dates the index from the unkeyed epoch; the per-platform
	// ones only date the manifests.
	rb.AddMeta(commonexptypes.ExporterEpochKey, []byte(strconv.FormatInt(epoch.Unix(), 10)))
	if bc.MultiPlatformRequested {
		for k, v := range img.Annotations {
			rb.AddMeta(exptypes.AnnotationIndexKey(k), []byte(v))
		}
	}
	return rb.Finalize()
}

// targetPlan is what a build of the target is made of, for a build and
// for the outline alike.
type targetPlan struct {
	img   *definition.Image
	plats []ocispecs.Platform
	pkgs  map[string]plan.Debs // per Debian architecture; only what img adds to base
	lock  *lockfile.Lockfile
	// base, when set, is the image img extends that a named context
	// replaces: img is built on the context (see baseOverride).
	base *definition.Image
}

// planTarget plans the target image of a build: its platforms and its
// packages (the lockfile's when there is one, else the archives'), less
// those of an image a named context replaces as its base.
func planTarget(ctx context.Context, bc *dockerui.Client, c client.Client, def *definition.Definition, src *dockerui.Source) (*targetPlan, error) {
	img, err := plan.Target(def, bc.Target)
	if err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}
	plats, err := targetPlatforms(bc, img)
	if err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}
	pkgs, lock, err := planPackages(ctx, bc, c, def, img, plats, src.SourceMap, warnDiag(ctx, src))
	if err != nil {
		return nil, wrapSource(err, src.SourceMap)
	}
	base, err := baseOverride(bc, def, img)
	if err != nil {
		return nil, err
	}
	if base != nil && base.NeedsArchive() {
		// The lockfile already read; the base's warnings are the target's.
		basePkgs, err := plan.Packages(ctx, def, base, plats, lock, planOptions(bc, c, base.Name))
		if err != nil {
			return nil, wrapSource(err, src.SourceMap)
		}
		for a, d := range pkgs {
			pkgs[a] = withoutBase(d, basePkgs[a])
		}
	}
	return &targetPlan{img: img, plats: plats, pkgs: pkgs, lock: lock, base: base}, nil
}

// targetPlatforms decides what a build of img produces, for a build and
// for the outline alike. Without platforms of its own, the image is built
// for the worker's; dockerui would name the result after the frontend's own
// platform.
func targetPlatforms(bc *dockerui.Client, img *definition.Image) ([]ocispecs.Platform, error) {
	return plan.Platforms(img, bc.TargetPlatforms, bc.BuildPlatforms[0])
}

// planPackages solves (or reads from the lockfile) the image's packages for
// every platform it is built for. The lockfile comes back too (nil when
// there is none): its time finds a dropped file in a repository's snapshot,
// and its pins explain a download that does not match.
func planPackages(ctx context.Context, bc *dockerui.Client, c client.Client, def *definition.Definition, img *definition.Image, plats []ocispecs.Platform, sm *llb.SourceMap, warn func(*hcl.Diagnostic)) (map[string]plan.Debs, *lockfile.Lockfile, error) {
	if !img.NeedsArchive() {
		return nil, nil, nil
	}
	lock, err := readLockfile(ctx, c, sm)
	if err != nil {
		return nil, nil, err
	}
	opt := planOptions(bc, c, img.Name)
	opt.Warn = warn
	pkgs, err := plan.Packages(ctx, def, img, plats, lock, opt)
	if err != nil {
		return nil, nil, err
	}
	return pkgs, lock, nil
}

// contexts loads the build contexts an image or a package takes files from:
// the main one, transferring only the paths its files and packages copy,
// and the named ones its packages' context sources name, which --build-context can
// point elsewhere (the main context stands in for one it does not set).
func contexts(ctx context.Context, bc *dockerui.Client, entries []*definition.Entry, pkgs []*definition.Package) (llb.State, map[string]llb.State, error) {
	var paths []string
	for _, e := range entries {
		if e.Source != "" {
			paths = append(paths, e.Source)
		}
	}
	names := map[string]bool{}
	for _, p := range pkgs {
		for _, pt := range p.Patches {
			names[""] = true
			paths = append(paths, pt.Path)
		}
		for _, s := range p.Sources {
			if s.Kind == definition.SourceContext {
				names[s.Context.Name] = true
				paths = append(paths, s.Context.Path)
			}
		}
	}
	main := llb.Scratch()
	if len(paths) > 0 {
		var opts []llb.LocalOption
		if !slices.Contains(paths, ".") {
			opts = append(opts, llb.FollowPaths(paths))
		}
		st, err := bc.MainContext(ctx, opts...)
		if err != nil {
			return llb.State{}, nil, fmt.Errorf("loading the build context: %w", err)
		}
		main = *st
	}
	out := map[string]llb.State{}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		out[name] = main
		if name == "" {
			continue
		}
		nc, err := bc.NamedContext(name, dockerui.ContextOpt{})
		if err != nil {
			return llb.State{}, nil, fmt.Errorf("the build context %q: %w", name, err)
		}
		if nc == nil {
			continue
		}
		st, _, err := nc.Load(ctx)
		if err != nil {
			return llb.State{}, nil, fmt.Errorf("loading the build context %q: %w", name, err)
		}
		if st != nil {
			out[name] = *st
		}
	}
	return main, out, nil
}

// sourceDateEpoch is the SOURCE_DATE_EPOCH build argument, or the Unix epoch:
// builds are reproducible by default, as with apko.
func sourceDateEpoch(args map[string]string) (time.Time, error) {
	v, ok := args["SOURCE_DATE_EPOCH"]
	if !ok || v == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	t, err := helper.ParseEpoch(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: %w", v, err)
	}
	return t, nil
}
