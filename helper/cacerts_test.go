package helper

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// selfSigned is a PEM certificate for a test CA.
func selfSigned(t *testing.T, name string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0), IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

// TestRunCACerts writes the PEM bundle and the Java trust store from a
// ca-certificates .deb made here, at the epoch given or SOURCE_DATE_EPOCH.
func TestRunCACerts(t *testing.T) {
	a, b := selfSigned(t, "A"), selfSigned(t, "B")
	debPath := debFile(t, "Package: ca-certificates\nVersion: 1\nArchitecture: all\nMaintainer: Someone <someone@example.org>\nDescription: test CAs\n",
		map[string]string{
			"usr/share/ca-certificates/test/b.crt": b,
			"usr/share/ca-certificates/test/a.crt": a,
			"usr/share/doc/ca-certificates/README": "not a certificate\n",
		}, "gzip")
	for _, tc := range []struct {
		name  string
		cmd   CACerts
		env   string
		mtime int64 // of the file and its parents below the root; -1: left alone
	}{
		{"bundle at --epoch", CACerts{Epoch: time.Unix(1700000000, 0).UTC(), Path: "/etc/ssl/certs/ca-certificates.crt"}, "5", 1700000000},
		{"bundle at SOURCE_DATE_EPOCH", CACerts{Path: "etc/ssl/certs/ca-certificates.crt"}, "5", 5},
		{"bundle at no epoch", CACerts{Path: "/etc/ssl/certs/ca-certificates.crt"}, "", -1},
		{"Java trust store", CACerts{Epoch: time.Unix(0, 0).UTC(), Path: "/etc/ssl/certs/java/cacerts", Java: true}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SOURCE_DATE_EPOCH", tc.env)
			c := tc.cmd
			c.Deb, c.Root = debPath, t.TempDir()
			if err := run(c.Args(), &bytes.Buffer{}); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(c.Root, c.Path)
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if c.Java {
				certs, err := pkcs12.DecodeTrustStore(got, "")
				if err != nil || len(certs) != 2 || certs[0].Subject.CommonName != "A" || certs[1].Subject.CommonName != "B" {
					t.Errorf("trust store: %d certificates, %v", len(certs), err)
				}
			} else if string(got) != a+b {
				t.Errorf("bundle is not the certificates in path order:\n%s", got)
			}
			fi, err := os.Stat(out)
			if err != nil || fi.Mode().Perm() != 0o644 {
				t.Errorf("mode %v %v, want 0644", fi.Mode(), err)
			}
			for p := out; p != c.Root; p = filepath.Dir(p) {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if tc.mtime >= 0 && fi.ModTime().Unix() != tc.mtime {
					t.Errorf("%s: mtime %v, want %d", p, fi.ModTime().Unix(), tc.mtime)
				}
				if tc.mtime < 0 && time.Since(fi.ModTime()) > time.Hour {
					t.Errorf("%s: mtime %v set without an epoch", p, fi.ModTime())
				}
			}
			// The file is new: a second run does not overwrite it.
			if err := run(c.Args(), &bytes.Buffer{}); err == nil {
				t.Error("a second run overwrote the file")
			}
		})
	}
}
