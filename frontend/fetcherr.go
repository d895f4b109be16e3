package frontend

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

// mismatchURL finds the URL in BuildKit's HTTP source error.
var mismatchURL = regexp.MustCompile(`digest mismatch for (\S+):`)

// explainFetch turns BuildKit's "digest mismatch" for a .deb the lockfile
// pins into an error naming the package and the lockfile and saying what to
// do, keeping the original (and its source range) wrapped. Other errors,
// and builds without a lockfile, are returned as they are.
func explainFetch(err error, dt *llb.Definition, lock *lockfile.Lockfile, lockName string) error {
	if err == nil || lock == nil || !strings.Contains(err.Error(), "digest mismatch") {
		return err
	}
	url := failedURL(err, dt)
	if url == "" {
		return err
	}
	for _, arch := range slices.Sorted(maps.Keys(lock.Architectures)) {
		for _, p := range lock.Architectures[arch].Packages {
			if p.Filename != "" && strings.HasSuffix(url, "/"+p.Filename) {
				return fmt.Errorf("package %s %s (%s): the archive's .deb is not the one %s pins by its sha256: "+
					"the lock is older than the archive's packages, or names another archive; run distill lock to refresh it: %w",
					p.Name, p.Version, arch, lockName, err)
			}
		}
	}
	return err
}

// failedURL is the URL of the download that failed: from the message, or
// from the op of the vertex the error names.
func failedURL(err error, dt *llb.Definition) string {
	if m := mismatchURL.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	var ve *errdefs.VertexError
	if !errors.As(err, &ve) || ve.Vertex == nil || dt == nil {
		return ""
	}
	for _, b := range dt.Def {
		if digest.FromBytes(b).String() != ve.Digest {
			continue
		}
		var op pb.Op
		if op.UnmarshalVT(b) == nil && op.GetSource() != nil {
			return op.GetSource().Identifier
		}
	}
	return ""
}
