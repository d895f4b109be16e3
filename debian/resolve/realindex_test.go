package resolve

// Tests and benchmarks against the real Debian archive. The mirror is this
// host's apt configuration, never a name written here; the downloads are
// cached under os.UserCacheDir()/distill/test-indexes, verified on every use.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/internal/aptsources"
)

const (
	realSuite     = "bookworm"
	realComponent = "main"
	realArch      = "amd64"
	// realIndexFile is the compressed index the test downloads; the cache
	// keeps it decompressed, checked against the uncompressed entry.
	realIndexFile = realComponent + "/binary-" + realArch + "/Packages.xz"
	realPlainFile = realComponent + "/binary-" + realArch + "/Packages"
)

// realIndex is the verified real index, loaded once per test binary.
type realIndex struct {
	mirror    string
	inRelease []byte
	release   *archive.Release
	packages  []byte // uncompressed, verified
	err       error
}

var (
	realOnce sync.Once
	realData realIndex
)

func loadReal(tb testing.TB) *realIndex {
	tb.Helper()
	if testing.Short() {
		tb.Skip("skipped in -short mode: needs the Debian archive mirror of this host's apt sources (network) and a ~50 MB download")
	}
	realOnce.Do(func() { realData.load() })
	if realData.err != nil {
		tb.Fatal(realData.err)
	}
	return &realData
}

func (ri *realIndex) load() {
	// The host's Debian mirror serves bookworm whatever release the host
	// runs, so the test needs no bookworm source line.
	mirror := aptsources.Mirrors("/")["debian"]
	if mirror == "" {
		ri.err = fmt.Errorf("apt's sources name no Debian mirror to fetch %s's index from", realSuite)
		return
	}
	ri.mirror = strings.TrimSuffix(mirror, "/")
	u, err := url.Parse(ri.mirror)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		ri.err = fmt.Errorf("apt source %q is not an http(s) mirror", mirror)
		return
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "distill", "test-indexes", sanitize(u.Host+u.Path), realSuite)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		ri.err = err
		return
	}
	kr, err := archive.DebianKeyring()
	if err != nil {
		ri.err = err
		return
	}

	// Use the cached InRelease while it is fresh and its index is cached;
	// otherwise fetch both again.
	inPath := filepath.Join(dir, "InRelease")
	if st, err := os.Stat(inPath); err == nil && time.Since(st.ModTime()) < 24*time.Hour {
		if ri.fromCache(dir, inPath, kr) == nil {
			return
		}
	}
	dists := ri.mirror + "/dists/" + realSuite + "/"
	data, err := httpGet(dists + "InRelease")
	if err != nil {
		ri.err = err
		return
	}
	rel, err := archive.VerifyInRelease(data, kr)
	if err != nil {
		ri.err = err
		return
	}
	// Fetch by hash when the archive allows: that path cannot change under
	// us while the mirror updates.
	xzData, err := httpGet(dists + rel.ByHashPath(realIndexFile))
	if err != nil {
		ri.err = err
		return
	}
	rd, err := func() (io.Reader, error) {
		if err := rel.VerifyFile(realIndexFile, xzData); err != nil {
			return nil, err
		}
		return archive.DecompressIndex(realIndexFile, xzData)
	}()
	if err != nil {
		ri.err = err
		return
	}
	plain, err := io.ReadAll(rd)
	if err != nil {
		ri.err = err
		return
	}
	if err := rel.VerifyFile(realPlainFile, plain); err != nil {
		ri.err = err
		return
	}
	if err := writeAtomic(filepath.Join(dir, "Packages-"+rel.Files[realPlainFile].SHA256), plain); err != nil {
		ri.err = err
		return
	}
	if err := writeAtomic(inPath, data); err != nil {
		ri.err = err
		return
	}
	ri.inRelease, ri.release, ri.packages = data, rel, plain
}

func (ri *realIndex) fromCache(dir, inPath string, kr *archive.Keyring) error {
	data, err := os.ReadFile(inPath)
	if err != nil {
		return err
	}
	rel, err := archive.VerifyInRelease(data, kr)
	if err != nil {
		return err
	}
	f, ok := rel.Files[realPlainFile]
	if !ok {
		return fmt.Errorf("no %s", realPlainFile)
	}
	plain, err := os.ReadFile(filepath.Join(dir, "Packages-"+f.SHA256))
	if err != nil {
		return err
	}
	if err := rel.VerifyFile(realPlainFile, plain); err != nil {
		return err
	}
	ri.inRelease, ri.release, ri.packages = data, rel, plain
	return nil
}

func sanitize(s string) string {
	return regexp.MustCompile(`[^A-Za-z0-9._-]+`).ReplaceAllString(strings.Trim(s, "/"), "_")
}

func httpGet(u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (ri *realIndex) index(tb testing.TB) *archive.Index {
	tb.Helper()
	ix, err := archive.ParsePackagesWith(bytes.NewReader(ri.packages), archive.IndexOptions{File: ri.release.Dir + "/" + realPlainFile, Repository: "debian"})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

func TestRealIndex(t *testing.T) {
	ri := loadReal(t)
	t.Logf("%s %s (%s), signed by %s", ri.release.Dir, ri.release.Version, ri.release.Date.Format(time.RFC3339), strings.Join(ri.release.SignedBy, "; "))
	ix := ri.index(t)
	if ix.Len() < 50000 {
		t.Fatalf("only %d packages", ix.Len())
	}

	// The signature and the hash chain hold, and catch changes.
	if _, err := archive.VerifyInRelease(bytes.Replace(ri.inRelease, []byte("Codename: bookworm"), []byte("Codename: bookwork"), 1), mustDebianKeyring(t)); err == nil {
		t.Error("a changed InRelease verified")
	}
	if err := ri.release.VerifyFile(realPlainFile, ri.packages[:len(ri.packages)-1]); err == nil {
		t.Error("a changed Packages verified")
	}

	for _, name := range []string{"python3", "base-files", "libc6", "libssl3", "ca-certificates"} {
		sel, err := Resolve(ix, []Request{{Name: name}}, Options{Arch: realArch})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if sel.Lookup(name) == nil || !sel.Lookup(name).Requested {
			t.Errorf("%s: not in its own closure", name)
		}
		if sel.Lookup("libc6") == nil {
			t.Errorf("%s: closure without libc6", name)
		}
		var size int64
		for _, p := range sel.Packages {
			size += p.Size
			if p.SHA256 == "" || p.Filename == "" || p.Size == 0 {
				t.Errorf("%s: %s has no Filename, SHA256 or Size", name, p.Key())
			}
		}
		t.Logf("%-16s %2d packages, %6.1f MB of .debs: %s", name, len(sel.Packages), float64(size)/1e6, strings.Join(sel.Keys(), " "))
	}
}

func mustDebianKeyring(t testing.TB) *archive.Keyring {
	kr, err := archive.DebianKeyring()
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// TestRealIndexAgainstApt compares closures with apt's, run on the very same
// index (a throw-away apt configuration whose only list is the verified
// Packages file, and an empty dpkg status: nothing installed, so nothing
// Essential is taken as present).
func TestRealIndexAgainstApt(t *testing.T) {
	ri := loadReal(t)
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Fatal("apt-get is not installed: nothing to compare with")
	}
	ix := ri.index(t)
	apt := newAptSim(t, aptArchive{
		suite:     realSuite,
		component: realComponent,
		inRelease: ri.inRelease,
		packages:  map[string][]byte{realArch: ri.packages},
	}, []string{realArch})

	var essential []string
	seen := map[string]bool{}
	for _, p := range ix.Packages() {
		if p.Essential && !seen[p.Name] {
			seen[p.Name] = true
			essential = append(essential, p.Name)
		}
	}
	sort.Strings(essential)

	cases := []struct {
		name string
		reqs []string
		opts Options
	}{
		{"python3", []string{"python3"}, Options{}},
		{"base-files", []string{"base-files"}, Options{}},
		{"libc6", []string{"libc6"}, Options{}},
		{"libssl3", []string{"libssl3"}, Options{}},
		{"ca-certificates", []string{"ca-certificates"}, Options{}},
		{"distroless base", []string{"base-files", "netbase", "tzdata", "media-types", "libc6", "libssl3", "ca-certificates"}, Options{}},
		{"nodejs", []string{"nodejs"}, Options{}},
		{"openjdk-17-jre-headless", []string{"openjdk-17-jre-headless"}, Options{}},
		{"build-essential", []string{"build-essential"}, Options{}},
		// apt has no switch for "the Essential set": ask for its names.
		{"essential set", essential, Options{Essential: true}},
		// A build sandbox's base: usr-is-merged keeps usrmerge, and with
		// it perl, out (61 packages rather than 69 on bookworm amd64).
		{"sandbox base", append([]string{"usr-is-merged"}, essential...), Options{Essential: true}},
	}
	for _, c := range cases {
		t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
			o := c.opts
			o.Arch = realArch
			start := time.Now()
			sel, err := Resolve(ix, reqs(t, c.reqs...), o)
			ours := time.Since(start)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, p := range sel.Packages {
				got[sel.Key(p.Package)] = p.Version
			}
			start = time.Now()
			want := apt.install(t, c.reqs)
			aptTime := time.Since(start)
			var diffs []string
			for _, k := range slices.Sorted(maps.Keys(got)) {
				if v, ok := want[k]; !ok {
					diffs = append(diffs, fmt.Sprintf("+%s=%s (only distill)", k, got[k]))
				} else if v != got[k] {
					diffs = append(diffs, fmt.Sprintf("~%s: distill %s, apt %s", k, got[k], v))
				}
			}
			for _, k := range slices.Sorted(maps.Keys(want)) {
				if _, ok := got[k]; !ok {
					diffs = append(diffs, fmt.Sprintf("-%s=%s (only apt)", k, want[k]))
				}
			}
			t.Logf("%d packages (apt: %d); resolve %v, apt-get -s %v", len(got), len(want), ours.Round(time.Microsecond), aptTime.Round(time.Millisecond))
			if len(diffs) > 0 {
				t.Errorf("closure differs from apt's:\n%s", strings.Join(diffs, "\n"))
			}
		})
	}
}
