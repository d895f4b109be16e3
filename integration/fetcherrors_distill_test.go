package integration

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distill-build/distill/internal/aptsources"
)

// TestFetchErrors breaks each fetch a build makes, through a mirror on
// 127.0.0.1, and expects an error a user can act on: the definition's line,
// the URL, and what was expected and what came back.
func TestFetchErrors(t *testing.T) {
	b := needBed(t)
	upstream := aptsources.Mirrors("/")["debian"]
	if upstream == "" {
		t.Fatal("apt's sources name no debian mirror")
	}
	// The mirror, with a source tarball of its own.
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/src/app.tar.gz" {
			_, _ = w.Write([]byte("not the tarball the definition pins"))
			return
		}
		resp, err := http.Get(upstream + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	}))
	defer mirror.Close()

	const repo = `
variable "MIRROR" { default = "" }
repository "debian" {
  url        = MIRROR
  suite      = "%s"
  components = ["%s"]
}
`
	image := `
image "small" {
  platforms = ["linux/amd64"]
  packages  = ["netbase"]
}
`
	source := `
package "app" {
  version = "1"
  source "http" {
    url    = "${MIRROR}/src/app.tar.gz"
    sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
  }
  build {
    steps = ["true"]
  }
}
image "small" {
  platforms = ["linux/amd64"]
  packages  = [package.app]
}
`
	sprintf := func(suite, component string) string { return fmt.Sprintf(repo, suite, component) }
	for _, tc := range []struct {
		name, def, mirror string
		want              []string
	}{
		{"wrong suite", sprintf("bookwrm", "main") + image, mirror.URL,
			[]string{"distill.hcl:4", "Repository debian", mirror.URL + "/dists/bookwrm/InRelease", "404"}},
		{"wrong component", sprintf("bookworm", "mian") + image, mirror.URL,
			[]string{"distill.hcl:4", "Repository debian", "lists no mian/binary-amd64/Packages index"}},
		{"unreachable mirror", sprintf("bookworm", "main") + image, "http://127.0.0.1:1",
			[]string{"distill.hcl:4", "Repository debian", "http://127.0.0.1:1/dists/bookworm/InRelease", "connection refused"}},
		{"source checksum", sprintf("bookworm", "main") + source, mirror.URL,
			[]string{"distill.hcl:12", mirror.URL + "/src/app.tar.gz", "digest mismatch", "0000000000000000000000000000000000000000000000000000000000000000", "other bytes than the pinned sha256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := definition(t, b, tc.def, nil)
			// --no-cache: an index fetched before would come from the cache.
			_, stderr, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--no-cache", "--progress", "plain",
				"--build-arg", "MIRROR="+tc.mirror, "-o", "type=oci,dest="+filepath.Join(t.TempDir(), "x.tar"), ".")
			if err == nil {
				t.Fatal("the build succeeded")
			}
			// buildx prints the definition's lines before its ERROR line.
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("the error lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
