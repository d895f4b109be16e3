package integration

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/distill-build/distill/internal/buildkitd"
)

// TestMultiNodeBuilder builds a two-platform image with one buildx builder
// of two nodes, each a buildkitd on 127.0.0.1 over TCP with mutual TLS
// (certificates made here), one per platform: each node builds its own
// platform's part, and the result has both.
func TestMultiNodeBuilder(t *testing.T) {
	b := needBed(t)
	certs := makeCerts(t)
	nodes := map[string]*buildkitd.Daemon{}
	addrs := map[string]string{}
	for _, p := range []string{"amd64", "arm64"} {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		addrs[p] = fmt.Sprintf("tcp://127.0.0.1:%d", port)
		tls := fmt.Sprintf("[grpc.tls]\n  cert = %q\n  key = %q\n  ca = %q\n", certs.serverCert, certs.serverKey, certs.ca)
		nodes[p] = freshBuildkitd(t, b, tls, addrs[p])
	}

	builder := "distill-cluster"
	tls := fmt.Sprintf("cacert=%s,cert=%s,key=%s", certs.ca, certs.clientCert, certs.clientKey)
	for _, args := range [][]string{
		{"create", "--name", builder, "--driver", "remote", "--driver-opt", tls, "--platform", "linux/amd64", addrs["amd64"]},
		{"create", "--name", builder, "--append", "--driver", "remote", "--driver-opt", tls, "--platform", "linux/arm64", addrs["arm64"]},
		{"inspect", "--bootstrap", builder},
	} {
		if _, _, err := run(t, b.buildxCommand(t.Context(), "", args...)); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { _, _, _ = run(t, b.buildxCommand(t.Context(), "", "rm", builder)) })

	dir := definition(t, b, strings.Replace(smallDefinition, `"netbase", "media-types"`, `"libc6"`, 1), nil)
	// buildx exports multi-node builds to a registry only.
	ref := b.Registry + "/distill/cluster:test"
	args := append([]string{"--builder", builder, "build", "-f", "distill.hcl", "--platform", "linux/amd64,linux/arm64",
		"-o", "type=image,name=" + ref + ",push=true,registry.insecure=true"}, mirrorArgs(t)...)
	if _, _, err := run(t, b.buildxCommand(t.Context(), dir, append(args, ".")...)); err != nil {
		t.Fatal(err)
	}
	if got := indexPlatforms(t, b.Registry, "distill/cluster", "test"); strings.Join(got, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("the pushed index has %q, want linux/amd64 and linux/arm64", got)
	}
	// Each node fetched only its own platform's .debs: its cache records
	// name the other architecture's nowhere.
	for p, other := range map[string]string{"amd64": "arm64", "arm64": "amd64"} {
		du, _, err := run(t, execBuildctl(t, b, nodes[p].Addr(), "du", "--verbose"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(du, "_"+p+".deb") {
			t.Errorf("the %s node built nothing of its own:\n%s", p, du)
		}
		if strings.Contains(du, "_"+other+".deb") {
			t.Errorf("the %s node built %s packages too:\n%s", p, other, du)
		}
	}
}

// certs are the PEM files of a CA, a server certificate for 127.0.0.1 and
// a client certificate, all signed by that CA.
type certs struct{ ca, serverCert, serverKey, clientCert, clientKey string }

func makeCerts(t *testing.T) certs {
	t.Helper()
	dir := t.TempDir()
	write := func(name, kind string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	now := time.Now()
	caKey := newKey()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "distill test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(serial int64, name string, usage x509.ExtKeyUsage) (string, string) {
		k := newKey()
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
			ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return write(name+".pem", "CERTIFICATE", der), write(name+"-key.pem", "EC PRIVATE KEY", keyDER)
	}
	c := certs{ca: write("ca.pem", "CERTIFICATE", caDER)}
	c.serverCert, c.serverKey = leaf(2, "server", x509.ExtKeyUsageServerAuth)
	c.clientCert, c.clientKey = leaf(3, "client", x509.ExtKeyUsageClientAuth)
	return c
}

// execBuildctl is buildctl against addr.
func execBuildctl(t *testing.T, b *Bed, addr string, args ...string) *exec.Cmd {
	t.Helper()
	return exec.CommandContext(t.Context(), b.Tools.Buildctl, append([]string{"--addr", addr}, args...)...)
}

// indexPlatforms are the platforms of the image index repo:tag in the
// registry at host, in order.
func indexPlatforms(t *testing.T, host, repo, tag string) []string {
	t.Helper()
	idx, err := fetchIndex(t.Context(), host, repo, tag)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.OS != "unknown" { // attestation manifests say unknown/unknown
			out = append(out, m.Platform.OS+"/"+m.Platform.Architecture)
		}
	}
	return out
}
