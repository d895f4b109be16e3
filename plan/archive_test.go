package plan

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/definition"
	"github.com/hashicorp/hcl/v2"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// signedMirror serves, under dists/SERVED, an InRelease for codename signed
// by a fresh key at signed, with extra Release fields, from a loopback server. It
// returns the server's URL and a keyring trusting the key.
func signedMirror(t *testing.T, served, codename string, signed time.Time, extra string) (string, *archive.Keyring) {
	t.Helper()
	netbase := "Package: netbase\nVersion: 6.4\nArchitecture: all\nFilename: pool/main/n/netbase/netbase_6.4_all.deb\nSize: 1\nSHA256: " + strings.Repeat("0", 64) + "\n\n"
	return signedMirrorOf(t, served, codename, signed, extra, map[string]string{"amd64": netbase})
}

// signedMirrorOf is signedMirror with a Packages index per architecture.
func signedMirrorOf(t *testing.T, served, codename string, signed time.Time, extra string, indexes map[string]string) (string, *archive.Keyring) {
	t.Helper()
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, Time: func() time.Time { return signed.Add(-time.Hour) }}
	key, err := openpgp.NewEntity("test archive", "", "archive@example.org", cfg)
	if err != nil {
		t.Fatal(err)
	}
	archs := slices.Sorted(maps.Keys(indexes))
	release := fmt.Sprintf("Origin: Debian\nSuite: %s\nCodename: %s\nDate: %s\n%sArchitectures: %s\nComponents: main\nSHA256:\n",
		codename, codename, signed.Format(time.RFC1123), extra, strings.Join(archs, " "))
	for _, arch := range archs {
		release += fmt.Sprintf(" %x %d main/binary-%s/Packages\n", sha256.Sum256([]byte(indexes[arch])), len(indexes[arch]), arch)
	}
	var signedRelease bytes.Buffer
	w, err := clearsign.Encode(&signedRelease, key.PrivateKey, &packet.Config{Time: func() time.Time { return signed }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, release); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	if err := key.Serialize(&pub); err != nil {
		t.Fatal(err)
	}
	kr, err := archive.ParseKeyring(pub.Bytes(), "test")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dir := "/dists/" + served + "/"
		arch := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, dir+"main/binary-"), "/Packages")
		switch index, ok := indexes[arch]; {
		case r.URL.Path == dir+"InRelease":
			_, _ = w.Write(signedRelease.Bytes()) // a failed write shows as a short body
		case ok && r.URL.Path == dir+"main/binary-"+arch+"/Packages":
			_, _ = w.Write([]byte(index)) // a failed write shows as a short body
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, kr
}

// TestArchiveRelease walks a loopback mirror's InRelease: a replayed one past
// its Valid-Until is refused (a freeze attack) unless the repository opts
// out, and one signed for another suite is refused.
func TestArchiveRelease(t *testing.T) {
	signed := time.Date(2024, 2, 10, 9, 36, 25, 0, time.UTC)
	validUntil := "Valid-Until: Sat, 17 Feb 2024 09:36:25 UTC\n"
	for _, tc := range []struct {
		name     string
		codename string // what the served InRelease says; the repository asks for bookworm-security
		extra    string // more Release fields
		attrs    string // more repository attributes
		now      time.Time
		want     []string // in the error; none: no error
	}{
		{"within Valid-Until", "bookworm-security", validUntil, "", signed.Add(24 * time.Hour), nil},
		{"expired", "bookworm-security", validUntil, "", signed.Add(30 * 24 * time.Hour),
			[]string{"distill.hcl:2,1-20", "Repository debian", "/dists/bookworm-security/InRelease", "expired on Sat, 17 Feb 2024 09:36:25 UTC", "check_valid_until = false"}},
		{"expired, snapshot opt-out", "bookworm-security", validUntil, "check_valid_until = false", signed.Add(30 * 24 * time.Hour), nil},
		{"no Valid-Until", "bookworm-security", "", "", signed.Add(3 * 365 * 24 * time.Hour), nil},
		// bookworm's InRelease served at bookworm-security's path.
		{"another suite", "bookworm", "", "", signed.Add(time.Hour),
			[]string{"distill.hcl:2,1-20", `signed for suite "bookworm" (codename "bookworm"), not "bookworm-security"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, kr := signedMirror(t, "bookworm-security", tc.codename, signed, tc.extra)
			def := mustParse(t, fmt.Sprintf("variable \"M\" { default = %q }\nrepository \"debian\" {\n  url   = M\n  suite = \"bookworm-security\"\n  %s\n}\nimage \"a\" {}\n", url, tc.attrs))
			_, err := mustRepos(t, def, Options{Fetcher: archive.HTTPFetcher{}, Keyring: kr, Now: tc.now}).index(t.Context(), "amd64")
			if tc.want == nil {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var diag *hcl.Diagnostic
			if !errors.As(err, &diag) || diag.Subject == nil {
				t.Fatalf("error without a range: %v", err)
			}
			got := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("error lacks %q:\n%s", w, got)
				}
			}
		})
	}
}

func mustRepos(t *testing.T, def *definition.Definition, o Options) *repos {
	t.Helper()
	r, err := newRepos(def, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestForeignArchitecture: a request for another architecture's package
// ("libc6:i386", as the README allows) brings in that architecture's index
// and locks the package under its qualified name.
func TestForeignArchitecture(t *testing.T) {
	pkg := func(name, arch string) string {
		return fmt.Sprintf("Package: %s\nVersion: 1\nArchitecture: %s\nMulti-Arch: same\nFilename: pool/%s_%s.deb\nSize: 1\nSHA256: %s\n\n", name, arch, name, arch, strings.Repeat("1", 64))
	}
	signed := time.Now().Add(-time.Hour)
	url, kr := signedMirrorOf(t, "bookworm", "bookworm", signed, "", map[string]string{
		"amd64": pkg("libc6", "amd64"), "i386": pkg("libc6", "i386"),
	})
	def := mustParse(t, fmt.Sprintf("repository \"debian\" {\n  url   = %q\n  suite = \"bookworm\"\n}\nimage \"a\" {\n  platforms = [\"linux/amd64\"]\n  packages  = [\"libc6\", \"libc6:i386\"]\n}\n", url))
	l, err := Lock(t.Context(), def, nil, ocispecs.Platform{}, Options{Fetcher: archive.HTTPFetcher{}, Keyring: kr})
	if err != nil {
		t.Fatal(err)
	}
	pkgs, _, err := l.ImagePackages("a", lockInputs(def, def.Image("a")), "amd64")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkgs {
		got = append(got, p.Key("amd64"))
	}
	if strings.Join(got, " ") != "libc6 libc6:i386" {
		t.Errorf("locked %v", got)
	}
}

// TestUnknownExclude: an excluded name that is no package of the archive,
// real or virtual, is warned of at the exclude line, once however many
// images inherit it or architectures lack it, and solving goes on.
func TestUnknownExclude(t *testing.T) {
	pkg := func(name, extra string) string {
		return fmt.Sprintf("Package: %s\nVersion: 1\nArchitecture: amd64\n%sFilename: pool/%s.deb\nSize: 1\nSHA256: %s\n\n", name, extra, name, strings.Repeat("1", 64))
	}
	url, kr := signedMirrorOf(t, "bookworm", "bookworm", time.Now().Add(-time.Hour), "", map[string]string{
		"amd64": pkg("libc6", "") + pkg("mawk", "Provides: awk\n"),
		"arm64": strings.ReplaceAll(pkg("libc6", "")+pkg("mawk", "Provides: awk\n"), "amd64", "arm64"),
	})
	def := mustParse(t, fmt.Sprintf("repository \"debian\" {\n  url   = %q\n  suite = \"bookworm\"\n}\n"+
		"image \"a\" {\n  platforms = [\"linux/amd64\", \"linux/arm64\"]\n  packages  = [\"libc6\"]\n  exclude   = [\"mawk\", \"awk\", \"mawkk\"]\n}\n"+
		"image \"b\" { from = image.a }\n", url))
	var got []string
	warn := func(d *hcl.Diagnostic) { got = append(got, d.Error()) }
	if _, err := Lock(t.Context(), def, nil, ocispecs.Platform{}, Options{Fetcher: archive.HTTPFetcher{}, Keyring: kr, Warn: warn}); err != nil {
		t.Fatal(err)
	}
	want := `distill.hcl:8,3-39: Unknown excluded package; "mawkk" is no package of the archive for amd64, so excluding it excludes nothing: check the name.`
	if len(got) != 1 || got[0] != want {
		t.Errorf("warnings %q, want %q", got, want)
	}
}
