package deb

import (
	"bytes"
	"os"
	"os/exec"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// TestCABundleMatchesUpdateCACertificates builds the bundle from the real
// ca-certificates .deb and compares it with the one update-ca-certificates
// made on this machine from the same package version.
func TestCABundleMatchesUpdateCACertificates(t *testing.T) {
	debPath := realDeb(t, "ca-certificates")
	f, err := os.Open(debPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var got bytes.Buffer
	n, err := CABundle(f, &got)
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 || bytes.Count(got.Bytes(), []byte("-----BEGIN CERTIFICATE-----")) != n {
		t.Fatalf("%d certificates, %d PEM blocks", n, bytes.Count(got.Bytes(), []byte("-----BEGIN CERTIFICATE-----")))
	}
	// update-ca-certificates concatenates the certificates that the
	// postinst lists (every .crt, sorted) in list order, ending each in a
	// newline; do that with dpkg-deb and the shell.
	dir := t.TempDir()
	script := `dpkg-deb -x "$1" "$2" && cd "$2/usr/share/ca-certificates" &&
		find . -type f -name '*.crt' | sed 's|^\./||' | LC_ALL=C sort | while read -r c; do sed -e '$a\' "$c"; done`
	want, err := exec.Command("sh", "-c", script, "sh", debPath, dir).Output()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("bundle differs from the shell's (%d bytes vs %d)", got.Len(), len(want))
	}
}

// TestJavaTrustStore checks the Java trust store holds every certificate of
// the bundle, reads back, and is the same bytes each time.
func TestJavaTrustStore(t *testing.T) {
	debPath := realDeb(t, "ca-certificates")
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
	certs, err := pkcs12.DecodeTrustStore(first, "")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(debPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var bundle bytes.Buffer
	n, err := CABundle(f, &bundle)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != n {
		t.Errorf("trust store has %d certificates, the bundle %d", len(certs), n)
	}
}
