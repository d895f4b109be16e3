package deb

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The oracles here are Debian's own programs, run on the very .deb distill
// reads: update-ca-certificates (shipped in that .deb) for the PEM bundle,
// and ca-certificates-java's updater for the Java trust store. The .deb is
// the version installed on this host, so the host's own bundle, made by the
// same update-ca-certificates, is compared too.

// Where Debian keeps what the tests compare with.
const (
	hostBundle    = "/etc/ssl/certs/ca-certificates.crt"
	hostCertsConf = "/etc/ca-certificates.conf"
	hostLocalDir  = "/usr/local/share/ca-certificates"
	caJavaJar     = "/usr/share/ca-certificates-java/ca-certificates-java.jar"
)

// hostDeb returns the .deb of the version of pkg installed on this host,
// and that version.
func hostDeb(t *testing.T, pkg string) (string, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not downloading real packages with apt-get download")
	}
	out, err := exec.Command("dpkg-query", "-W", "-f", "${db:Status-Status} ${Version}", pkg).Output()
	status, version, _ := strings.Cut(string(out), " ")
	if err != nil || status != "installed" || version == "" {
		t.Fatalf("%s is not installed on this host (%q, %v): the test compares with what Debian's own scripts made of it; apt-get install %s (.ci/run does)", pkg, out, err, pkg)
	}
	return realDebVersion(t, pkg, version), version
}

// ourBundle is CABundle of the .deb at debPath.
func ourBundle(t *testing.T, debPath string) ([]byte, int) {
	t.Helper()
	f, err := os.Open(debPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	n, err := CABundle(f, &b)
	if err != nil {
		t.Fatalf("CABundle(%s): %v", filepath.Base(debPath), err)
	}
	return b.Bytes(), n
}

// debianRun is what update-ca-certificates made of a .deb's certificates.
type debianRun struct {
	bundle  []byte   // the ca-certificates.crt it wrote
	changes []byte   // what it handed its hooks: a "+<etc>/<name>.pem" line per certificate
	shipped []string // the .deb's certificates, relative to usr/share/ca-certificates
}

// runUpdateCACertificates extracts the .deb with dpkg-deb and runs the
// update-ca-certificates it ships, as a fresh install with the default
// selection (every certificate) would, on directories of its own: no host
// configuration and no local certificates reach it. A hook records the list
// the real hooks (ca-certificates-java's among them) are given.
func runUpdateCACertificates(t *testing.T, debPath string) debianRun {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Fatal("openssl not installed: update-ca-certificates runs openssl rehash (apt-get install ca-certificates pulls it in; .ci/run does)")
	}
	dir := t.TempDir()
	root, etc, hooks := filepath.Join(dir, "root"), filepath.Join(dir, "etc"), filepath.Join(dir, "hooks")
	if out, err := exec.Command("dpkg-deb", "-x", debPath, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x %s: %v\n%s", debPath, err, out)
	}
	changes := filepath.Join(dir, "changes")
	for _, f := range []struct {
		name string
		data string
		mode fs.FileMode
	}{
		{etc, "", fs.ModeDir | 0o755},
		{hooks, "", fs.ModeDir | 0o755},
		{filepath.Join(dir, "ca-certificates.conf"), "", 0o644},
		{filepath.Join(hooks, "record"), "#!/bin/sh\nexec cat >'" + changes + "'\n", 0o755},
	} {
		var err error
		if f.mode.IsDir() {
			err = os.Mkdir(f.name, f.mode.Perm())
		} else {
			err = os.WriteFile(f.name, []byte(f.data), f.mode)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	certsDir := filepath.Join(root, caDir)
	cmd := exec.Command("sh", filepath.Join(root, "usr/sbin/update-ca-certificates"), "--default",
		"--certsconf", filepath.Join(dir, "ca-certificates.conf"), "--certsdir", certsDir,
		"--localcertsdir", filepath.Join(dir, "no-local-certificates"), "--etccertsdir", etc, "--hooksdir", hooks)
	// --default lists the certificates with find | sort, as a fresh
	// install's postinst sorts its list: under C, byte order, which is
	// distill's. In another locale Debian's order would be that locale's.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("update-ca-certificates from %s: %v\n%s", filepath.Base(debPath), err, out)
	}
	var run debianRun
	var err error
	if run.bundle, err = os.ReadFile(filepath.Join(etc, "ca-certificates.crt")); err != nil {
		t.Fatal(err)
	}
	if run.changes, err = os.ReadFile(changes); err != nil {
		t.Fatalf("update-ca-certificates ran no hook: %v", err)
	}
	err = filepath.WalkDir(certsDir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasSuffix(p, ".crt") {
			run.shipped = append(run.shipped, strings.TrimPrefix(p, certsDir))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// TestCABundleMatchesDebian builds the bundle from the ca-certificates .deb
// of the version this host has installed and compares it byte for byte
// with what that version's update-ca-certificates makes of it, and with the
// host's own bundle.
func TestCABundleMatchesDebian(t *testing.T) {
	debPath, version := hostDeb(t, "ca-certificates")
	ours, n := ourBundle(t, debPath)
	debian := runUpdateCACertificates(t, debPath)
	t.Logf("ca-certificates %s: %d certificates, %d bytes", version, n, len(ours))
	if n < 100 || n != len(debian.shipped) {
		t.Fatalf("distill bundles %d certificates, the .deb ships %d", n, len(debian.shipped))
	}

	t.Run("update-ca-certificates", func(t *testing.T) {
		if !bytes.Equal(ours, debian.bundle) {
			i := 0
			for i < len(ours) && i < len(debian.bundle) && ours[i] == debian.bundle[i] {
				i++
			}
			t.Errorf("bundle (%d bytes) differs from update-ca-certificates' (%d bytes) from byte %d on", len(ours), len(debian.bundle), i)
		}
	})

	t.Run("host bundle", func(t *testing.T) {
		host, err := os.ReadFile(hostBundle)
		if err != nil {
			t.Fatalf("ca-certificates %s is installed but: %v", version, err)
		}
		// A certificate the host's configuration deselects is missing from
		// its bundle by the administrator's choice, not Debian's default.
		conf, err := os.ReadFile(hostCertsConf)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(conf), "\n") {
			if name, ok := strings.CutPrefix(line, "!"); ok && slices.Contains(debian.shipped, name) {
				t.Fatalf("%s deselects %s: the host's bundle is not Debian's default (dpkg-reconfigure ca-certificates)", hostCertsConf, name)
			}
		}
		// update-ca-certificates appends the administrator's certificates
		// (under /usr/local/share/ca-certificates) after the package's: they
		// are set aside, one occurrence each.
		hostCerts := pemChunks(host)
		for _, c := range localCertificates(t) {
			i := slices.Index(hostCerts, c)
			if i < 0 {
				t.Fatalf("a certificate of %s is not in %s: run update-ca-certificates", hostLocalDir, hostBundle)
			}
			hostCerts = slices.Delete(hostCerts, i, i+1)
		}
		// The host's bundle follows /etc/ca-certificates.conf's order, which
		// a fresh install writes sorted but an upgrade leaves with the new
		// certificates appended: the order is normalised here (and checked
		// byte for byte above).
		ourCerts := pemChunks(ours)
		slices.Sort(hostCerts)
		slices.Sort(ourCerts)
		if !slices.Equal(ourCerts, hostCerts) {
			t.Errorf("certificates differ from %s (ca-certificates %s; local certificates set aside):\n%s", hostBundle, version, chunkDiff(ourCerts, hostCerts))
		}
	})
}

// pemChunks splits a bundle after each END CERTIFICATE line; text after the
// last one is a chunk of its own.
func pemChunks(b []byte) []string {
	const end = "-----END CERTIFICATE-----\n"
	var out []string
	s := string(b)
	for s != "" {
		i := strings.Index(s, end)
		if i < 0 {
			return append(out, s)
		}
		out = append(out, s[:i+len(end)])
		s = s[i+len(end):]
	}
	return out
}

// localCertificates reads the administrator's certificates as
// update-ca-certificates adds them: every *.crt under the local directory,
// each ending in a newline.
func localCertificates(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(hostLocalDir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == hostLocalDir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".crt") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if len(b) > 0 && b[len(b)-1] != '\n' {
			b = append(b, '\n')
		}
		out = append(out, pemChunks(b)...)
		return nil
	})
	if err != nil {
		t.Fatalf("reading %s: %v", hostLocalDir, err)
	}
	return out
}

// chunkDiff names the certificates only one sorted list holds.
func chunkDiff(ours, theirs []string) string {
	name := func(c string) string {
		if b, _ := pem.Decode([]byte(c)); b != nil {
			if cert, err := x509.ParseCertificate(b.Bytes); err == nil {
				return cert.Subject.String()
			}
		}
		return fmt.Sprintf("%.60q", c)
	}
	var lines []string
	for _, c := range ours {
		if !slices.Contains(theirs, c) {
			lines = append(lines, "only distill: "+name(c))
		}
	}
	for _, c := range theirs {
		if !slices.Contains(ours, c) {
			lines = append(lines, "only Debian: "+name(c))
		}
	}
	if len(lines) == 0 {
		lines = append(lines, "the same certificates, some repeated")
	}
	return strings.Join(lines, "\n")
}

// updateCertificatesJava runs ca-certificates-java's updater, the program
// its trigger runs on the hook list update-ca-certificates hands it, on a
// store of its own (its main only writes /etc/ssl/certs/java/cacerts).
const updateCertificatesJava = `import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class Update {
    static class Store extends org.debian.security.UpdateCertificates {
        Store(String path) throws Exception { super(path, "changeit"); }
        void update() throws Exception {
            processChanges(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            finish();
        }
    }
    public static void main(String[] args) throws Exception {
        new Store(args[0]).update();
    }
}
`

// TestJavaTrustStore compares the Java trust store with the one
// ca-certificates-java makes from the same certificates: the same aliases
// ("debian:<link name>"), each naming the same certificate, as keytool
// reads them. It is also the same bytes each time.
func TestJavaTrustStore(t *testing.T) {
	debPath, version := hostDeb(t, "ca-certificates")
	const install = "the Java trust store is compared with ca-certificates-java's; apt-get install ca-certificates-java default-jdk-headless (.ci/run does)"
	for _, tool := range []string{"java", "keytool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%v: %s", err, install)
		}
	}
	if _, err := os.Stat(caJavaJar); err != nil {
		t.Fatalf("%v: %s", err, install)
	}
	build := func() []byte {
		f, err := os.Open(debPath)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b bytes.Buffer
		if _, err := JavaTrustStore(f, &b); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	first, second := build(), build()
	if !bytes.Equal(first, second) {
		t.Error("two trust stores from the same package differ")
	}
	dir := t.TempDir()
	ours := filepath.Join(dir, "ours.p12")
	if err := os.WriteFile(ours, first, 0o644); err != nil {
		t.Fatal(err)
	}

	debian := runUpdateCACertificates(t, debPath)
	src, theirs := filepath.Join(dir, "Update.java"), filepath.Join(dir, "debian.jks")
	if err := os.WriteFile(src, []byte(updateCertificatesJava), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("java", "-cp", caJavaJar, src, theirs)
	cmd.Stdin = bytes.NewReader(debian.changes)
	// As ca-certificates-java's postinst: Java decodes file names by the
	// locale, and some certificates' names are not ASCII.
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ca-certificates-java's updater: %v\n%s", err, out)
	}

	got, want := keytoolList(t, ours, ""), keytoolList(t, theirs, "changeit")
	t.Logf("ca-certificates %s: %d aliases (ca-certificates-java: %d)", version, len(got), len(want))
	var diffs []string
	for _, a := range slices.Sorted(maps.Keys(got)) {
		if w, ok := want[a]; !ok {
			diffs = append(diffs, "only distill: "+a)
		} else if w != got[a] {
			diffs = append(diffs, a+": another certificate")
		}
	}
	for _, a := range slices.Sorted(maps.Keys(want)) {
		if _, ok := got[a]; !ok {
			diffs = append(diffs, "only ca-certificates-java: "+a)
		}
	}
	if len(diffs) > 0 {
		t.Errorf("trust store differs from ca-certificates-java's:\n%s", strings.Join(diffs, "\n"))
	}
}

// keytoolList reads a keystore with keytool: alias -> DER certificate.
func keytoolList(t *testing.T, store, pass string) map[string]string {
	t.Helper()
	cmd := exec.Command("keytool", "-list", "-rfc", "-keystore", store, "-storepass", pass)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8") // aliases that are not ASCII print as UTF-8
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("keytool -list %s: %v\n%s", store, err, out)
	}
	entries := map[string]string{}
	var alias string
	var block bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if a, ok := strings.CutPrefix(line, "Alias name: "); ok {
			alias = a
			continue
		}
		if line == "-----BEGIN CERTIFICATE-----" || block.Len() > 0 {
			block.WriteString(line + "\n")
		}
		if line == "-----END CERTIFICATE-----" {
			b, _ := pem.Decode(block.Bytes())
			if b == nil || alias == "" {
				t.Fatalf("keytool -list %s: a certificate without an alias or PEM:\n%s", store, block.Bytes())
			}
			if _, dup := entries[alias]; dup {
				t.Fatalf("keytool -list %s: alias %s twice", store, alias)
			}
			entries[alias] = string(b.Bytes)
			alias = ""
			block.Reset()
		}
	}
	if len(entries) == 0 {
		t.Fatalf("keytool -list %s: no entries:\n%s", store, out)
	}
	return entries
}
