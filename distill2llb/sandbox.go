package distill2llb

import (
	"fmt"
	"path"
	"slices"

	"github.com/distill-build/distill/helper"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
)

// sandboxEnv is the environment of every exec in a build sandbox: dpkg's
// maintainer scripts and the build steps run without a terminal or a
// locale.
func sandboxEnv(opt Options) []llb.RunOption {
	return []llb.RunOption{
		llb.AddEnv("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
		llb.AddEnv("DEBIAN_FRONTEND", "noninteractive"),
		llb.AddEnv("DEBCONF_NONINTERACTIVE_SEEN", "true"),
		llb.AddEnv("LC_ALL", "C.UTF-8"),
		llb.AddEnv("SOURCE_DATE_EPOCH", fmt.Sprint(opt.Epoch.Unix())),
	}
}

// sandbox makes a package's build sandbox from Debian packages, with no
// base image, as mmdebstrap does: the merged-/usr links and an empty dpkg
// database, the Essential set's data unpacked into them by the helper, one
// dpkg --install --force-depends over the same .debs (dpkg ignores
// Pre-Depends order within one run, and base-passwd's preinst must come
// first), then the build requirements installed by dpkg with their
// maintainer scripts. Each step is keyed by the locked .debs it installs,
// so every package with the same requirements shares the sandbox.
func sandbox(b *plan.Build, opt Options, loc llb.ConstraintsOpt) (llb.State, error) {
	if opt.Helper == nil {
		return llb.State{}, fmt.Errorf("a build sandbox needs the in-build helper, and this build has none")
	}
	// A cross sandbox runs on the build platform, natively.
	run := opt.Platform
	if b.HostArch != "" {
		run = opt.Helper.Platform
	}
	platform := fmt.Sprintf("%s/%s", run.OS, run.Architecture)
	epoch := llb.WithCreatedTime(opt.Epoch)
	// /bin, /sbin and /lib are links into /usr, as Debian installs since
	// bookworm; usr-is-merged's preinst checks it.
	fa := llb.Mkdir("/usr", 0o755, epoch)
	for _, d := range []string{"bin", "sbin", "lib", "lib64"} {
		fa = fa.Mkdir("/usr/"+d, 0o755, epoch).Symlink("usr/"+d, "/"+d, epoch)
	}
	fa = fa.Mkdir("/var/lib/dpkg/info", 0o755, llb.WithParents(true), epoch).
		Mkfile("/var/lib/dpkg/status", 0o644, nil, epoch).
		Mkfile("/var/lib/dpkg/available", 0o644, nil, epoch).
		Mkdir("/tmp", 0o1777, epoch)
	root := llb.Scratch().File(fa, llb.WithCustomNamef("[sandbox %s] merged /usr and an empty dpkg database", platform), loc)

	base := debsDir(b.Base, opt, loc)
	unpack := helper.Unpack{Epoch: opt.Epoch, NoStatus: true}
	for _, p := range b.Base {
		unpack.Debs = append(unpack.Debs, helper.UnpackDeb{Deb: "/debs/" + path.Base(p.Filename), Root: "/root"})
	}
	unpacked := opt.Helper.State.Run(llb.Args(opt.Helper.argv(unpack)),
		llb.AddMount("/debs", base, llb.Readonly),
		llb.Network(llb.NetModeNone), llb.Platform(opt.Helper.Platform), loc,
		llb.WithCustomNamef("[sandbox %s] unpack the Essential set (%d packages)", platform, len(b.Base)))
	root = unpacked.AddMount("/root", root)

	// dpkg runs in the sandbox itself, under emulation for a foreign
	// platform.
	install := []string{"dpkg", "--install", "--force-depends"}
	for _, p := range essentialOrder(b.Base) {
		install = append(install, "/debs/"+path.Base(p.Filename))
	}
	root = root.Run(append(sandboxEnv(opt), llb.Args(install),
		llb.AddMount("/debs", base, llb.Readonly),
		llb.Network(llb.NetModeNone), llb.Platform(run), loc,
		llb.WithCustomNamef("[sandbox %s] install the Essential set", platform))...).Root()

	if len(b.Requires) > 0 {
		reqs := []string{"dpkg", "--install"}
		for _, p := range b.Requires {
			reqs = append(reqs, "/debs/"+path.Base(p.Filename))
		}
		if b.HostArch != "" {
			// dpkg installs another architecture's packages once told of it.
			reqs = append([]string{"/bin/sh", "-ec", `dpkg --add-architecture "$1"; shift; exec "$@"`, "add-arch", b.HostArch}, reqs...)
		}
		root = root.Run(append(sandboxEnv(opt), llb.Args(reqs),
			llb.AddMount("/debs", debsDir(b.Requires, opt, loc), llb.Readonly),
			llb.Network(llb.NetModeNone), llb.Platform(run), loc,
			llb.WithCustomNamef("[sandbox %s] install %d build requirements", platform, len(b.Requires)))...).Root()
	}
	return root, nil
}

// debsDir is a directory of .debs, each fetched pinned by its sha256.
func debsDir(pkgs []plan.Package, opt Options, loc llb.ConstraintsOpt) llb.State {
	var c chain
	for _, p := range pkgs {
		name := path.Base(p.Filename)
		c.copy(fetch(p, opt, loc), name, "/"+name)
	}
	if c.fa == nil {
		return llb.Scratch()
	}
	return llb.Scratch().File(c.fa, llb.WithCustomNamef("collect %d .debs", len(pkgs)), loc)
}

// essentialOrder puts base-passwd first: its preinst writes /etc/passwd and
// /etc/group, which the other packages' scripts need.
func essentialOrder(pkgs []plan.Package) []plan.Package {
	out := slices.Clone(pkgs)
	slices.SortStableFunc(out, func(a, b plan.Package) int {
		switch {
		case a.Name == b.Name:
			return 0
		case a.Name == "base-passwd":
			return -1
		case b.Name == "base-passwd":
			return 1
		}
		return 0
	})
	return out
}
