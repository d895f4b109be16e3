package frontend

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/distill-build/distill/lockfile"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
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
	other := strings.Repeat("0", 64)
	src := &errdefs.Source{Info: &pb.SourceInfo{Filename: "distill.hcl"}, Ranges: []*pb.Range{{Start: &pb.Position{Line: 3}}}}
	want := "package base-files " + p.Version + " (arm64): the archive's .deb is not the one distill.lock.json pins by its sha256: " +
		"the lock is older than the archive's packages, or names another archive; run distill lock to refresh it: "
	for _, tc := range []struct {
		name string
		err  error
		lock *lockfile.Lockfile
		want string // prefix; "" for the error unchanged
	}{
		// The two wordings of BuildKit's HTTP source.
		{name: "with the URL", err: errors.New("digest mismatch for " + url + ": sha256:" + other + " (expected: sha256:" + p.SHA256 + ")"), lock: lock, want: want},
		{name: "digests only", err: errdefs.WithSource(errors.New("digest mismatch sha256:"+other+": sha256:"+p.SHA256), src), lock: lock, want: want},
		{name: "no lockfile", err: errors.New("digest mismatch sha256:" + other + ": sha256:" + p.SHA256), lock: nil},
		{name: "not a locked file", err: errors.New("digest mismatch for http://mirror.invalid/other.tar.gz: sha256:" + other + " (expected: sha256:" + other + ")"), lock: lock},
		{name: "another error", err: errors.New("process did not complete successfully"), lock: lock},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explainFetch(tc.err, tc.lock, "distill.lock.json")
			if tc.want == "" {
				if got.Error() != tc.err.Error() {
					t.Errorf("error changed to %v", got)
				}
				return
			}
			if !strings.HasPrefix(got.Error(), tc.want) || !strings.HasSuffix(got.Error(), tc.err.Error()) ||
				len(errdefs.Sources(got)) != len(errdefs.Sources(tc.err)) {
				t.Errorf("error %q, want it to start %q and keep the original's message and ranges", got, tc.want)
			}
		})
	}
}
