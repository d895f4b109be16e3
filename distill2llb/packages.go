package distill2llb

import (
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/distill-build/distill/plan"

	"github.com/distill-build/distill/debian/arch"

	"github.com/distill-build/distill/helper"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Helper is the static binary that runs inside builds (unpacking .debs,
// which no LLB operation can open), and the state whose rootfs holds it:
// the frontend image, or the CLI's own binary uploaded as a local.
type Helper struct {
	State    llb.State
	Path     string            // of the binary inside State
	Platform ocispecs.Platform // the platform the binary runs on
}

// argv is the exec's command line for one helper subcommand.
func (h *Helper) argv(cmd helper.Command) []string {
	return append([]string{h.Path}, cmd.Args()...)
}

// maxGroup bounds the packages one helper run unpacks: each takes two
// mounts, and a long list would serialise a large cold build onto few runs.
const maxGroup = 32

// packageLayers makes one state per package, indexed as in the groups
// flattened: the .deb unpacked by the helper without maintainer scripts,
// with its dpkg status.d records. One helper run unpacks a group (a
// container start costs about as much as unpacking a small package); each
// package is still a mount and a layer of its own, stacked in the order
// Layers gives.
func packageLayers(groups [][]plan.Package, opt Options, loc llb.ConstraintsOpt) ([]llb.State, error) {
	var states []llb.State
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		if opt.Helper == nil {
			return nil, fmt.Errorf("installing packages needs the in-build helper, and this build has none")
		}
		first := len(states)
		states = append(states, make([]llb.State, len(g))...)
		idx := make([]int, len(g))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(i, j int) bool { return packageLess(g[idx[i]], g[idx[j]]) })
		for len(idx) > 0 {
			n := min(len(idx), maxGroup)
			run := make([]plan.Package, n)
			for i, k := range idx[:n] {
				run[i] = g[k]
			}
			unpacked, err := unpackGroup(run, opt, loc)
			if err != nil {
				return nil, err
			}
			for i, k := range idx[:n] {
				states[first+k] = unpacked[i]
			}
			idx = idx[n:]
		}
	}
	return states, nil
}

// packageLess orders packages by name, then architecture (a package of a
// foreign architecture next to the native one).
func packageLess(a, b plan.Package) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	return a.Architecture < b.Architecture
}

// unpackGroup runs the helper once for some packages: /deb/N holds the N-th
// .deb, /out/N receives it.
func unpackGroup(pkgs []plan.Package, opt Options, loc llb.ConstraintsOpt) ([]llb.State, error) {
	cmd := helper.Unpack{Epoch: opt.Epoch}
	runOpts := []llb.RunOption{llb.Network(llb.NetModeNone), llb.Platform(opt.Helper.Platform), loc}
	var names []string // "netbase 6.4"
	for i, p := range pkgs {
		if p.SHA256 == "" || p.Filename == "" {
			return nil, fmt.Errorf("package %s %s has no archive path or sha256", p.Name, p.Version)
		}
		dir := "/deb/" + strconv.Itoa(i)
		runOpts = append(runOpts, llb.AddMount(dir, fetch(p, opt, loc), llb.Readonly))
		cmd.Debs = append(cmd.Debs, helper.UnpackDeb{Deb: dir + "/" + path.Base(p.Filename), Root: "/out/" + strconv.Itoa(i), Name: p.Name})
		names = append(names, p.Name+" "+p.Version)
	}
	debArch := pkgs[0].Architecture
	if len(pkgs) > 1 {
		debArch = arch.ForPlatform(opt.Platform)
	}
	name := fmt.Sprintf("unpack %s (%s)", strings.Join(names, ", "), debArch)
	run := opt.Helper.State.Run(append(runOpts, llb.Args(opt.Helper.argv(cmd)), llb.WithCustomName(name))...)
	layers := make([]llb.State, len(pkgs))
	for i, d := range cmd.Debs {
		layers[i] = run.AddMount(d.Root, llb.Scratch())
	}
	return layers, nil
}

// fetch downloads a .deb pinned by its SHA256: BuildKit checks the bytes,
// and the cache key needs no network. loc ties the download to the line
// that asked for the package, so a .deb the mirror no longer has fails
// there.
func fetch(p plan.Package, opt Options, loc llb.ConstraintsOpt) llb.State {
	return opt.archiveHTTP(p.URL+"/"+p.Filename, p.SHA256, path.Base(p.Filename),
		llb.WithCustomNamef("fetch %s %s (%s)", p.Name, p.Version, p.Architecture), loc)
}

// caBundle is a layer holding /etc/ssl/certs/ca-certificates.crt, made from
// the package's certificates as update-ca-certificates would, or with java
// /etc/ssl/certs/java/cacerts as ca-certificates-java would. The helper
// runs with no network; the result is what it wrote under /out.
func caBundle(p plan.Package, opt Options, loc llb.ConstraintsOpt, java bool) llb.State {
	cmd := helper.CACerts{Deb: "/deb/" + path.Base(p.Filename), Epoch: opt.Epoch, Root: "/out", Path: "/etc/ssl/certs/ca-certificates.crt"}
	name := fmt.Sprintf("CA bundle from %s %s", p.Name, p.Version)
	if java {
		cmd.Path, cmd.Java = "/etc/ssl/certs/java/cacerts", true
		name = fmt.Sprintf("Java trust store from %s %s", p.Name, p.Version)
	}
	run := opt.Helper.State.Run(
		llb.Args(opt.Helper.argv(cmd)),
		llb.AddMount(path.Dir(cmd.Deb), fetch(p, opt, loc), llb.Readonly),
		llb.Network(llb.NetModeNone),
		llb.Platform(opt.Helper.Platform),
		llb.WithCustomName(name),
		loc,
	)
	return run.AddMount(cmd.Root, llb.Scratch())
}
