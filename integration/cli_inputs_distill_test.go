package integration

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const namedContextDefinition = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
package "named" {
  version = "1"
  source "context" {
    name = "extra"
    path = "."
    dest = "x"
  }
  build {
    steps = ["mkdir -p $DESTDIR/usr/share/named && cp x/hello.txt $DESTDIR/usr/share/named/"]
  }
}
image "named" {
  platforms = ["linux/amd64"]
  user      = "65532"
  packages  = [package.named]
}
`

// TestCLIBuildInputs drives the CLI with the buildx flags it takes beyond
// the definition: --build-context points a package's named context at a
// directory, --label reaches the config, --cache-to exports the cache and
// --cache-from imports it, and --no-cache-filter reruns one package.
func TestCLIBuildInputs(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	dir := definition(t, b, namedContextDefinition, nil)
	extra := t.TempDir()
	if err := os.WriteFile(filepath.Join(extra, "hello.txt"), []byte("from the named context\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	build := func(args ...string) (string, *OCILayout) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "named.tar")
		all := append([]string{"build", "--addr", b.BuildkitAddr, "--progress", "plain", "-o", "type=oci,dest=" + out,
			"--build-context", "extra=" + extra}, append(mirrorArgs(t), args...)...)
		_, stderr, err := run(t, exec.CommandContext(t.Context(), cli, append(all, filepath.Join(dir, "distill.hcl"))...))
		if err != nil {
			t.Fatal(err)
		}
		l, err := ReadOCILayout(out)
		if err != nil {
			t.Fatal(err)
		}
		return stderr, l
	}
	_, l := build("--label", "org.example.team=distill", "--cache-to", "type=local,dest="+cache+",mode=max")
	if f, ok := l.Images[0].File("/usr/share/named/hello.txt"); !ok || string(f.Data) != "from the named context\n" {
		t.Errorf("/usr/share/named/hello.txt: %q (present %v)", f.Data, ok)
	}
	if got := l.Images[0].Config.Config.Labels["org.example.team"]; got != "distill" {
		t.Errorf("label org.example.team = %q", got)
	}
	if _, err := os.Stat(filepath.Join(cache, "index.json")); err != nil {
		t.Errorf("--cache-to wrote no cache: %v", err)
	}

	progress, _ := build("--cache-from", "type=local,src="+cache, "--no-cache-filter", "package.named")
	if !strings.Contains(progress, "importing cache manifest") {
		t.Errorf("--cache-from imported nothing:\n%s", progress)
	}
	step := "[named 1 linux/amd64] mkdir -p"
	for _, line := range strings.Split(progress, "\n") {
		if strings.Contains(line, step) && strings.HasSuffix(line, "CACHED") {
			t.Errorf("the package's step came from the cache under --no-cache-filter package.named:\n%s", progress)
		}
	}
	if !strings.Contains(progress, step) {
		t.Errorf("no step %q in:\n%s", step, progress)
	}
}

// TestCLINamedContextKinds points a package's named context, through the
// CLI, at each kind of context buildx takes besides a directory: a git
// repository, a file over HTTP, an image in a registry and an OCI layout
// on disk; the
// package copies what it finds there into the image.
func TestCLINamedContextKinds(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	dir := definition(t, b, strings.Replace(namedContextDefinition,
		"cp x/hello.txt $DESTDIR/usr/share/named/", "cp -r x/. $DESTDIR/usr/share/named/", 1), nil)
	build := func(out, context string) *OCILayout {
		t.Helper()
		args := append([]string{"build", "--addr", b.BuildkitAddr, "--progress", "plain", "-o", out,
			"--build-context", "extra=" + context}, append(mirrorArgs(t), filepath.Join(dir, "distill.hcl"))...)
		if _, stderr, err := run(t, exec.CommandContext(t.Context(), cli, args...)); err != nil {
			t.Fatalf("--build-context extra=%s: %v\n%s", context, err, stderr)
		}
		if strings.HasSuffix(out, ".tar") {
			return readLayout(t, strings.TrimPrefix(out, "type=oci,dest="))
		}
		return nil
	}
	repo, _ := gitServer(t, map[string]string{"hello.txt": "from git\n"})
	file := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("over http\n"))
	}))
	t.Cleanup(file.Close)
	// An OCI layout directory: the git build's image, exported untarred.
	layout := filepath.Join(t.TempDir(), "layout")
	build("type=oci,tar=false,dest="+layout, repo+"#main")

	for _, tc := range []struct{ kind, context, file, content string }{
		{"git", repo + "#main", "/usr/share/named/hello.txt", "from git\n"},
		// As for a Dockerfile, a file over HTTP is the context's file "context".
		{"http", file.URL + "/hello.txt", "/usr/share/named/context", "over http\n"},
		{"docker-image", "docker-image://" + b.FrontendImage, "/usr/share/named/bin/distill-frontend", ""},
		{"oci-layout", "oci-layout://" + layout, "/usr/share/named/usr/share/named/hello.txt", "from git\n"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			img := build("type=oci,dest="+filepath.Join(t.TempDir(), "named.tar"), tc.context).Images[0]
			f, ok := img.File(tc.file)
			if !ok {
				t.Fatalf("no %s in the image", tc.file)
			}
			if tc.content != "" && string(f.Data) != tc.content {
				t.Errorf("%s: %q, want %q", tc.file, f.Data, tc.content)
			}
		})
	}
}
