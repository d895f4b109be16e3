package frontend

import (
	"context"

	"fmt"
	"path"
	"strings"

	"github.com/containerd/platforms"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/distill2llb"
	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// LockfileName is the lockfile next to a definition: distill.hcl locks
// into distill.lock.json.
func LockfileName(definition string) string {
	return strings.TrimSuffix(definition, path.Ext(definition)) + ".lock.json"
}

// readLockfile reads the lockfile next to the definition, from wherever the
// definition came from (a local directory, git, HTTP), or returns nil when
// there is none.
func readLockfile(ctx context.Context, c client.Client, sm *llb.SourceMap) (*lockfile.Lockfile, error) {
	name := LockfileName(sm.Filename)
	def, err := sm.State.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Solve(ctx, client.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	ref, err := res.SingleRef()
	if err != nil {
		return nil, err
	}
	dir := path.Dir(name)
	entries, err := ref.ReadDir(ctx, client.ReadDirRequest{Path: dir, IncludePattern: path.Base(name)})
	if err != nil {
		return nil, fmt.Errorf("looking for %s: %w", name, err)
	}
	if len(entries) == 0 {
		return nil, nil
	}
	data, err := ref.ReadFile(ctx, client.ReadRequest{Filename: name})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	lock, err := lockfile.ParseLockfile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return lock, nil
}

// debs are an image's .debs for one Debian architecture.
type debs struct {
	Groups [][]distill2llb.Package // see packageGroups
	CA     *distill2llb.Package    // the source of the CA bundle, when asked for
}

// packagesFor returns the image's packages per Debian architecture: from the
// lockfile when there is one (no index is fetched), else solved from the
// verified indexes. The images it extends are looked up too, to group the
// packages as theirs are.
func packagesFor(ctx context.Context, a *repos, lock *lockfile.Lockfile, img *definition.Image, plats []ocispecs.Platform) (map[string]debs, error) {
	chain := lineage(a.def, img)
	locks := map[string]*lockfile.Lockfile{} // where each image of the lineage is locked
	for i := len(chain) - 1; i >= 0; i-- {
		anc := chain[i]
		if lock != nil {
			locks[anc.Name] = lock
			continue
		}
		if !anc.NeedsArchive() {
			continue // nothing to solve; its closure is empty
		}
		l := lockfile.NewLockfile()
		if err := a.resolve(ctx, anc, plats, l); err != nil {
			if anc == img {
				return nil, err
			}
			break // the groups stop below this ancestor
		}
		locks[anc.Name] = l
	}
	out := map[string]debs{}
	for _, arch := range debianArchs(plats) {
		pkgs, ca, err := imagePackages(locks[img.Name], a.def, img, arch)
		if err != nil {
			return nil, err
		}
		closure := func(anc *definition.Image) ([]lockfile.LockedPackage, bool) {
			if !anc.NeedsArchive() {
				return nil, true
			}
			l := locks[anc.Name]
			if l == nil {
				return nil, false
			}
			p, _, err := imagePackages(l, a.def, anc, arch)
			return p, err == nil
		}
		var d debs
		for _, g := range packageGroups(chain, pkgs, closure) {
			withURL, err := withURLs(a.def, g)
			if err != nil {
				return nil, err
			}
			d.Groups = append(d.Groups, withURL)
		}
		if ca != nil {
			c, err := withURLs(a.def, []lockfile.LockedPackage{*ca})
			if err != nil {
				return nil, err
			}
			d.CA = &c[0]
		}
		out[arch] = d
	}
	return out, nil
}

// currentFrontend is implemented by the gateway client when the build runs
// in a frontend image: its rootfs carries the in-build helper.
type currentFrontend interface {
	CurrentFrontend() (*llb.State, error)
}

// HelperOpt names a frontend option the CLI sets when it runs the frontend
// in-process: the local holding its own static binary, which then serves as
// the in-build helper; HelperPlatformOpt is the platform that binary is for.
const (
	HelperOpt         = "distill-helper"
	HelperPlatformOpt = "distill-helper-platform"
)

// helper finds the in-build helper: the frontend image itself, or the
// binary the CLI uploaded.
func helper(bc *dockerui.Client, c client.Client, buildPlatform ocispecs.Platform) (*distill2llb.Helper, error) {
	if local, ok := bc.BuildOpts().Opts[HelperOpt]; ok {
		dir, file := path.Split(local)
		local := llb.Local(strings.TrimSuffix(dir, "/"), llb.SessionID(bc.BuildOpts().SessionID),
			llb.FollowPaths([]string{file}), llb.SharedKeyHint(HelperOpt), llb.WithCustomName("load the distill helper"))
		// A local's cache key is unique to the build, and an exec's rootfs
		// is keyed by its input's key; a copy is keyed by content, so the
		// execs that run the helper stay cached from build to build.
		st := llb.Scratch().File(llb.Copy(local, file, "/"+file), llb.WithCustomName("copy the distill helper"))
		p := buildPlatform
		if s, ok := bc.BuildOpts().Opts[HelperPlatformOpt]; ok {
			var err error
			if p, err = platforms.Parse(s); err != nil {
				return nil, fmt.Errorf("%s=%q: %w", HelperPlatformOpt, s, err)
			}
		}
		return &distill2llb.Helper{State: st, Path: "/" + file, Platform: p}, nil
	}
	if cf, ok := c.(currentFrontend); ok {
		st, err := cf.CurrentFrontend()
		if err == nil && st == nil {
			err = fmt.Errorf("BuildKit did not say which image this frontend runs from")
		}
		if err != nil {
			return nil, fmt.Errorf("the frontend image is needed to unpack packages: %w", err)
		}
		return &distill2llb.Helper{State: *st, Path: HelperPath, Platform: buildPlatform}, nil
	}
	return nil, fmt.Errorf("installing packages needs the distill frontend image (or the distill CLI): this gateway client offers neither")
}

// HelperPath is where the frontend image keeps its binary (see Dockerfile).
const HelperPath = "/bin/distill-frontend"
