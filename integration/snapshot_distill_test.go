package integration

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/distill-build/distill/internal/aptsources"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
)

const snapshotDefinition = `
variable "MIRROR" { default = "" }
variable "SNAPSHOT" { default = "" }
repository "debian" {
  url      = MIRROR
  suite    = "bookworm"
  snapshot = SNAPSHOT
}
image "small" {
  platforms = ["linux/amd64"]
  packages  = ["netbase"]
}
`

// snapshotMirror is a loopback mirror that has dropped some pool files, and
// a snapshot service that serves the archive at any time under
// /snapshot/archive/debian/TIME/: both read through to the real mirror,
// whose URL upstream is, the first under /debian.
type snapshotMirror struct {
	upstream string
	mu       sync.Mutex
	dropped  map[string]bool // mirror paths answered with 404
	snapGone bool            // the snapshot answers 404 too
	asked    []string        // snapshot paths asked for
}

func (m *snapshotMirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/snapshot/archive/debian/"); ok {
		m.asked = append(m.asked, p)
		_, p, _ = strings.Cut(rest, "/") // past the time
		p = "/" + p
		if m.snapGone {
			m.mu.Unlock()
			http.NotFound(w, r)
			return
		}
	} else if m.dropped[p] {
		m.mu.Unlock()
		http.NotFound(w, r)
		return
	} else {
		p = strings.TrimPrefix(p, "/debian")
	}
	m.mu.Unlock()
	resp, err := http.Get(m.upstream + p)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// TestSnapshotFallback locks a definition whose repository names a
// snapshot, then has the mirror drop the locked .deb: the build fetches it
// from the snapshot as of the lock's time, still checked against the
// locked sha256. When the snapshot lacks it too, the error names the
// package and the snapshot's URL. (BuildKit keeps a 404's page as a pinned
// download and reports a digest mismatch, not the status.)
func TestSnapshotFallback(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	m := &snapshotMirror{upstream: aptsources.Mirrors("/")["debian"], dropped: map[string]bool{}}
	if m.upstream == "" {
		t.Fatal("apt's sources name no debian mirror")
	}
	srv := httptest.NewServer(m)
	defer srv.Close()
	dir := definition(t, b, snapshotDefinition, nil)
	def := filepath.Join(dir, "distill.hcl")
	distill := distillCLI(t, cli, b.BuildkitAddr,
		"--build-arg", "MIRROR="+srv.URL+"/debian", "--build-arg", "SNAPSHOT="+srv.URL+"/snapshot/archive/debian")
	if stderr, err := distill("lock", def); err != nil {
		t.Fatalf("lock: %v\n%s", err, stderr)
	}
	data, err := os.ReadFile(filepath.Join(dir, "distill.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if lock.LockedAt.IsZero() {
		t.Fatalf("the lockfile has no locked_at:\n%s", data)
	}
	var deb string
	for _, p := range lock.Architectures["amd64"].Packages {
		if p.Name == "netbase" {
			deb = "/debian/" + p.Filename
		}
	}
	if deb == "" {
		t.Fatalf("netbase is not locked:\n%s", data)
	}
	m.mu.Lock()
	m.dropped[deb] = true
	m.mu.Unlock()

	// --no-cache: BuildKit would otherwise take the .deb from its cache by
	// its sha256, asking no one.
	out := filepath.Join(t.TempDir(), "small.tar")
	stderr, err := distill("build", "--no-cache", "-o", "type=oci,dest="+out, def)
	if err != nil {
		t.Fatalf("build with the .deb dropped from the mirror: %v\n%s", err, stderr)
	}
	want := "/snapshot/archive/debian/" + lock.LockedAt.Format(plan.SnapshotLayout) + strings.TrimPrefix(deb, "/debian")
	m.mu.Lock()
	asked := append([]string(nil), m.asked...)
	m.mu.Unlock()
	if len(asked) != 1 || asked[0] != want {
		t.Errorf("the snapshot was asked for %q, want [%s]", asked, want)
	}
	img, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.Images[0].File("/etc/services"); !ok {
		t.Error("the image lacks netbase's /etc/services")
	}

	m.mu.Lock()
	m.snapGone = true
	m.mu.Unlock()
	stderr, err = distill("build", "--no-cache", "-o", "type=oci,dest="+filepath.Join(t.TempDir(), "x.tar"), def)
	if err == nil {
		t.Fatal("the build succeeded with the .deb in neither the mirror nor the snapshot")
	}
	for _, w := range []string{"fetch netbase", "from the repository's snapshot", want, "after the mirror failed", "may not have the file"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("the error lacks %q:\n%s", w, stderr)
		}
	}
}
