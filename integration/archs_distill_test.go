package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// foreignArchs are the platforms beyond amd64 and arm64 that distill
// assembles without emulation, with what `uname -m` says under QEMU and
// where glibc's dynamic loader lives.
var foreignArchs = []struct{ platform, debArch, uname, loader string }{
	{"linux/arm/v7", "armhf", "armv7l", "/lib/arm-linux-gnueabihf/ld-linux-armhf.so.3"},
	{"linux/ppc64le", "ppc64el", "ppc64le", "/lib/powerpc64le-linux-gnu/ld64.so.2"},
	{"linux/s390x", "s390x", "s390x", "/lib/s390x-linux-gnu/ld64.so.1"},
}

// TestForeignArchitectures assembles a glibc image with a busybox shell for
// arm/v7, ppc64le and s390x from one definition (bookworm's main suite,
// indexes fetched and verified in the build), checks each platform's config
// and dpkg records, then runs the shell and glibc's loader in every image
// under QEMU.
func TestForeignArchitectures(t *testing.T) {
	b := needBed(t)
	var plats []string
	for _, a := range foreignArchs {
		plats = append(plats, a.platform)
	}
	// Only the main suite: this machine's mirror serves stale security
	// indexes for these architectures, which distill rightly refuses.
	dir := definition(t, b, fmt.Sprintf(`
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "glibc" {
  platforms = [%q, %q, %q]
  packages  = ["libc6", "busybox-static"]
  exclude   = ["libgcc-s1"]
  accounts {
    group "root" { gid = 0 }
    user "root" {
      uid  = 0
      home = "/root"
    }
    run_as = "root"
  }
}
`, plats[0], plats[1], plats[2]), nil)
	ref := b.Registry + "/distill/foreign:test"
	args := append([]string{"build", "-f", "distill.hcl", "-o", "type=image,name=" + ref + ",push=true,registry.insecure=true",
		"-o", "type=oci,dest=" + filepath.Join(dir, "out.tar")}, mirrorArgs(t)[:2]...)
	if _, _, err := b.Buildx(t, dir, append(args, ".")...); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(filepath.Join(dir, "out.tar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range foreignArchs {
		img, err := l.Image(a.platform)
		if err != nil {
			t.Fatalf("%s: %v", a.platform, err)
		}
		for _, want := range []struct{ path, content string }{
			{"/var/lib/dpkg/status.d/libc6", "Architecture: " + a.debArch + "\n"},
			{"/var/lib/dpkg/status.d/busybox-static", "Architecture: " + a.debArch + "\n"},
			{a.loader, ""},
			{"/etc/passwd", "root:x:0:0:root:/root:/sbin/nologin\n"},
		} {
			f, ok := img.File(want.path)
			if !ok {
				t.Errorf("%s: %s missing", a.platform, want.path)
				continue
			}
			if !strings.Contains(string(f.Data), want.content) {
				t.Errorf("%s: %s lacks %q", a.platform, want.path, want.content)
			}
		}
	}

	work := t.TempDir()
	df := filepath.Join(work, "Dockerfile")
	script := `echo "arch $(uname -m)"; for l in /lib/*/ld-linux-armhf.so.3 /lib/*/ld64.so.*; do if [ -e $l ]; then $l --version | head -n1; fi; done`
	if err := os.WriteFile(df, []byte("FROM "+ref+"\nRUN [\"/bin/busybox\", \"sh\", \"-c\", "+fmt.Sprintf("%q", script)+"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, err := b.Buildx(t, work, "build", "-f", df, "--platform", strings.Join(plats, ","), "--progress", "plain", "--no-cache", ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range foreignArchs {
		if !strings.Contains(stderr, "arch "+a.uname) {
			t.Errorf("no shell ran on %s:\n%s", a.platform, stderr)
		}
	}
	if n := strings.Count(stderr, "GLIBC 2.36"); n < len(foreignArchs) {
		t.Errorf("glibc's loader ran %d times, want %d:\n%s", n, len(foreignArchs), stderr)
	}
}
