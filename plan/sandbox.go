package plan

import (
	"context"
	"fmt"
	"slices"

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
	Deps []*Build
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
	Runtime []*Build
	// TestDebs are the Debian packages of its test image, when it has a
	// test: the closure of its runtime requirements, and busybox.
	TestDebs []Package
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
	var base, full []resolve.Request
	for _, s := range sandboxBase {
		base = append(base, resolve.Request{Name: s})
	}
	full = slices.Clone(base)
	for _, s := range buildRequires(a.def, p) {
		r, err := resolve.ParseRequest(s)
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid build requirement",
				Detail: err.Error() + ".", Subject: p.Build.RequiresRange.Ptr()}
		}
		full = append(full, r)
	}
	for _, arch := range debianArchs(plats) {
		ix, err := a.index(ctx, arch)
		if err != nil {
			return err
		}
		bsel, err := resolve.Resolve(ix, base, resolve.Options{Arch: arch, Essential: true})
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No build sandbox",
				Detail: fmt.Sprintf("The Essential set for %s: %v.", arch, err), Subject: p.Build.Range.Ptr()}
		}
		sel, err := resolve.Resolve(ix, full, resolve.Options{Arch: arch, Essential: true, Prefer: bsel.Versions()})
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsatisfiable build requirements",
				Detail: fmt.Sprintf("Package %s for %s: %v.", p.Name, arch, err), Subject: p.Build.RequiresRange.Ptr()}
		}
		for _, s := range []*resolve.Selection{bsel, sel} {
			if err := lock.Add(s); err != nil {
				return err
			}
		}
		if p.Test != nil {
			var reqs []resolve.Request
			for _, s := range testRequests(a.def, p) {
				r, err := resolve.ParseRequest(s)
				if err != nil {
					return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid package request",
						Detail: err.Error() + ".", Subject: p.RuntimeRange.Ptr()}
				}
				reqs = append(reqs, r)
			}
			tsel, err := resolve.Resolve(ix, reqs, resolve.Options{Arch: arch})
			if err != nil {
				return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No test image",
					Detail: fmt.Sprintf("Package %s for %s: %v.", p.Name, arch, err), Subject: p.Test.Range.Ptr()}
			}
			if err := lock.Add(tsel); err != nil {
				return err
			}
			lock.SetImage(testRecord(p.Name), sandboxInputs(a.def, testRequests(a.def, p)), tsel, nil)
		}
		lock.SetImage(baseRecord, sandboxInputs(a.def, nil), bsel, nil)
		lock.SetImage(sandboxRecord(p.Name), sandboxInputs(a.def, buildRequires(a.def, p)), sel, nil)
	}
	return nil
}

// sandbox takes a package's sandbox for one architecture from the lock,
// split into the base and the rest.
func sandbox(lock *lockfile.Lockfile, def *definition.Definition, p *definition.Package, arch string) (*Build, error) {
	stale := func(err error) error {
		return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Lockfile out of date",
			Detail: fmt.Sprintf("The build sandbox of package %s: %v: run `distill lock` to refresh it.", p.Name, err), Subject: p.Build.Range.Ptr()}
	}
	base, _, err := lock.ImagePackages(baseRecord, sandboxInputs(def, nil), arch)
	if err != nil {
		return nil, stale(err)
	}
	full, _, err := lock.ImagePackages(sandboxRecord(p.Name), sandboxInputs(def, buildRequires(def, p)), arch)
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
	b := &Build{Package: p}
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
	for _, dep := range runtimeClosure(def, p.Build.RequiresBuilt) {
		for _, r := range dep.Runtime {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}
