package integration

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/internal/aptsources"
)

// mirrorArgs are the build arguments that point the catalogue at this
// machine's Debian mirror (the mirror is configuration, not in the files).
func mirrorArgs(t testing.TB) []string {
	t.Helper()
	m := aptsources.Mirrors("/")
	if m["debian"] == "" || m["debian-security"] == "" {
		t.Fatalf("apt's sources name no debian and debian-security mirrors: %v", m)
	}
	return []string{"--build-arg", "MIRROR=" + m["debian"], "--build-arg", "SECURITY_MIRROR=" + m["debian-security"]}
}

// catalogue builds one target of examples/distroless-debian12 with buildx.
func catalogue(t *testing.T, b *Bed, target string, args ...string) *OCILayout {
	t.Helper()
	dir := example(t, b, "distroless-debian12")
	out := filepath.Join(t.TempDir(), target+".tar")
	all := append([]string{"build", "-f", "distill.hcl", "--target", target, "-o", "type=oci,dest=" + out}, mirrorArgs(t)...)
	if _, _, err := b.Buildx(t, dir, append(append(all, args...), ".")...); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDistrolessStatic checks the static image against what Google's
// distroless static-debian12 holds, on both platforms.
func TestDistrolessStatic(t *testing.T) {
	b := needBed(t)
	l := catalogue(t, b, "static", "--platform", "linux/amd64,linux/arm64")
	if len(l.Images) != 2 {
		t.Fatalf("got %d images, want 2", len(l.Images))
	}
	for _, img := range l.Images {
		p := img.Platform.Architecture
		files := img.Files()
		var size int64
		for _, e := range files {
			if e.Header.Typeflag == tar.TypeReg {
				size += e.Header.Size
			}
		}
		t.Logf("%s: %d paths, %d bytes of files, %d layers", p, len(files), size, len(img.Layers))
		// distroless static-debian12: about 1,436 paths and 2.11 MB.
		if !within(len(files), 1436) || !within(int(size), 2_110_000) {
			t.Errorf("%s: %d paths and %d bytes: not within 3%% of distroless static's 1,436 and 2.11 MB", p, len(files), size)
		}
		if len(img.Layers) != 6 || len(img.Config.History) != 6 {
			t.Errorf("%s: %d layers, %d history entries; want 4 packages + CA bundle + files", p, len(img.Layers), len(img.Config.History))
		}
		for _, pkg := range []string{"base-files", "netbase", "tzdata", "media-types"} {
			for _, f := range []string{pkg, pkg + ".md5sums"} {
				if _, ok := files["var/lib/dpkg/status.d/"+f]; !ok && !(pkg == "media-types" && strings.HasSuffix(f, "md5sums")) {
					t.Errorf("%s: no status.d record %s", p, f)
				}
			}
		}
		for _, absent := range []string{"var/lib/dpkg/status", "etc/shadow", "etc/hosts", "etc/resolv.conf", "usr/bin/mawk", "usr/share/doc/ca-certificates"} {
			if _, ok := files[absent]; ok {
				t.Errorf("%s: /%s should not be in the image", p, absent)
			}
		}
		ca, ok := files["etc/ssl/certs/ca-certificates.crt"]
		if !ok || bytes.Count(ca.Data, []byte("BEGIN CERTIFICATE")) < 100 {
			t.Errorf("%s: CA bundle missing or short", p)
		}
		if !strings.Contains(string(files["var/lib/dpkg/status.d/tzdata"].Data), "Package: tzdata\n") {
			t.Errorf("%s: status.d/tzdata is not tzdata's control file", p)
		}
		checkEntries(t, p, img, time.Unix(0, 0).UTC(), []wantEntry{
			{"/tmp", tar.TypeDir, 0o1777, 0, 0, ""},
			{"/root", tar.TypeDir, 0o700, 0, 0, ""},
			{"/home/nonroot", tar.TypeDir, 0o700, 65532, 65532, ""},
			{"/etc/passwd", tar.TypeReg, 0o644, 0, 0, "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin"},
			{"/etc/group", tar.TypeReg, 0o644, 0, 0, "tty:x:5:"},
			{"/etc/nsswitch.conf", tar.TypeReg, 0o644, 0, 0, "hosts: files dns"},
		})
		c := img.Config.Config
		if c.User != "0" || !contains(c.Env, "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt") || len(c.Entrypoint) != 0 {
			t.Errorf("%s: config %+v", p, c)
		}
	}
}

// within says whether got is within 3% of distroless's figure.
func within(got, want int) bool {
	return got >= want*97/100 && got <= want*103/100
}

// TestDistrolessSizes checks base and cc against the sizes distroless's
// Debian 12 images have (amd64): file bytes within 3%.
func TestDistrolessSizes(t *testing.T) {
	b := needBed(t)
	for _, tc := range []struct {
		target string
		bytes  int
	}{
		{"base", 20_900_000}, // static + libc6, libssl3
		{"cc", 23_700_000},   // base + libgcc-s1, libstdc++6, libgomp1, gcc-12-base
	} {
		l := catalogue(t, b, tc.target, "--platform", "linux/amd64")
		img, err := l.Image("linux/amd64")
		if err != nil {
			t.Fatal(err)
		}
		var size int
		for _, e := range img.Files() {
			if e.Header.Typeflag == tar.TypeReg {
				size += int(e.Header.Size)
			}
		}
		t.Logf("%s: %d bytes of files", tc.target, size)
		if !within(size, tc.bytes) {
			t.Errorf("%s: %d bytes of files, not within 3%% of distroless's %d", tc.target, size, tc.bytes)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestDistrolessRunsPrograms pushes catalogue images to the bed's registry
// and runs programs in them with a Dockerfile RUN: a static Go binary in
// static, a C program against glibc in base, python3 -c in python3; amd64
// natively and arm64 under QEMU.
func TestDistrolessRunsPrograms(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "distroless-debian12")
	push := func(target string) string {
		ref := fmt.Sprintf("%s/distill/%s:test", b.Registry, target)
		args := append([]string{"build", "-f", "distill.hcl", "--target", target, "--platform", "linux/amd64,linux/arm64",
			"-o", "type=image,name=" + ref + ",push=true,registry.insecure=true"}, mirrorArgs(t)...)
		if _, _, err := b.Buildx(t, dir, append(args, ".")...); err != nil {
			t.Fatal(err)
		}
		return ref
	}
	refs := map[string]string{}
	for _, target := range []string{"static-nonroot", "base", "cc", "python3", "nodejs", "java"} {
		refs[target] = push(target)
	}
	ref := func(target string) string { return refs[target] }

	work := t.TempDir()
	hello := filepath.Join(work, "hello.go")
	if err := os.WriteFile(hello, []byte("package main\n\nimport (\"fmt\"; \"os\")\n\nfunc main() { fmt.Println(\"static ok\", os.Getuid()) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		goBuild(t, work, arch, hello, filepath.Join(work, "hello-"+arch))
	}
	if err := os.WriteFile(filepath.Join(work, "hello.c"), []byte("#include <stdio.h>\n#include <gnu/libc-version.h>\nint main(void) { printf(\"glibc %s\\n\", gnu_get_libc_version()); return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		crossCC(t, work, "hello.c", "hello-c-"+arch, arch)
	}
	if err := os.WriteFile(filepath.Join(work, "hello.cc"), []byte("#include <iostream>\n#include <thread>\nint main() { std::thread t([] { std::cout << \"c++ ok\" << std::endl; }); t.join(); }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arch := range []string{"amd64", "arm64"} {
		crossCC(t, work, "hello.cc", "hello-cc-"+arch, arch, "-lstdc++", "-pthread")
	}
	javac(t, work, "Certs.java", `import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.security.KeyStore;

public class Certs {
    public static void main(String[] args) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null); // the JRE's default cacerts
        X509TrustManager tm = (X509TrustManager) tmf.getTrustManagers()[0];
        System.out.println("java ok, trusted CAs: " + (tm.getAcceptedIssuers().length > 100));
    }
}
`)

	for _, tc := range []struct {
		name, dockerfile, platforms, want string
	}{
		{"static binary", "FROM " + ref("static-nonroot") + "\nARG TARGETARCH\nCOPY hello-${TARGETARCH} /hello\nRUN [\"/hello\"]\n", "linux/amd64,linux/arm64", "static ok 65532"},
		{"C against glibc", "FROM " + ref("base") + "\nARG TARGETARCH\nCOPY hello-c-${TARGETARCH} /hello\nRUN [\"/hello\"]\n", "linux/amd64,linux/arm64", "glibc 2.36"},
		{"C++ against libstdc++", "FROM " + ref("cc") + "\nARG TARGETARCH\nCOPY hello-cc-${TARGETARCH} /hello\nRUN [\"/hello\"]\n", "linux/amd64,linux/arm64", "c++ ok"},
		// The RUN line itself is in the progress output: look for what only
		// node prints, the architecture after the words.
		{"nodejs", "FROM " + ref("nodejs") + "\nRUN [\"node\", \"-e\", \"console.log('node ok', process.arch)\"]\n", "linux/amd64,linux/arm64", "node ok x64|node ok arm64"},
		{"java with the trust store", "FROM " + ref("java") + "\nCOPY Certs.class /app/\nRUN [\"java\", \"-cp\", \"/app\", \"Certs\"]\n", "linux/amd64,linux/arm64", "java ok, trusted CAs: true"},
		{"python3", "FROM " + ref("python3") + "\nRUN [\"python3\", \"-c\", \"import ssl, sqlite3, json; print('python ok', ssl.OPENSSL_VERSION.split()[0])\"]\n", "linux/amd64,linux/arm64", "python ok OpenSSL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			df := filepath.Join(work, "Dockerfile."+strings.ReplaceAll(tc.name, " ", "-"))
			if err := os.WriteFile(df, []byte(tc.dockerfile), 0o644); err != nil {
				t.Fatal(err)
			}
			_, stderr, err := b.Buildx(t, work, "build", "-f", df, "--platform", tc.platforms, "--progress", "plain", "--no-cache", ".")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tc.want, "|") {
				// One output per platform, each its own.
				for _, w := range strings.Split(tc.want, "|") {
					if !strings.Contains(stderr, w) {
						t.Errorf("%q not printed:\n%s", w, stderr)
					}
				}
			} else if n := strings.Count(stderr, tc.want); n < strings.Count(tc.platforms, ",")+1 {
				t.Errorf("%q printed %d times, want once per platform:\n%s", tc.want, n, stderr)
			}
		})
	}
}

// TestDistrolessDebian13 builds Debian 13's static from its committed
// lockfile: /bin, /sbin and /lib are links into /usr, tzdata-legacy is
// recorded, and the CA bundle and os-release are there.
func TestDistrolessDebian13(t *testing.T) {
	b := needBed(t)
	dir := exampleWithLock(t, b, "distroless-debian13")
	out := filepath.Join(t.TempDir(), "static.tar")
	args := append([]string{"build", "-f", "distill.hcl", "--target", "static", "--platform", "linux/amd64", "-o", "type=oci,dest=" + out}, mirrorArgs(t)...)
	if _, stderr, err := b.Buildx(t, dir, append(args, ".")...); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	img, err := l.Image("linux/amd64")
	if err != nil {
		t.Fatal(err)
	}
	files := img.Files()
	for link, target := range map[string]string{"bin": "usr/bin", "sbin": "usr/sbin", "lib": "usr/lib"} {
		if e, ok := files[link]; !ok || e.Header.Typeflag != tar.TypeSymlink || e.Header.Linkname != target {
			t.Errorf("/%s is not a link to %s: %+v", link, target, e.Header)
		}
	}
	for _, want := range []string{"var/lib/dpkg/status.d/tzdata-legacy", "usr/lib/os-release", "etc/ssl/certs/ca-certificates.crt"} {
		if _, ok := files[want]; !ok {
			t.Errorf("the image lacks /%s", want)
		}
	}
}
