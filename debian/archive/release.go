package archive

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/distill-build/distill/debian/control"
)

// Release is a suite's Release file (the signed part of InRelease): what the
// suite is and the SHA256 and size of every index file under it.
type Release struct {
	Origin, Label, Suite, Codename, Version string
	Date                                    time.Time
	ValidUntil                              time.Time // zero when absent
	Architectures, Components               []string
	// AcquireByHash: the archive also serves each index under
	// <dir>/by-hash/SHA256/<hash>, a path that never changes content.
	AcquireByHash bool
	// Files maps a path relative to the suite directory, such as
	// "main/binary-amd64/Packages.xz", to its SHA256 and size.
	Files map[string]ReleaseFile

	// Dir is the suite's directory relative to the archive root, used in
	// messages ("dists/bookworm"); ParseRelease sets it from Codename, or
	// Suite when there is no Codename. Callers may change it.
	Dir string
	// SignedBy lists the keys whose good signatures VerifyInRelease found,
	// as "FINGERPRINT (user id)".
	SignedBy []string
}

// ReleaseFile is one entry of a Release file's SHA256 list.
type ReleaseFile struct {
	Path   string
	SHA256 string // lower-case hex
	Size   int64
}

// ParseRelease parses the text of a Release file. It does not check any
// signature: use VerifyInRelease for data from the network.
func ParseRelease(data []byte) (*Release, error) {
	cr := control.NewControlReader(bytes.NewReader(data), "Release")
	p, err := cr.Next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("Release: empty")
	}
	if err != nil {
		return nil, err
	}
	r := &Release{Files: map[string]ReleaseFile{}}
	r.Origin = p.String("Origin")
	r.Label = p.String("Label")
	r.Suite = p.String("Suite")
	r.Codename = p.String("Codename")
	r.Version = p.String("Version")
	r.Architectures = strings.Fields(p.String("Architectures"))
	r.Components = strings.Fields(p.String("Components"))
	r.AcquireByHash = p.String("Acquire-By-Hash") == "yes"
	if s := p.String("Date"); s != "" {
		if r.Date, err = parseReleaseDate(s); err != nil {
			return nil, fmt.Errorf("Release: Date: %w", err)
		}
	}
	if s := p.String("Valid-Until"); s != "" {
		if r.ValidUntil, err = parseReleaseDate(s); err != nil {
			return nil, fmt.Errorf("Release: Valid-Until: %w", err)
		}
	}
	sums, ok := p.Get("SHA256")
	if !ok {
		return nil, fmt.Errorf("Release: no SHA256 field (MD5Sum and SHA1 alone are not trusted)")
	}
	err = control.ValueLines(sums, func(line []byte) error {
		f := strings.Fields(string(line))
		if len(f) != 3 {
			return fmt.Errorf("Release: SHA256: malformed line %q", line)
		}
		sum := strings.ToLower(f[0])
		if b, err := hex.DecodeString(sum); err != nil || len(b) != 32 {
			return fmt.Errorf("Release: SHA256: invalid hash %q for %s", f[0], f[2])
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("Release: SHA256: invalid size %q for %s", f[1], f[2])
		}
		r.Files[f[2]] = ReleaseFile{Path: f[2], SHA256: sum, Size: size}
		return nil
	})
	if err != nil {
		return nil, err
	}
	switch {
	case r.Codename != "":
		r.Dir = "dists/" + r.Codename
	case r.Suite != "":
		r.Dir = "dists/" + r.Suite
	}
	return r, nil
}

// parseReleaseDate parses a Release date, RFC 2822 style as dak writes it
// ("Sat, 10 Jun 2023 08:53:33 UTC"), with a few tolerated variants.
func parseReleaseDate(s string) (time.Time, error) {
	for _, layout := range []string{
		time.RFC1123, time.RFC1123Z,
		"Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse date %q", s)
}

// CheckValidUntil returns an error if the Release carries a Valid-Until date
// before now: the mirror serves an outdated InRelease, or an attacker
// replays an old one to hide security fixes (a freeze attack), which apt
// refuses too. Snapshots of the archive are expected to fail it, which is why
// VerifyInRelease does not call it and callers offer an opt-out.
func (r *Release) CheckValidUntil(now time.Time) error {
	if !r.ValidUntil.IsZero() && now.After(r.ValidUntil) {
		return fmt.Errorf("%s/InRelease expired on %s (Valid-Until): the mirror serves an outdated or replayed index; "+
			"for a snapshot archive set check_valid_until = false", r.Dir, r.ValidUntil.Format(time.RFC1123))
	}
	return nil
}

// IndexCompressions lists the compressions of a Packages index that
// IndexFile chooses from, best first. gzip comes first because it unpacks
// several times faster than xz in Go, which matters more than the ~30%
// larger download for an index fetched once and then cached; xz serves
// suites that publish no .gz.
var IndexCompressions = []string{".gz", ".xz", ""}

// IndexFile returns the path (relative to the suite directory), SHA256 and
// size of the Packages index of component for arch, in the first of
// IndexCompressions that the Release lists.
func (r *Release) IndexFile(component, arch string) (path, sha256 string, size int64, err error) {
	return r.indexFile(component + "/binary-" + arch + "/Packages")
}

// SourcesFile is IndexFile for the Sources index of component.
func (r *Release) SourcesFile(component string) (path, sha256 string, size int64, err error) {
	return r.indexFile(component + "/source/Sources")
}

func (r *Release) indexFile(base string) (path, sha256 string, size int64, err error) {
	kind := base[strings.LastIndexByte(base, '/')+1:]
	for _, ext := range IndexCompressions {
		if f, ok := r.Files[base+ext]; ok {
			return f.Path, f.SHA256, f.Size, nil
		}
	}
	var have []string
	for p := range r.Files {
		if strings.HasSuffix(p, "/"+kind) {
			have = append(have, strings.TrimSuffix(p, "/"+kind))
		}
	}
	sort.Strings(have)
	if len(have) > 20 {
		have = append(have[:20], "…")
	}
	return "", "", 0, fmt.Errorf("%s/InRelease lists no %s index (it has: %s)", r.Dir, base, strings.Join(have, ", "))
}

// ByHashPath returns the path under which an archive with Acquire-By-Hash
// serves the file: "<dir of path>/by-hash/SHA256/<sha256>". Those paths do
// not change content when the archive updates, so a fetch pinned by hash
// cannot race a mirror update. Without Acquire-By-Hash it returns path.
func (r *Release) ByHashPath(path string) string {
	f, ok := r.Files[path]
	if !ok || !r.AcquireByHash {
		return path
	}
	dir := ""
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		dir = path[:i+1]
	}
	return dir + "by-hash/SHA256/" + f.SHA256
}

// HashMismatchError reports a downloaded file whose SHA256 or size differs
// from what a signed index lists for it.
type HashMismatchError struct {
	File               string // the file, as the archive names it
	Listed             string // which index lists it, e.g. "dists/bookworm/InRelease"
	WantSHA256, SHA256 string
	WantSize, Size     int64
}

func (e *HashMismatchError) Error() string {
	return fmt.Sprintf("%s: sha256 %s (%d bytes) does not match %s, which lists sha256 %s (%d bytes)",
		e.File, e.SHA256, e.Size, e.Listed, e.WantSHA256, e.WantSize)
}

// VerifyFile checks data, downloaded from path (relative to the suite
// directory), against the SHA256 and size the Release lists.
func (r *Release) VerifyFile(path string, data []byte) error {
	f, ok := r.Files[path]
	if !ok {
		return fmt.Errorf("%s/%s: not listed in %s/InRelease", r.Dir, path, r.Dir)
	}
	return verifyBytes(r.Dir+"/"+path, r.Dir+"/InRelease", f.SHA256, f.Size, data)
}

func verifyBytes(file, listed, wantSum string, wantSize int64, data []byte) error {
	got := sha256Hex(data)
	if got != wantSum || int64(len(data)) != wantSize {
		return &HashMismatchError{File: file, Listed: listed, WantSHA256: wantSum, SHA256: got, WantSize: wantSize, Size: int64(len(data))}
	}
	return nil
}

// LoadPackages verifies data, the index downloaded from path (as IndexFile
// names it), against the Release, decompresses it and parses it.
func (r *Release) LoadPackages(path string, data []byte, o IndexOptions) (*Index, error) {
	if err := r.VerifyFile(path, data); err != nil {
		return nil, err
	}
	rd, err := DecompressIndex(path, data)
	if err != nil {
		return nil, err
	}
	if o.File == "" {
		o.File = r.Dir + "/" + path
	}
	return ParsePackagesWith(rd, o)
}
