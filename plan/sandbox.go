package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/distill-build/distill/debian/archive"

	"github.com/distill-build/distill/debian/resolve"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Build is what building a package from source needs for one architecture:
// its build sandbox, as the Debian packages that make it.
type Build struct {
	Package *definition.Package
	// Deps are the packages built from source that the sandbox has
	// installed (the runtime closure of its build requirements),
	// dependencies first.
	Deps []Output
	// Base is the Essential set and usr-is-merged: unpacked, then installed
	// by one dpkg --install --force-depends, as mmdebstrap does. Every
	// package's sandbox starts from the same base.
	Base []Package
	// Requires is the rest of the sandbox, the closure of the package's
	// build requirements beyond Base, installed by dpkg with their
	// maintainer scripts.
	Requires []Package
	// Runtime are the packages built from source it needs at run time,
	// dependencies first; with TestDebs, they make its test image.
	Runtime []Output
	// TestDebs are the Debian packages of its test image, when it has a
	// test: the closure of its runtime requirements, and busybox.
	TestDebs []Package
	// Debian are the files of its Debian source packages, by source.
	Debian map[*definition.Source][]SourceFile
	// HostArch, when not empty, is the foreign architecture this build
	// cross-compiles for: the sandbox (Base, Requires) is the build
	// platform's, with HostArch's libraries beside its own.
	HostArch string
}

// SourceFile is one file of a Debian source package and where to fetch it.
type SourceFile struct {
	Name, URL, SHA256 string
}

// IsDSC says whether the file is the package's .dsc.
func (f SourceFile) IsDSC() bool { return strings.HasSuffix(f.Name, ".dsc") }

// resolveSources finds the package's Debian source packages in the
// repositories' verified Sources indexes, in the definition's order, and
// pins them in lock.
func (a *repos) resolveSources(ctx context.Context, p *definition.Package, lock *lockfile.Lockfile) error {
	for _, src := range p.Sources {
		if src.Kind != definition.SourceDebian {
			continue
		}
		d := src.Debian
		found := false
		for _, r := range a.def.Repositories {
			rel, err := a.release(ctx, r)
			if err != nil {
				return err
			}
			for _, comp := range r.Components {
				sp, err := suite(r).Source(ctx, a.f, rel, comp, d.Name, d.Version)
				if errors.Is(err, archive.ErrNoSource) {
					continue
				}
				if err != nil {
					return repoError(r, err)
				}
				ls := lockfile.LockedSource{Repository: r.Name, Directory: sp.Directory, BuildDepends: sp.BuildDepends}
				for _, f := range sp.Files {
					ls.Files = append(ls.Files, lockfile.LockedSourceFile{Name: f.Name, SHA256: f.SHA256, Size: f.Size})
				}
				lock.SetSource(lockfile.SourceKey(d.Name, d.Version), ls)
				found = true
				break
			}
			if found {
				break
			}
		}
		if !found {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No such source package",
				Detail: fmt.Sprintf("No repository's Sources index has %s %s.", d.Name, d.Version), Subject: src.Range.Ptr()}
		}
	}
	return nil
}

// debianSources takes the files of a package's Debian sources from lock.
func debianSources(lock *lockfile.Lockfile, def *definition.Definition, p *definition.Package) (map[*definition.Source][]SourceFile, error) {
	urls := map[string]string{}
	for _, r := range def.Repositories {
		urls[r.Name] = r.URL
	}
	out := map[*definition.Source][]SourceFile{}
	for _, src := range p.Sources {
		if src.Kind != definition.SourceDebian {
			continue
		}
		ls, err := lock.Source(lockfile.SourceKey(src.Debian.Name, src.Debian.Version))
		if err != nil {
			return nil, err
		}
		base, ok := urls[ls.Repository]
		if !ok {
			return nil, fmt.Errorf("source %s %s comes from repository %q, which the definition does not declare", src.Debian.Name, src.Debian.Version, ls.Repository)
		}
		for _, f := range ls.Files {
			out[src] = append(out[src], SourceFile{Name: f.Name, URL: base + "/" + ls.Directory + "/" + f.Name, SHA256: f.SHA256})
		}
	}
	return out, nil
}

// sourceRequests are the Build-Depends of a package's Debian sources for a
// build for host on build, under its profiles.
func sourceRequests(lock *lockfile.Lockfile, p *definition.Package, host, build string) ([]string, error) {
	var out []string
	for _, src := range p.Sources {
		if src.Kind != definition.SourceDebian {
			continue
		}
		ls, err := lock.Source(lockfile.SourceKey(src.Debian.Name, src.Debian.Version))
		if err != nil {
			return nil, err
		}
		reqs, err := resolve.BuildDepends(ls.BuildDepends, host, build, p.Build.Profiles)
		if err != nil {
			return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid Build-Depends",
				Detail: fmt.Sprintf("Source %s %s: %v.", src.Debian.Name, src.Debian.Version, err), Subject: src.Range.Ptr()}
		}
		out = append(out, reqs...)
	}
	return out, nil
}

// isMarker says whether a build requirement is one of buildRequires'
// markers, which record inputs but request nothing.
func isMarker(s string) bool { return strings.HasPrefix(s, "(") }

// hasDebianSource says whether the package unpacks a Debian source package,
// which takes dpkg-source from dpkg-dev.
func hasDebianSource(p *definition.Package) bool {
	return slices.ContainsFunc(p.Sources, func(s *definition.Source) bool { return s.Kind == definition.SourceDebian })
}

// crossRecord names the lock record of a cross sandbox for host.
func crossRecord(pkg, host string) string { return "sandbox:" + pkg + ":cross-" + host }

// crossInputs is what a cross sandbox's lock depends on: the package's
// requirements as written (which of them are for the host follows from the
// index), and the host.
func crossInputs(def *definition.Definition, p *definition.Package, host string) lockfile.LockInputs {
	return sandboxInputs(def, append([]string{"(cross " + host + ")"}, buildRequires(def, p)...))
}

// crossRequires are the requests of a cross sandbox, for the build
// architecture with host's beside it: Debian's cross toolchain and host's
// C library (dpkg-buildpackage -a needs them through Multi-Arch), then the
// package's requirements, each for host unless it is a tool that runs on
// the build platform (Multi-Arch: foreign or allowed, as apt-get build-dep
// -a decides, and build-essential itself).
func crossRequires(def *definition.Definition, p *definition.Package, hostIx *archive.Index, host string, extra ...string) []string {
	out := []string{"build-essential", "crossbuild-essential-" + host, "libc6-dev:" + host}
	for _, s := range append(buildRequires(def, p), extra...) {
		if isMarker(s) {
			continue
		}
		if s, ok := nativeRequest(s); ok {
			out = append(out, s) // the build platform's, unqualified here
			continue
		}
		r, err := resolve.ParseRequest(s)
		if err != nil || r.Arch != "" || r.Name == "build-essential" {
			out = append(out, s) // reported by the solve, or qualified already
			continue
		}
		native := false
		for _, c := range hostIx.Lookup(r.Name) {
			native = native || c.MultiArch == archive.MultiArchForeign || c.MultiArch == archive.MultiArchAllowed
		}
		if len(hostIx.Lookup(r.Name)) == 0 {
			// A virtual package (debhelper-compat): as its providers are.
			provs, _ := hostIx.Providers(r.Name)
			for _, pr := range provs {
				native = native || pr.Package.MultiArch == archive.MultiArchForeign
			}
		}
		if !native {
			r.Arch = host
		}
		out = append(out, r.String())
	}
	return out
}

// nativeRequest strips ":native" from a build requirement ("golang-go:native",
// Build-Depends' way of asking for the build architecture's package, for a
// tool that is not Multi-Arch: foreign): unqualified, a request is for the
// native architecture of every sandbox, the build platform's in a cross one.
func nativeRequest(s string) (string, bool) {
	t := strings.TrimSpace(s)
	i := strings.IndexAny(t, " (=")
	if i < 0 {
		i = len(t)
	}
	name, ok := strings.CutSuffix(t[:i], ":native")
	if !ok {
		return s, false
	}
	return name + t[i:], true
}

// resolveCross solves a cross sandbox of p for host, on the build
// architecture.
func (a *repos) resolveCross(ctx context.Context, p *definition.Package, host string, base []resolve.Request, lock *lockfile.Lockfile) error {
	build := a.buildArch
	hostIx, err := a.index(ctx, host)
	if err != nil {
		return err
	}
	ix, err := a.merged(ctx, []string{build, host})
	if err != nil {
		return err
	}
	buildIx, err := a.index(ctx, build)
	if err != nil {
		return err
	}
	bsel, err := a.resolveBase(buildIx, base, build, p)
	if err != nil {
		return err
	}
	srcReqs, err := sourceRequests(lock, p, host, build)
	if err != nil {
		return err
	}
	reqs := crossRequires(a.def, p, hostIx, host, srcReqs...)
	full := slices.Clone(base)
	for _, s := range reqs {
		r, err := resolve.ParseRequest(s)
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid build requirement",
				Detail: err.Error() + ".", Subject: p.Build.RequiresRange.Ptr()}
		}
		full = append(full, r)
	}
	sel, err := resolve.Resolve(ix, full, resolve.Options{Arch: build, ForeignArchs: []string{host}, Essential: true, Prefer: a.preferring(build, bsel.Versions())})
	if err != nil {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsatisfiable build requirements",
			Detail: fmt.Sprintf("Package %s, cross from %s to %s: %v.", p.Name, build, host, err), Subject: p.Build.Range.Ptr()}
	}
	for _, s := range []*resolve.Selection{bsel, sel} {
		if err := lock.Add(s); err != nil {
			return err
		}
	}
	lock.SetImage(baseRecord, sandboxInputs(a.def, nil), bsel, nil)
	lock.SetImage(crossRecord(p.Name, host), crossInputs(a.def, p, host), sel, nil)
	return nil
}

// cross says whether p builds for arch by cross-compiling from build.
func cross(p *definition.Package, arch, build string) bool {
	return p.Build.Cross && build != "" && arch != build
}

// testRecord names the lock record of a package's test image.
func testRecord(pkg string) string { return "test:" + pkg }

// testRequests are the Debian packages of a package's test image: what it
// and the packages it needs need at run time, and busybox for a shell.
func testRequests(def *definition.Definition, p *definition.Package) []string {
	out := []string{"busybox"}
	for _, q := range runtimeClosure(def, []definition.PackageRef{{Name: p.Name}}) {
		for _, r := range q.Runtime {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}

// sandboxBase is what every build sandbox holds: the Essential set (added
// by resolve.Options.Essential) and usr-is-merged, whose presence keeps
// usrmerge, and with it perl, out of the sandbox.
var sandboxBase = []string{"usr-is-merged"}

// Lock record names of sandboxes; image names cannot hold a colon.
const baseRecord = "sandbox:base"

func sandboxRecord(pkg string) string { return "sandbox:" + pkg }

// sandboxInputs is what a sandbox's lock depends on: its requests (the
// Essential set is marked) and the repositories.
func sandboxInputs(def *definition.Definition, requires []string) lockfile.LockInputs {
	in := lockInputs(def, &definition.Image{})
	in.Packages = append(append([]string{"(essential)"}, sandboxBase...), requires...)
	return in
}

// resolveSandbox solves the base and the package's sandbox for each
// platform and records both in lock.
func (a *repos) resolveSandbox(ctx context.Context, p *definition.Package, plats []ocispecs.Platform, lock *lockfile.Lockfile) error {
	var base []resolve.Request
	for _, s := range sandboxBase {
		base = append(base, resolve.Request{Name: s})
	}
	if err := a.resolveSources(ctx, p, lock); err != nil {
		return err
	}
	pins, _ := pinnedSources(a.def, p)
	lock.SetPackageSources(p.Name, pins)
	parse := func(reqs []string) ([]resolve.Request, error) {
		out := slices.Clone(base)
		for _, s := range reqs {
			if isMarker(s) {
				continue
			}
			s, _ = nativeRequest(s)
			r, err := resolve.ParseRequest(s)
			if err != nil {
				return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid build requirement",
					Detail: err.Error() + ".", Subject: p.Build.RequiresRange.Ptr()}
			}
			out = append(out, r)
		}
		return out, nil
	}
	for _, arch := range debianArchs(plats) {
		ix, err := a.index(ctx, arch)
		if err != nil {
			return err
		}
		if cross(p, arch, a.buildArch) {
			if err := a.resolveCross(ctx, p, arch, base, lock); err != nil {
				return err
			}
			if err := a.resolveTest(ctx, p, arch, lock); err != nil {
				return err
			}
			continue
		}
		bsel, err := a.resolveBase(ix, base, arch, p)
		if err != nil {
			return err
		}
		srcReqs, err := sourceRequests(lock, p, arch, arch)
		if err != nil {
			return err
		}
		full, err := parse(append(buildRequires(a.def, p), srcReqs...))
		if err != nil {
			return err
		}
		sel, err := resolve.Resolve(ix, full, resolve.Options{Arch: arch, Essential: true, Prefer: a.preferring(arch, bsel.Versions())})
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsatisfiable build requirements",
				Detail: fmt.Sprintf("Package %s for %s: %v.", p.Name, arch, err), Subject: p.Build.RequiresRange.Ptr()}
		}
		for _, s := range []*resolve.Selection{bsel, sel} {
			if err := lock.Add(s); err != nil {
				return err
			}
		}
		if err := a.resolveTest(ctx, p, arch, lock); err != nil {
			return err
		}
		lock.SetImage(baseRecord, sandboxInputs(a.def, nil), bsel, nil)
		lock.SetImage(sandboxRecord(p.Name), sandboxInputs(a.def, buildRequires(a.def, p)), sel, nil)
	}
	return nil
}

// resolveBase solves the base every sandbox for arch starts from.
func (a *repos) resolveBase(ix *archive.Index, base []resolve.Request, arch string, p *definition.Package) (*resolve.Selection, error) {
	sel, err := resolve.Resolve(ix, base, resolve.Options{Arch: arch, Essential: true, Prefer: a.preferring(arch, nil)})
	if err != nil {
		return nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No build sandbox",
			Detail: fmt.Sprintf("The Essential set for %s: %v.", arch, err), Subject: p.Build.Range.Ptr()}
	}
	return sel, nil
}

// resolveTest solves the test image of p for arch, when it has a test.
func (a *repos) resolveTest(ctx context.Context, p *definition.Package, arch string, lock *lockfile.Lockfile) error {
	if p.Test == nil {
		return nil
	}
	ix, err := a.index(ctx, arch)
	if err != nil {
		return err
	}
	var reqs []resolve.Request
	for _, s := range testRequests(a.def, p) {
		r, err := resolve.ParseRequest(s)
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid package request",
				Detail: err.Error() + ".", Subject: p.RuntimeRange.Ptr()}
		}
		reqs = append(reqs, r)
	}
	tsel, err := resolve.Resolve(ix, reqs, resolve.Options{Arch: arch, Prefer: a.preferring(arch, nil)})
	if err != nil {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No test image",
			Detail: fmt.Sprintf("Package %s for %s: %v.", p.Name, arch, err), Subject: p.Test.Range.Ptr()}
	}
	if err := lock.Add(tsel); err != nil {
		return err
	}
	lock.SetImage(testRecord(p.Name), sandboxInputs(a.def, testRequests(a.def, p)), tsel, nil)
	return nil
}

// sandbox takes a package's sandbox for one architecture from the lock,
// split into the base and the rest.
func sandbox(lock *lockfile.Lockfile, def *definition.Definition, p *definition.Package, arch, buildArch string) (*Build, error) {
	stale := func(err error) error {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Lockfile out of date",
			Detail: fmt.Sprintf("The build sandbox of package %s: %v: run `distill lock` to refresh it.", p.Name, err), Subject: p.Build.Range.Ptr()}
	}
	if err := checkPinned(lock, def, p); err != nil {
		return nil, err
	}
	sandboxArch, record, inputs := arch, sandboxRecord(p.Name), sandboxInputs(def, buildRequires(def, p))
	host := ""
	if cross(p, arch, buildArch) {
		host = arch
		sandboxArch, record, inputs = buildArch, crossRecord(p.Name, host), crossInputs(def, p, host)
	}
	base, _, err := lock.ImagePackages(baseRecord, sandboxInputs(def, nil), sandboxArch)
	if err != nil {
		return nil, stale(err)
	}
	full, _, err := lock.ImagePackages(record, inputs, sandboxArch)
	if err != nil {
		return nil, stale(err)
	}
	inBase := map[string]bool{}
	for _, q := range base {
		inBase[q.SHA256] = true
	}
	var rest []lockfile.LockedPackage
	for _, q := range full {
		if !inBase[q.SHA256] {
			rest = append(rest, q)
		}
	}
	b := &Build{Package: p, HostArch: host}
	if b.Debian, err = debianSources(lock, def, p); err != nil {
		return nil, stale(err)
	}
	if b.Base, err = withURLs(def, base); err != nil {
		return nil, err
	}
	if p.Test != nil {
		debs, _, err := lock.ImagePackages(testRecord(p.Name), sandboxInputs(def, testRequests(def, p)), arch)
		if err != nil {
			return nil, stale(err)
		}
		if b.TestDebs, err = withURLs(def, debs); err != nil {
			return nil, err
		}
	}
	if b.Requires, err = withURLs(def, rest); err != nil {
		return nil, err
	}
	return b, nil
}

// buildRequires are the Debian packages a package's sandbox needs beyond
// the base: its requires, patch when it has patches to apply, and what the
// packages built from source that it requires need at run time.
func buildRequires(def *definition.Definition, p *definition.Package) []string {
	out := slices.Clone(p.Build.Requires)
	if len(p.Patches) > 0 && !slices.Contains(out, "patch") {
		out = append(out, "patch")
	}
	if hasDebianSource(p) && !slices.Contains(out, "dpkg-dev") {
		out = append(out, "dpkg-dev")
	}
	for _, src := range p.Sources {
		if src.Kind == definition.SourceDebian {
			// What they are depends on the architectures and profiles: they
			// join the requests as each sandbox is solved (sourceRequests).
			out = append(out, "(build-depends of "+src.Debian.Name+" "+src.Debian.Version+")")
		}
	}
	if len(p.Build.Profiles) > 0 {
		out = append(out, "(profiles "+strings.Join(p.Build.Profiles, " ")+")")
	}
	for _, dep := range runtimeClosure(def, p.Build.RequiresBuilt) {
		for _, r := range dep.Runtime {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}
