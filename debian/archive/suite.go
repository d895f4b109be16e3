package archive

import (
	"context"
	"fmt"
	"time"
)

// Fetcher downloads a file of an archive. With a sha256 the download is
// pinned: the fetcher checks the bytes and may answer from a cache keyed by
// the sum. The frontend fetches through BuildKit (llb.HTTP), so its cache and
// progress stream see every archive file; tools fetch over plain HTTP.
type Fetcher interface {
	Fetch(ctx context.Context, url, sha256, name string) ([]byte, error)
}

// Suite is one suite of an archive, laid out as Debian lays it out: the
// suite's files under <URL>/dists/<Name>/, its packages under <URL>/pool/.
type Suite struct {
	URL  string // the archive's base, without a trailing slash
	Name string // "bookworm", "bookworm-security"
	// Label names the suite in progress output ("[debian]"); may be empty.
	Label string
	// CheckValidUntil refuses an InRelease past its Valid-Until, as apt
	// does; snapshot archives turn it off (see Release.CheckValidUntil).
	CheckValidUntil bool
}

// Dir is the suite's directory relative to the archive: "dists/bookworm".
func (s Suite) Dir() string { return "dists/" + s.Name }

func (s Suite) url(path string) string { return s.URL + "/" + s.Dir() + "/" + path }

func (s Suite) progress(path string) string {
	name := "fetch " + s.Dir() + "/" + path
	if s.Label != "" {
		name = "[" + s.Label + "] " + name
	}
	return name
}

// Release fetches the suite's InRelease and verifies it with kr at now: its
// signature, that it is this suite's (a good signature on another suite's
// InRelease, an older release say, must not pass for this one), and, unless
// the suite opts out, its Valid-Until. Errors name the URL.
func (s Suite) Release(ctx context.Context, f Fetcher, kr *Keyring, now time.Time) (*Release, error) {
	url := s.url("InRelease")
	data, err := f.Fetch(ctx, url, "", s.progress("InRelease"))
	if err != nil {
		return nil, err
	}
	rel, err := VerifyInReleaseAt(data, kr, now)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", url, err)
	}
	if rel.Suite != s.Name && rel.Codename != s.Name {
		return nil, fmt.Errorf("%s is signed for suite %q (codename %q), not %q", url, rel.Suite, rel.Codename, s.Name)
	}
	if s.CheckValidUntil {
		if err := rel.CheckValidUntil(now); err != nil {
			return nil, fmt.Errorf("%s: %w", url, err)
		}
	}
	return rel, nil
}

// Packages fetches the Packages index of component for arch that rel lists,
// by hash where the archive serves that, and verifies it against rel.
func (s Suite) Packages(ctx context.Context, f Fetcher, rel *Release, component, arch, repository string) (*Index, error) {
	path, sum, _, err := rel.IndexFile(component, arch)
	if err != nil {
		return nil, err
	}
	data, err := s.fetchIndex(ctx, f, rel, path, sum)
	if err != nil {
		return nil, err
	}
	return rel.LoadPackages(path, data, IndexOptions{File: s.Dir() + "/" + path, Repository: repository})
}

// Source finds a source package at a version in the Sources index of
// component that rel lists, fetched by hash and verified against rel.
func (s Suite) Source(ctx context.Context, f Fetcher, rel *Release, component, name, version string) (*SourcePackage, error) {
	path, sum, _, err := rel.SourcesFile(component)
	if err != nil {
		return nil, err
	}
	data, err := s.fetchIndex(ctx, f, rel, path, sum)
	if err != nil {
		return nil, err
	}
	if err := rel.VerifyFile(path, data); err != nil {
		return nil, err
	}
	r, err := DecompressIndex(path, data)
	if err != nil {
		return nil, err
	}
	return FindSource(r, s.Dir()+"/"+path, name, version)
}

// fetchIndex downloads an index file rel lists, by hash. by-hash paths never
// change under a mirror update, but not every mirror serves them: it falls
// back to the plain path. That fetch is not pinned, because BuildKit keys
// pinned downloads by their checksum and would answer with the failed one;
// callers check the hash either way.
func (s Suite) fetchIndex(ctx context.Context, f Fetcher, rel *Release, path, sum string) ([]byte, error) {
	data, err := f.Fetch(ctx, s.url(rel.ByHashPath(path)), sum, s.progress(path))
	if err != nil && rel.ByHashPath(path) != path {
		data, err = f.Fetch(ctx, s.url(path), "", s.progress(path))
	}
	return data, err
}
