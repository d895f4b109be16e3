package frontend

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/errdefs"
	digest "github.com/opencontainers/go-digest"
)

// TestExplainFetch checks that a .deb whose bytes differ from the lock is
// reported by package and lockfile, with what to do, whichever way BuildKit
// words the mismatch.
func TestExplainFetch(t *testing.T) {
	data, err := os.ReadFile("../examples/distroless-debian12/distill.lock.json")
	if err != nil {
		t.Fatal(err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var p lockfile.LockedPackage
	for _, q := range lock.Architectures["arm64"].Packages {
		if q.Name == "base-files" {
			p = q
		}
	}
	url := "http://mirror.invalid/debian/" + p.Filename
	st := llb.HTTP(url, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, p.SHA256)))
	dt, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	source := digest.FromBytes(dt.Def[0]) // the HTTP op; the last is the result
	want := "package base-files " + p.Version + " (arm64): the archive's .deb is not the one distill.lock.json pins by its sha256: " +
		"the lock is older than the archive's packages, or names another archive; run distill lock to refresh it: "
	for _, tc := range []struct {
		name string
		err  error
		lock *lockfile.Lockfile
		want string // prefix; "" for the error unchanged
	}{
		{name: "message names the URL", err: errors.New("digest mismatch for " + url + ": sha256:00 (expected: sha256:" + p.SHA256 + ")"), lock: lock, want: want},
		{name: "vertex names the op", err: errdefs.WrapVertex(errors.New("digest mismatch sha256:00: sha256:11"), source), lock: lock, want: want},
		{name: "no lockfile", err: errors.New("digest mismatch for " + url + ": x"), lock: nil},
		{name: "not a locked file", err: errors.New("digest mismatch for http://mirror.invalid/other.tar.gz: x"), lock: lock},
		{name: "another error", err: errors.New("process did not complete successfully"), lock: lock},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explainFetch(tc.err, dt, tc.lock, "distill.lock.json")
			if tc.want == "" {
				if got.Error() != tc.err.Error() {
					t.Errorf("error changed to %v", got)
				}
				return
			}
			if !strings.HasPrefix(got.Error(), tc.want) || !errors.Is(got, tc.err) {
				t.Errorf("error %q, want it to start %q and wrap the original", got, tc.want)
			}
		})
	}
}
