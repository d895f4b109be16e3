package deb

import (
	"archive/tar"
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"software.sslmate.com/src/go-pkcs12"
)

// caDir is where the ca-certificates package keeps its certificates.
const caDir = "usr/share/ca-certificates/"

// CABundle writes the CA bundle that update-ca-certificates would build from
// the ca-certificates .deb read from r: every certificate the package ships,
// in path order, each ending in a newline. Images get the bundle without the
// package, its maintainer scripts, or the tools they need (as distroless).
func CABundle(r io.Reader, w io.Writer) (int, error) {
	names, certs, err := caCertificates(r)
	if err != nil {
		return 0, err
	}
	var buf bytes.Buffer
	for _, n := range names {
		buf.Write(certs[n])
		if c := certs[n]; len(c) > 0 && c[len(c)-1] != '\n' {
			buf.WriteByte('\n')
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(names), nil
}

// JavaTrustStore writes the certificates of the ca-certificates .deb read
// from r as a Java trust store (PKCS#12 without a password, as the JDK reads
// its default cacerts), what ca-certificates-java's maintainer script makes
// with keytool. Aliases are those ca-certificates-java gives (javaAlias).
// The encoding has no salts or random parts: the same certificates give the
// same bytes.
func JavaTrustStore(r io.Reader, w io.Writer) (int, error) {
	names, certs, err := caCertificates(r)
	if err != nil {
		return 0, err
	}
	var entries []pkcs12.TrustStoreEntry
	for _, n := range names {
		block, _ := pem.Decode(certs[n])
		if block == nil || block.Type != "CERTIFICATE" {
			return 0, fmt.Errorf("deb: %s%s is not a PEM certificate", caDir, n)
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return 0, fmt.Errorf("deb: %s%s: %w", caDir, n, err)
		}
		entries = append(entries, pkcs12.TrustStoreEntry{Cert: c, FriendlyName: javaAlias(n)})
	}
	data, err := pkcs12.Passwordless.EncodeTrustStoreEntries(entries, "")
	if err != nil {
		return 0, fmt.Errorf("deb: encoding the Java trust store: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return 0, err
	}
	return len(entries), nil
}

// javaAlias is the alias ca-certificates-java gives the certificate
// usr/share/ca-certificates/<name>: "debian:" and the name of the link
// update-ca-certificates makes for it in /etc/ssl/certs (the base name, ".crt"
// replaced by ".pem", blanks and commas by "_", parentheses by "="). It is in
// lower case, as Java keeps the aliases of JKS and PKCS#12 stores and as
// Debian's cacerts holds them.
func javaAlias(name string) string {
	base := strings.TrimSuffix(path.Base(name), ".crt")
	base = strings.NewReplacer(" ", "_", ",", "_", "(", "=", ")", "=").Replace(base)
	return "debian:" + strings.ToLower(base) + ".pem"
}

// caCertificates reads the certificates a ca-certificates .deb ships,
// keyed by their path under /usr/share/ca-certificates, and their sorted
// names.
func caCertificates(r io.Reader) ([]string, map[string][]byte, error) {
	a, err := Open(r)
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	certs := map[string][]byte{}
	tr := a.Data()
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("deb: %s: %w", a.DataMember, err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if h.Typeflag != tar.TypeReg || !strings.HasPrefix(name, caDir) || !strings.HasSuffix(name, ".crt") {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, 1<<20))
		if err != nil {
			return nil, nil, fmt.Errorf("deb: reading %s: %w", name, err)
		}
		certs[strings.TrimPrefix(name, caDir)] = data
	}
	if len(certs) == 0 {
		return nil, nil, fmt.Errorf("deb: %s ships no certificates under /%s", a.Control.Package(), caDir)
	}
	names := make([]string, 0, len(certs))
	for n := range certs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, certs, nil
}
