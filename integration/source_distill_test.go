package integration

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestHelloFromSource builds examples/hello — GNU hello from its upstream
// tarball, in a sandbox made from Debian packages, natively for amd64 and
// cross-compiled for arm64 — runs it in the image on both,
// then checks the per-step cache: a rebuild with nothing changed runs no
// step, and a changed last step reruns alone; a failing test fails the build.
func TestHelloFromSource(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "hello")
	ref := fmt.Sprintf("%s/distill/hello:test", b.Registry)
	build := func(args ...string) string {
		t.Helper()
		args = append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain"}, mirrorArgs(t)...), args...)
		_, stderr, err := b.Buildx(t, dir, append(args, ".")...)
		if err != nil {
			t.Fatal(err)
		}
		return stderr
	}
	build("-o", "type=image,name="+ref+",push=true,registry.insecure=true")

	stderr := runInImage(t, b, ref, "linux/amd64,linux/arm64", `RUN ["/usr/bin/hello", "--greeting=hello from source"]`)
	if n := strings.Count(stderr, "hello from source"); n < 2 {
		t.Errorf("hello greeted %d times, want once on amd64 and once on arm64 (cross-compiled):\n%s", n, stderr)
	}

	// Nothing changed: every step comes from the cache.
	steps := stepStates(build("-o", "type=cacheonly"))
	if len(steps) != 6 {
		t.Fatalf("steps %v, want the example's 3 for each of 2 platforms", steps)
	}
	for name, cached := range steps {
		if !cached {
			t.Errorf("step %q ran again with nothing changed", name)
		}
	}
	// The last step changed: it alone reruns.
	src, err := os.ReadFile(filepath.Join(dir, "distill.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), `"make install-strip DESTDIR=$DESTDIR"`, `"make install DESTDIR=$DESTDIR"`, 1)
	if changed == string(src) {
		t.Fatal("examples/hello has no install-strip step to change")
	}
	if err := os.WriteFile(filepath.Join(dir, "distill.hcl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	steps = stepStates(build("-o", "type=cacheonly"))
	for name, cached := range steps {
		if last := strings.Contains(name, "make install DESTDIR"); cached == last {
			t.Errorf("step %q: cached %v after the last step changed", name, cached)
		}
	}

	// A failing test fails the build, showing its output.
	failing := strings.Replace(changed, `"hello --version",`, `"echo checking the greeting; hello | grep -q Goodbye",`, 1)
	if err := os.WriteFile(filepath.Join(dir, "distill.hcl"), []byte(failing), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "-o", "type=cacheonly"}, mirrorArgs(t)...), ".")
	_, stderr, err = b.Buildx(t, dir, args...)
	if err == nil {
		t.Fatal("a failing test did not fail the build")
	}
	for _, w := range []string{"test: echo checking the greeting", "checking the greeting", "distill.hcl:"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("output lacks %q:\n%s", w, stderr)
		}
	}
}

// pushImage builds the definition in dir as an image pushed to the bed's
// registry under distill/NAME:test, and returns its reference and buildx's
// output.
func pushImage(t *testing.T, b *Bed, dir, name string) (string, string) {
	t.Helper()
	ref := fmt.Sprintf("%s/distill/%s:test", b.Registry, name)
	args := append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "-o", "type=image,name=" + ref + ",push=true,registry.insecure=true"}, mirrorArgs(t)...)
	_, stderr, err := b.Buildx(t, dir, append(args, ".")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	return ref, stderr
}

// runInImage runs a Dockerfile instruction (RUN […]) in the image ref, for
// platforms ("" for the default), without cache, and returns buildx's
// output, where the program's own output shows.
func runInImage(t *testing.T, b *Bed, ref, platforms, instruction string) string {
	t.Helper()
	work := t.TempDir()
	df := filepath.Join(work, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM "+ref+"\n"+instruction+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"build", "-f", df, "--progress", "plain", "--no-cache", "."}
	if platforms != "" {
		args = append([]string{"build", "-f", df, "--platform", platforms}, args[3:]...)
	}
	_, stderr, err := b.Buildx(t, work, args...)
	if err != nil {
		t.Fatal(err)
	}
	return stderr
}

// packageOps reads buildx's plain progress: for each exec of a package built
// from source ("[NAME VERSION PLATFORM] …": its steps, unpacking, splitting),
// whether it came from the cache. Downloads and file operations are left
// out: BuildKit checks an HTTP source again on every build.
func packageOps(progress string) map[string]bool {
	vertex := regexp.MustCompile(`^\[\S+ \S+ linux/[^\]]+\] (.*)$`)
	notExec := regexp.MustCompile(`^(fetch |inline source|add |collect |load |stage package |package |control file)`)
	return cachedByName(progress, func(name string) bool {
		m := vertex.FindStringSubmatch(name)
		return m != nil && !notExec.MatchString(m[1])
	})
}

// stepStates reads buildx's plain progress: for each build step of hello
// (named "[hello 2.10 PLATFORM] COMMAND"), whether it came from the cache.
func stepStates(progress string) map[string]bool {
	return cachedByName(progress, regexp.MustCompile(`^\[hello 2\.10 linux/[^\]]+\] (?:\./configure|make)`).MatchString)
}

// gitServer serves a fresh repository with one commit over HTTP from
// 127.0.0.1, through git's own http-backend, and returns its URL and the
// commit, tagged v1; v2 tags a later one.
func gitServer(t *testing.T, files map[string]string) (string, string) {
	t.Helper()
	root := t.TempDir()
	repo := filepath.Join(root, "src.git")
	gitCmd := func(dir string, args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.org", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.org", "GIT_AUTHOR_DATE=2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2024-01-01T00:00:00Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	work := filepath.Join(root, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	gitCmd(work, "init", "-q", "-b", "main")
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitCmd(work, "add", ".")
	gitCmd(work, "commit", "-q", "-m", "source")
	gitCmd(work, "tag", "v1")
	commit := gitCmd(work, "rev-parse", "HEAD")
	// v2 is a later commit: a tag that does not name the written commit.
	gitCmd(work, "commit", "-q", "--allow-empty", "-m", "later")
	gitCmd(work, "tag", "v2")
	gitCmd(root, "clone", "-q", "--bare", work, repo)
	srv := httptest.NewServer(&cgi.Handler{
		Path: "/usr/lib/git-core/git-http-backend",
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	})
	t.Cleanup(srv.Close)
	return srv.URL + "/src.git", commit
}

// TestSourceKinds builds a package from every source kind served on
// 127.0.0.1 — an http tarball, a git repository at a commit (and a tag that
// must resolve to it), a directory of the build context, inline files — and
// checks what lands in the image; then a wrong checksum and a moved tag
// fail at their lines, and a patch that does not apply names itself and
// its hunk.
func TestSourceKinds(t *testing.T) {
	b := needBed(t)
	var tarball bytes.Buffer
	gz := gzip.NewWriter(&tarball)
	tw := tar.NewWriter(gz)
	for _, f := range []struct{ name, body string }{{"top/", ""}, {"top/from-http.txt", "http\n"}} {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}
		if strings.HasSuffix(f.name, "/") {
			hdr.Typeflag, hdr.Mode = tar.TypeDir, 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(tarball.Bytes())
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/src.tar.gz" {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(tarball.Bytes())
	}))
	defer files.Close()
	gitURL, commit := gitServer(t, map[string]string{"from-git.txt": "git\n"})

	def := func(sha, gitRef string, patches ...string) string {
		return fmt.Sprintf(`
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
package "kinds" {
  version = "1"
  source "http" {
    url    = "%s/src.tar.gz"
    sha256 = "%s"
  }
  source "git" {
    url    = "%s"
    commit = "%s"
    %s
    dest   = "git"
  }
  source "context" {
    path = "app"
    dest = "ctx"
  }
  source "inline" {
    files = { "from-inline.txt" = "inline\n" }
  }
  patches = [%s]
  build {
    caches = ["/root/.cache/kinds"]
    steps = [
      "echo kept > /root/.cache/kinds/f && test -f /root/.cache/kinds/f",
      "mkdir -p $DESTDIR/usr/share/kinds",
      "cat from-http.txt git/from-git.txt ctx/from-context.txt from-inline.txt > $DESTDIR/usr/share/kinds/all.txt",
    ]
  }
}
image "kinds" {
  platforms = ["linux/amd64"]
  packages  = [package.kinds]
}
`, files.URL, sha, gitURL, commit, gitRef, `"`+strings.Join(append([]string{"patches/ok.patch"}, patches...), `", "`)+`"`)
	}
	build := func(body string) (*OCILayout, string, error) {
		dir := definition(t, b, body, nil)
		for name, content := range map[string]string{
			"app/from-context.txt": "context\n",
			"patches/ok.patch":     "--- a/from-inline.txt\n+++ b/from-inline.txt\n@@ -1 +1 @@\n-inline\n+inline patched\n",
			"patches/bad.patch":    "--- a/from-inline.txt\n+++ b/from-inline.txt\n@@ -1 +1 @@\n-something else\n+never\n",
		} {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(t.TempDir(), "kinds.tar")
		args := append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "-o", "type=oci,dest=" + out}, mirrorArgs(t)...)
		_, stderr, err := b.Buildx(t, dir, append(args, ".")...)
		if err != nil {
			return nil, stderr, err
		}
		l, err := ReadOCILayout(out)
		return l, stderr, err
	}

	l, stderr, err := build(def(hex.EncodeToString(sum[:]), `tag = "v1"`))
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	img, err := l.Image("linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := img.File("usr/share/kinds/all.txt"); !ok || string(f.Data) != "http\ngit\ncontext\ninline patched\n" {
		t.Errorf("all.txt: %q (present %v)", f.Data, ok)
	}
	for name := range img.Files() {
		if strings.Contains(name, ".cache") {
			t.Errorf("the image holds %s, from a cache directory", name)
		}
	}
	if f, ok := img.File("var/lib/dpkg/status.d/kinds"); !ok || !strings.Contains(string(f.Data), "Package: kinds\nVersion: 1\nArchitecture: amd64\n") {
		t.Errorf("status.d record: %q", f.Data)
	}

	for _, tc := range []struct {
		name, sha, ref string
		patches        []string
		want           []string
	}{
		{"wrong checksum", strings.Repeat("0", 64), "", nil, []string{"distill.hcl:", "src.tar.gz", "digest"}},
		{"tag not at the commit", hex.EncodeToString(sum[:]), `tag = "v2"`, nil, []string{"distill.hcl:", "src.git"}},
		{"patch that does not apply", hex.EncodeToString(sum[:]), "", []string{"patches/bad.patch"}, []string{"apply patches/bad.patch", "Hunk #1 FAILED", "distill.hcl:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := build(def(tc.sha, tc.ref, tc.patches...))
			if err == nil {
				t.Fatal("the build succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("output lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestPackageGraph builds examples/zlib for amd64 and arm64 (cross): zlib
// from source, and a program built against it in a sandbox that has it and
// its dev subpackage installed; the image takes zlib's shared library alone,
// in Debian's multiarch directory, as the program's runtime dependency, and
// the program runs on both platforms.
func TestPackageGraph(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "zlib")
	for _, plat := range []string{"linux/amd64", "linux/arm64"} {
		timedBuilds(t, b, dir, "zlib", plat)
	}
	ref, _ := pushImage(t, b, dir, "zversion")
	stderr := runInImage(t, b, ref, "linux/amd64,linux/arm64", `RUN ["/usr/bin/zversion"]`)
	if n := strings.Count(stderr, "zlib 1.2.13"); n < 2 {
		t.Errorf("zversion printed zlib's version %d times, want once on amd64 and once on arm64:\n%s", n, stderr)
	}

	// Nothing changed: no exec of either package runs. zversion's source
	// changed: its compile runs again, zlib's execs come from the cache.
	cacheOnly := append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "-o", "type=cacheonly"}, mirrorArgs(t)...), ".")
	_, stderr, err := b.Buildx(t, dir, cacheOnly...)
	if err != nil {
		t.Fatal(err)
	}
	for op, cached := range packageOps(stderr) {
		if !cached {
			t.Errorf("%q ran again with nothing changed", op)
		}
	}
	hcl, err := os.ReadFile(filepath.Join(dir, "distill.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(hcl), `printf("zlib %s\n"`, `printf("zlib version %s\n"`, 1)
	if changed == string(hcl) {
		t.Fatal("examples/zlib has no printf to change")
	}
	if err := os.WriteFile(filepath.Join(dir, "distill.hcl"), []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err = b.Buildx(t, dir, cacheOnly...)
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for op, cached := range packageOps(stderr) {
		switch {
		case strings.HasPrefix(op, "[zlib ") && !cached:
			t.Errorf("%q ran again when only zversion's source changed", op)
		case strings.HasPrefix(op, "[zversion ") && strings.Contains(op, "-o $DESTDIR/usr/bin/zversion") && !cached:
			ran++
		}
	}
	if ran != 2 {
		t.Errorf("zversion's compile ran %d times after its source changed, want once per platform:\n%s", ran, stderr)
	}

	// The image takes zlib's shared library, not its dev subpackage, in the
	// platform's multiarch directory, and holds the platform's code.
	out := filepath.Join(t.TempDir(), "zversion.tar")
	args := append([]string{"build", "-f", "distill.hcl", "-o", "type=oci,dest=" + out}, mirrorArgs(t)...)
	if _, stderr, err := b.Buildx(t, dir, append(args, ".")...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		platform, triplet string
		machine           elf.Machine
	}{
		{"linux/amd64", "x86_64-linux-gnu", elf.EM_X86_64},
		{"linux/arm64", "aarch64-linux-gnu", elf.EM_AARCH64},
	} {
		img, err := l.Image(tc.platform)
		if err != nil {
			t.Fatal(err)
		}
		files := img.Files()
		lib := "usr/lib/" + tc.triplet + "/"
		for _, want := range []string{lib + "libz.so.1", lib + "libz.so.1.2.13", "usr/bin/zversion", "var/lib/dpkg/status.d/zlib"} {
			if _, ok := files[want]; !ok {
				t.Errorf("%s: the image lacks %s", tc.platform, want)
			}
		}
		for _, unwanted := range []string{"usr/include/zlib.h", lib + "libz.a", lib + "libz.so", lib + "pkgconfig/zlib.pc", "var/lib/dpkg/status.d/zlib-dev"} {
			if _, ok := files[unwanted]; ok {
				t.Errorf("%s: the image holds %s, of the dev subpackage", tc.platform, unwanted)
			}
		}
		for _, bin := range []string{"usr/bin/zversion", lib + "libz.so.1.2.13"} {
			f, ok := img.File(bin)
			if !ok {
				continue
			}
			e, err := elf.NewFile(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatalf("%s: %s: %v", tc.platform, bin, err)
			}
			if e.Machine != tc.machine {
				t.Errorf("%s: %s is %v code, want %v", tc.platform, bin, e.Machine, tc.machine)
			}
		}
	}
}

// timedBuilds builds the example in dir for one platform, cold (on the bed's
// cache as the test found it) and again with nothing changed, and logs the
// wall times: the figures the README quotes. Nothing is asserted of them.
func timedBuilds(t *testing.T, b *Bed, dir, name, platform string) {
	t.Helper()
	args := append(append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "--platform", platform, "-o", "type=cacheonly"}, mirrorArgs(t)...), ".")
	var took [2]time.Duration
	for i := range took {
		start := time.Now()
		if _, stderr, err := b.Buildx(t, dir, args...); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		took[i] = time.Since(start)
	}
	t.Logf("figure: examples/%s %s: first build %s, again with nothing changed %s", name, platform, took[0].Round(100*time.Millisecond), took[1].Round(100*time.Millisecond))
}

// TestPackageAsDeb exports examples/hello's package as a .deb
// (--target package.hello), checks it with dpkg-deb, an oracle of its own,
// and builds it again on a cold cache for the same bytes.
func TestPackageAsDeb(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "hello")
	build := func(extra ...string) []byte {
		t.Helper()
		out := t.TempDir()
		args := append([]string{"build", "-f", "distill.hcl", "--target", "package.hello", "--platform", "linux/amd64", "-o", "type=local,dest=" + out}, mirrorArgs(t)...)
		if _, stderr, err := b.Buildx(t, dir, append(append(args, extra...), ".")...); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		deb := filepath.Join(out, "hello_2.10_amd64.deb")
		info, err := exec.Command("dpkg-deb", "--info", deb).CombinedOutput()
		if err != nil {
			t.Fatalf("dpkg-deb --info: %v\n%s", err, info)
		}
		for _, w := range []string{"Package: hello", "Version: 2.10", "Architecture: amd64", "Depends: libc6"} {
			if !strings.Contains(string(info), w) {
				t.Errorf("control lacks %q:\n%s", w, info)
			}
		}
		contents, err := exec.Command("dpkg-deb", "--contents", deb).CombinedOutput()
		if err != nil || !strings.Contains(string(contents), "root/root") || !strings.Contains(string(contents), "./usr/bin/hello") {
			t.Errorf("contents (%v):\n%s", err, contents)
		}
		data, err := os.ReadFile(deb)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	first := build()
	if second := build("--no-cache"); !bytes.Equal(first, second) {
		t.Errorf("a rebuild without the cache gave another .deb (%d and %d bytes)", len(first), len(second))
	}
}

// TestEmulatedBuild builds a small C program from source for arm64 under
// binfmt and QEMU — the sandbox's dpkg runs emulated too — and runs it.
func TestEmulatedBuild(t *testing.T) {
	b := needBed(t)
	dir := definition(t, b, `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
package "uname" {
  version = "1"
  source "inline" {
    files = {
      "uname.c" = "#include <stdio.h>\n#include <sys/utsname.h>\nint main(void) { struct utsname u; uname(&u); printf(\"built for %s\\n\", u.machine); return 0; }\n"
    }
  }
  build {
    requires = ["gcc", "libc6-dev"]
    steps    = ["mkdir -p $DESTDIR/usr/bin && gcc -O2 -o $DESTDIR/usr/bin/uname-arch uname.c"]
  }
  test {
    steps = ["uname-arch | grep -q aarch64"]
  }
  runtime = ["libc6"]
}
image "uname" {
  platforms  = ["linux/arm64"]
  packages   = [package.uname]
}
`, nil)
	ref, _ := pushImage(t, b, dir, "uname")
	stderr := runInImage(t, b, ref, "linux/arm64", `RUN ["/usr/bin/uname-arch"]`)
	if !strings.Contains(stderr, "built for aarch64") {
		t.Errorf("the program did not run as arm64:\n%s", stderr)
	}
}

// TestGoService builds examples/go-service — a Go HTTP service of this
// repository, built with Debian's Go, natively for amd64 and cross-compiled
// for arm64 — into a static nonroot image, and has it answer a request in
// that image on both platforms.
func TestGoService(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "go-service")
	src, err := os.ReadFile(filepath.Join(mustRepoRoot(t), "examples", "go-service", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, plat := range []string{"linux/amd64", "linux/arm64"} {
		timedBuilds(t, b, dir, "go-service", plat)
	}
	ref, _ := pushImage(t, b, dir, "service")
	stderr := runInImage(t, b, ref, "linux/amd64,linux/arm64", `RUN ["/usr/bin/service", "-selftest"]`)
	if n := strings.Count(stderr, "hello from distill, uid 65532, path /ping"); n < 2 {
		t.Errorf("the service answered as nonroot %d times, want once on amd64 and once on arm64:\n%s", n, stderr)
	}
}

// TestCrossBuild builds zlib for arm64 with cross = true: the sandbox and
// the steps run natively on the build platform with Debian's cross
// toolchain, and the library that lands in the arm64 image is aarch64 code.
func TestCrossBuild(t *testing.T) {
	b := needBed(t)
	src, err := os.ReadFile(filepath.Join(mustRepoRoot(t), "examples", "zlib", "distill.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(src), "\n")
	i := strings.Index(body, `package "zversion"`)
	if i < 0 || !strings.Contains(body[:i], "cross    = true") {
		t.Fatal("examples/zlib has no zlib package built with cross = true")
	}
	body = body[:i] + "image \"zlib\" {\n  platforms = [\"linux/arm64\"]\n  packages  = [package.zlib]\n}\n"
	dir := definition(t, b, body, nil)
	out := filepath.Join(t.TempDir(), "zlib.tar")
	args := append([]string{"build", "-f", "distill.hcl", "--progress", "plain", "-o", "type=oci,dest=" + out}, mirrorArgs(t)...)
	_, stderr, err := b.Buildx(t, dir, append(args, ".")...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, "crossbuild-essential-arm64") && !strings.Contains(stderr, "build requirements") {
		t.Errorf("no cross sandbox in the progress:\n%s", stderr)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := l.Image("linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	lib, ok := img.File("usr/lib/aarch64-linux-gnu/libz.so.1.2.13")
	if !ok {
		t.Fatal("the image has no usr/lib/aarch64-linux-gnu/libz.so.1.2.13")
	}
	f, err := elf.NewFile(bytes.NewReader(lib.Data))
	if err != nil {
		t.Fatal(err)
	}
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("libz.so is %v code, want aarch64", f.Machine)
	}
}

// TestDebianSourcePackage builds examples/tini: Debian's tini source package,
// found through the verified Sources index and rebuilt with
// dpkg-buildpackage, natively for amd64 and cross-compiled for arm64; both
// binaries run (arm64 under QEMU) in their images.
func TestDebianSourcePackage(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "tini")
	ref, stderr := pushImage(t, b, dir, "tini")
	if !strings.Contains(stderr, "dpkg-source -x tini_0.19.0-1.dsc") {
		t.Errorf("the source was not unpacked by dpkg-source:\n%s", stderr)
	}
	stderr = runInImage(t, b, ref, "linux/amd64,linux/arm64", `RUN ["/usr/bin/tini", "--version"]`)
	if n := strings.Count(stderr, "tini version 0.19.0"); n < 2 {
		t.Errorf("tini --version printed %d times, want once per platform:\n%s", n, stderr)
	}
}
