package plan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/distill-build/distill/debian/arch"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/resolve"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options are what planning needs beyond the definition.
type Options struct {
	Fetcher archive.Fetcher
	// Keyring verifies InRelease files; nil means Debian's archive keys.
	Keyring *archive.Keyring
	// Now is the time Valid-Until and key expiry are checked at; zero
	// means the current time.
	Now time.Time
	// BuildPlatform is the platform builds run on natively: a package
	// with cross = true builds there for a foreign platform.
	BuildPlatform ocispecs.Platform
	// Warn, when set, receives what is suspicious but not wrong, found
	// while solving from the indexes: an exclude naming no package.
	Warn func(*hcl.Diagnostic)
	// Keep maps a Debian architecture to the package versions to keep
	// where the archive still has them and they satisfy what asks for
	// them (distill lock --update: every package but the named ones).
	Keep map[string]map[string]string
}

// repos resolves an image's packages against the definition's
// repositories, verifying from the InRelease signature down.
type repos struct {
	f       archive.Fetcher
	def     *definition.Definition
	keyring *archive.Keyring
	now     time.Time // for Valid-Until
	// buildArch is the build platform's Debian architecture, where cross
	// builds run.
	buildArch string
	releases  map[string]*archive.Release // by repository name
	indexes   map[string]*archive.Index   // by Debian architecture
	warn      func(*hcl.Diagnostic)
	warned    map[string]bool // warnings given, by range and summary
	keep      map[string]map[string]string
}

func newRepos(def *definition.Definition, o Options) (*repos, error) {
	if o.Fetcher == nil {
		return nil, errors.New("packages come from Debian archives, and nothing was given to fetch them with")
	}
	kr := o.Keyring
	if kr == nil {
		var err error
		if kr, err = archive.DebianKeyring(); err != nil {
			return nil, fmt.Errorf("loading Debian's archive keys: %w", err)
		}
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	return &repos{f: o.Fetcher, def: def, keyring: kr, now: now, buildArch: arch.ForPlatform(o.BuildPlatform), releases: map[string]*archive.Release{}, indexes: map[string]*archive.Index{},
		warn: o.Warn, warned: map[string]bool{}, keep: o.Keep}, nil
}

// warnf warns once per range and key: images share inherited lines, and
// architectures the same mistake.
func (a *repos) warnf(rng hcl.Range, key, summary, format string, args ...any) {
	d := &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: fmt.Sprintf(format, args...), Subject: rng.Ptr()}
	if key = rng.String() + "\x00" + key; a.warn != nil && !a.warned[key] {
		a.warned[key] = true
		a.warn(d)
	}
}

// checkExcludes warns of excluded names the index has no package of, nor
// a package providing: a typo there excludes nothing.
func (a *repos) checkExcludes(img *definition.Image, ix *archive.Index, arch string) {
	for _, name := range img.Exclude {
		if len(ix.Lookup(name)) > 0 {
			continue
		}
		if provs, err := ix.Providers(name); err == nil && len(provs) > 0 {
			continue
		}
		// Not naming the image: the line may be a parent's, warned once.
		a.warnf(img.AttrRange(definition.AttrExclude), name, "Unknown excluded package",
			"%q is no package of the archive for %s, so excluding it excludes nothing: check the name.", name, arch)
	}
}

// release fetches and verifies a repository's InRelease.
func (a *repos) release(ctx context.Context, r *definition.Repository) (*archive.Release, error) {
	if rel, ok := a.releases[r.Name]; ok {
		return rel, nil
	}
	rel, err := suite(r).Release(ctx, a.f, a.keyring, a.now)
	if err != nil {
		return nil, repoError(r, err)
	}
	a.releases[r.Name] = rel
	return rel, nil
}

// suite is where a repository block says its packages are.
func suite(r *definition.Repository) archive.Suite {
	return archive.Suite{URL: r.URL, Name: r.Suite, Label: r.Name, CheckValidUntil: r.CheckValidUntil}
}

// repoError ties an archive error to the repository block it concerns.
func repoError(r *definition.Repository, err error) error {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Repository " + r.Name,
		Detail: err.Error() + ".", Subject: r.DeclRange.Ptr()}
}

// index is every repository's Packages for one architecture, merged.
func (a *repos) index(ctx context.Context, arch string) (*archive.Index, error) {
	if ix, ok := a.indexes[arch]; ok {
		return ix, nil
	}
	var all []*archive.Index
	for _, r := range a.def.Repositories {
		rel, err := a.release(ctx, r)
		if err != nil {
			return nil, err
		}
		for _, comp := range r.Components {
			ix, err := suite(r).Packages(ctx, a.f, rel, comp, arch, r.Name)
			if err != nil {
				return nil, repoError(r, err)
			}
			all = append(all, ix)
		}
	}
	ix := archive.MergeIndexes(all...)
	a.indexes[arch] = ix
	return ix, nil
}

// resolve solves the image's packages for each platform, in a fixed order,
// preferring the first architecture's versions on the others so that every
// architecture gets the same versions where the archive allows.
func (a *repos) resolve(ctx context.Context, img *definition.Image, plats []ocispecs.Platform, lock *lockfile.Lockfile) error {
	reqs, err := requests(a.def, img)
	if err != nil {
		return err
	}
	var first map[string]string // the first architecture's versions
	for _, arch := range debianArchs(plats) {
		prefer := a.preferring(arch, first)
		foreign := foreignArchs(reqs, arch)
		ix, err := a.merged(ctx, append([]string{arch}, foreign...))
		if err != nil {
			return err
		}
		a.checkExcludes(img, ix, arch)
		sel, err := resolve.Resolve(ix, reqs, resolve.Options{Arch: arch, ForeignArchs: foreign, Exclude: exclude(img, reqs), Prefer: prefer})
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Unsatisfiable packages",
				Detail: fmt.Sprintf("Image %q for %s: %v.", img.Name, arch, err), Subject: img.AttrRange(definition.AttrPackages).Ptr()}
		}
		if first == nil {
			first = sel.Versions()
		}
		if err := lock.Add(sel); err != nil {
			return err
		}
		var ca *resolve.Selection
		if img.NeedsCA() {
			ca, err = resolve.Resolve(ix, []resolve.Request{{Name: caPackage}}, resolve.Options{Arch: arch, Prefer: prefer})
			if err != nil {
				return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "No CA certificates",
					Detail: fmt.Sprintf("Image %q for %s: %v.", img.Name, arch, err), Subject: img.AttrRange(definition.AttrCACertificates).Ptr()}
			}
			if err := lock.Add(ca); err != nil {
				return err
			}
		}
		lock.SetImage(img.Name, lockInputs(a.def, img), sel, ca)
	}
	return nil
}

// foreignArchs are the architectures other than native that requests name
// ("libc6:i386"), sorted: their indexes join the native one, as dpkg's
// --add-architecture does.
func foreignArchs(reqs []resolve.Request, native string) []string {
	var out []string
	for _, r := range reqs {
		if r.Arch != "" && r.Arch != native && !slices.Contains(out, r.Arch) {
			out = append(out, r.Arch)
		}
	}
	sort.Strings(out)
	return out
}

// merged is the index of several architectures, the native one first.
func (a *repos) merged(ctx context.Context, archs []string) (*archive.Index, error) {
	var all []*archive.Index
	for _, arch := range archs {
		ix, err := a.index(ctx, arch)
		if err != nil {
			return nil, err
		}
		all = append(all, ix)
	}
	if len(all) == 1 {
		return all[0], nil
	}
	return archive.MergeIndexes(all...), nil
}

// exclude is the image's exclusions without the packages it asks for: an
// image that extends one which excludes a package can still ask for it
// (cc asks for libgcc-s1, which base keeps out).
func exclude(img *definition.Image, reqs []resolve.Request) []string {
	var out []string
	for _, name := range img.Exclude {
		if !slices.ContainsFunc(reqs, func(r resolve.Request) bool { return r.Name == name }) {
			out = append(out, name)
		}
	}
	return out
}

// caPackage holds the certificates of an image's CA bundle.
const caPackage = "ca-certificates"

// requests parses the image's Debian package requests: its own, then the
// runtime requirements of the packages it builds from source. A bad one is
// reported where it is written.
func requests(def *definition.Definition, img *definition.Image) ([]resolve.Request, error) {
	var out []resolve.Request
	add := func(s string, rng hcl.Range) error {
		r, err := resolve.ParseRequest(s)
		if err != nil {
			return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid package request",
				Detail: err.Error() + ".", Subject: rng.Ptr()}
		}
		out = append(out, r)
		return nil
	}
	for _, s := range img.Packages {
		if err := add(s, img.AttrRange(definition.AttrPackages)); err != nil {
			return nil, err
		}
	}
	for _, s := range runtimeRequests(def, img) {
		if err := add(s.request, s.rng); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type runtimeRequest struct {
	request string
	rng     hcl.Range
}

// runtimeRequests are the Debian runtime requirements of the packages an
// image builds from source and of those they need at run time, in order,
// each once.
func runtimeRequests(def *definition.Definition, img *definition.Image) []runtimeRequest {
	var out []runtimeRequest
	seen := map[string]bool{}
	for _, p := range runtimeClosure(def, img.Built) {
		for _, s := range p.Runtime {
			if !seen[s] && !slices.Contains(img.Packages, s) {
				seen[s] = true
				out = append(out, runtimeRequest{s, p.RuntimeRange})
			}
		}
	}
	return out
}

// lockInputs is what an image's lock depends on in the definition.
func lockInputs(def *definition.Definition, img *definition.Image) lockfile.LockInputs {
	reqs, _ := requests(def, img) // already checked when the lock was made
	in := lockfile.LockInputs{Packages: slices.Clone(img.Packages), Exclude: exclude(img, reqs)}
	for _, p := range runtimeClosure(def, img.Built) {
		in.Packages = append(in.Packages, "(package "+p.Name+")")
	}
	for _, r := range runtimeRequests(def, img) {
		in.Packages = append(in.Packages, r.request)
	}
	if img.CACertificates {
		in.Packages = append(slices.Clone(in.Packages), "(ca_certificates)")
	}
	if img.JavaCACerts {
		in.Packages = append(slices.Clone(in.Packages), "(java_cacerts)")
	}
	for _, r := range def.Repositories {
		in.Repositories = append(in.Repositories, strings.Join(append([]string{r.Name, r.Suite}, r.Components...), " "))
	}
	return in
}

// imagePackages takes an image's packages for one architecture from the
// lockfile, and the package of its CA bundle; a lock that does not fit the
// definition any more is reported at the packages attribute.
func imagePackages(lock *lockfile.Lockfile, def *definition.Definition, img *definition.Image, arch string) ([]lockfile.LockedPackage, *lockfile.LockedPackage, error) {
	pkgs, ca, err := lock.ImagePackages(img.Name, lockInputs(def, img), arch)
	var nl *lockfile.NotLockedError
	var stale *lockfile.StaleLockError
	if errors.As(err, &nl) || errors.As(err, &stale) {
		return nil, nil, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Lockfile out of date",
			Detail: fmt.Sprintf("%v: run `distill lock` to refresh it.", err), Subject: img.AttrRange(definition.AttrPackages).Ptr()}
	}
	if err == nil && img.NeedsCA() && ca == nil {
		err = &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Lockfile out of date",
			Detail: "The lockfile has no CA certificates for image " + img.Name + ": run `distill lock` to refresh it.", Subject: img.AttrRange(definition.AttrCACertificates).Ptr()}
	}
	return pkgs, ca, err
}

// withURLs attaches each package's repository URL.
func withURLs(def *definition.Definition, pkgs []lockfile.LockedPackage) ([]Package, error) {
	urls := map[string]string{}
	for _, r := range def.Repositories {
		urls[r.Name] = r.URL
	}
	out := make([]Package, 0, len(pkgs))
	for _, p := range pkgs {
		u, ok := urls[p.Repository]
		if !ok {
			return nil, fmt.Errorf("package %s %s comes from repository %q, which the definition does not declare", p.Name, p.Version, p.Repository)
		}
		out = append(out, Package{LockedPackage: p, URL: u})
	}
	return out, nil
}

// debianArchs maps platforms to Debian architecture names, sorted.
func debianArchs(plats []ocispecs.Platform) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range plats {
		a := arch.ForPlatform(p)
		if !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// preferring is the versions to prefer on arch: those to keep, then
// versions over them (another architecture's, a sandbox's base).
func (a *repos) preferring(arch string, over map[string]string) map[string]string {
	if len(a.keep[arch]) == 0 {
		return over
	}
	if len(over) == 0 {
		return a.keep[arch] // read only: no copy
	}
	out := maps.Clone(a.keep[arch])
	maps.Copy(out, over)
	return out
}
