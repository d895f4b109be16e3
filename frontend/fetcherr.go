package frontend

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/solver/errdefs"
)

// sha256Digest matches the digests in BuildKit's HTTP source errors, which
// say "digest mismatch GOT: PINNED" or "digest mismatch for URL: GOT
// (expected: PINNED)" depending on the path that checked.
var sha256Digest = regexp.MustCompile(`sha256:([0-9a-f]{64})`)

// explainFetch turns BuildKit's "digest mismatch" for a .deb the lockfile
// pins into an error naming the package and the lockfile and saying what to
// do, with the original's message and source ranges. The package is
// the one whose pinned sha256 the message names. Other errors, and builds
// without a lockfile, are returned as they are.
func explainFetch(err error, lock *lockfile.Lockfile, lockName string) error {
	if err == nil || lock == nil || !strings.Contains(err.Error(), "digest mismatch") {
		return err
	}
	p, arch, ok := lockedDeb(err, lock)
	if !ok {
		return err
	}
	// Not %w: BuildKit sends an error wrapping a gRPC status as that status
	// alone, and this message would be lost. The ranges go along as they
	// are.
	out := errors.New(notPinned(p, arch, lockName) +
		"the lock is older than the archive's packages, or names another archive; run distill lock to refresh it: " + err.Error())
	for _, src := range errdefs.Sources(err) {
		out = errdefs.WithSource(out, src)
	}
	return out
}

// notPinned begins the explanation of a locked .deb whose bytes are not
// the ones the lock pins.
func notPinned(p lockfile.LockedPackage, arch, lockName string) string {
	return fmt.Sprintf("package %s %s (%s): the archive's .deb is not the one %s pins by its sha256: ", p.Name, p.Version, arch, lockName)
}

// lockedDeb is the locked .deb whose pinned sha256 err names, and its
// architecture in the lock.
func lockedDeb(err error, lock *lockfile.Lockfile) (lockfile.LockedPackage, string, bool) {
	if lock == nil {
		return lockfile.LockedPackage{}, "", false
	}
	for _, m := range sha256Digest.FindAllStringSubmatch(err.Error(), -1) {
		for _, arch := range slices.Sorted(maps.Keys(lock.Architectures)) {
			for _, p := range lock.Architectures[arch].Packages {
				if p.SHA256 == m[1] {
					return p, arch, true
				}
			}
		}
	}
	return lockfile.LockedPackage{}, "", false
}
