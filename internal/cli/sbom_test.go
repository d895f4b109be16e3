package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/lockfile"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// spdxDoc is as much of an SPDX document as the tests read.
type spdxDoc struct {
	SPDXVersion string `json:"spdxVersion"`
	Packages    []struct {
		SPDXID, Name, VersionInfo, LicenseDeclared string
		Checksums                                  []struct{ ChecksumValue string }
	} `json:"packages"`
	Relationships []struct {
		SPDXElementID, RelationshipType, RelatedSPDXElement string
	} `json:"relationships"`
}

// TestSBOMExamples prints the SBOM of every image of every example with a
// lockfile, for each of its platforms, and checks it against the lockfile
// itself: the image contains exactly the packages of its locked closure,
// with their versions and .deb hashes. Nothing is fetched: the mirror is
// mirror.invalid.
func TestSBOMExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/distill.lock.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("lockfiles: %v, %v", files, err)
	}
	docs := 0
	for _, lockPath := range files {
		def := filepath.Join(filepath.Dir(lockPath), "distill.hcl")
		data, err := os.ReadFile(lockPath)
		if err != nil {
			t.Fatal(err)
		}
		lock, err := lockfile.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		l, err := loadDefinition(def, exampleOptions.Args)
		if err != nil {
			t.Fatal(err)
		}
		for _, img := range l.def.Images {
			plats := img.Platforms
			if len(plats) == 0 {
				plats = []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}}
			}
			for _, p := range plats {
				args := []string{"sbom", "--target", img.Name, "--platform", platforms.FormatAll(p), def,
					"--build-arg", "MIRROR=http://mirror.invalid/debian", "--build-arg", "SECURITY_MIRROR=http://mirror.invalid/debian-security"}
				stdout, stderr, err := runCLI(t, args...)
				if err != nil || stderr != "" {
					t.Fatalf("%q: %v\n%s", args, err, stderr)
				}
				if again, _, _ := runCLI(t, args...); again != stdout {
					t.Errorf("%q: two runs differ", args)
				}
				var doc spdxDoc
				if err := json.Unmarshal([]byte(stdout), &doc); err != nil || doc.SPDXVersion != "SPDX-2.3" {
					t.Fatalf("%q: %v, version %q", args, err, doc.SPDXVersion)
				}
				checkAgainstLock(t, img.Name+" "+platforms.FormatAll(p), doc, lock, img.Name, arch.ForPlatform(p))
				docs++
			}
		}
	}
	if docs < 40 {
		t.Errorf("%d documents; the examples have more image platforms", docs)
	}
}

// checkAgainstLock compares the Debian packages the document's image
// contains with the image's locked closure.
func checkAgainstLock(t *testing.T, what string, doc spdxDoc, lock *lockfile.Lockfile, image, debArch string) {
	t.Helper()
	byID := map[string]int{}
	for i, p := range doc.Packages {
		byID[p.SPDXID] = i
		if p.LicenseDeclared != "NOASSERTION" {
			t.Errorf("%s: %s declares %s without the image's copyright files", what, p.Name, p.LicenseDeclared)
		}
	}
	var got []string
	for _, r := range doc.Relationships {
		if r.SPDXElementID == "SPDXRef-Image" && r.RelationshipType == "CONTAINS" && strings.HasPrefix(r.RelatedSPDXElement, "SPDXRef-Package-deb-") {
			p := doc.Packages[byID[r.RelatedSPDXElement]]
			got = append(got, p.Name+" "+p.VersionInfo+" "+p.Checksums[0].ChecksumValue)
		}
	}
	var want []string
	if rec := lock.Images[image]; rec != nil {
		for _, key := range rec.Closure[debArch] {
			p := lock.Lookup(debArch, key)
			if p == nil {
				t.Fatalf("%s: the lock's closure names %s, which it does not lock", what, key)
			}
			want = append(want, p.Name+" "+p.Version+" "+p.SHA256)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: the SBOM's image contains\n%s\nthe lock's closure is\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSBOMErrors(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "distill.hcl")
	src := "repository \"debian\" {\n  url   = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n}\n" +
		"image \"app\" {\n  platforms = [\"linux/arm64\", \"linux/riscv64\"]\n  packages  = [\"netbase\"]\n}\n" +
		"image \"empty\" {\n  platforms = [\"linux/arm64\"]\n}\n"
	if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		exit int
		err  string
	}{
		{[]string{"--target", "app", "--platform", "linux/arm64", def}, ExitFailure,
			"no lockfile next to " + def + " (" + filepath.Join(dir, "distill.lock.json") + "): run distill lock " + def + " first"},
		{[]string{"--target", "app", "--platform", "linux/s390x", def}, ExitFailure,
			def + ":6:3: Unsupported platform: Image \"app\" is built for linux/arm64, linux/riscv64; linux/s390x was requested."},
		{[]string{"--target", "app", "--platform", "linux/arm64,linux/riscv64", def}, ExitUsage, "one platform at a time"},
		{[]string{"--target", "nope", def}, ExitFailure, `target "nope" not found`},
		{[]string{"--target", "app", "--platform", "linux/arm64", "--build-arg", "SOURCE_DATE_EPOCH=soon", def}, ExitUsage, "--build-arg SOURCE_DATE_EPOCH=soon"},
	} {
		_, _, err := runCLI(t, append([]string{"sbom"}, tc.args...)...)
		if ExitCode(err) != tc.exit || err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: exit %d, %v; want %d, %q", tc.args, ExitCode(err), err, tc.exit, tc.err)
		}
	}
	// An image that takes nothing from an archive needs no lockfile.
	stdout, _, err := runCLI(t, "sbom", "--target", "empty", "--build-arg", "SOURCE_DATE_EPOCH=86400", def)
	if err != nil || !strings.Contains(stdout, `"name": "empty linux/arm64"`) || !strings.Contains(stdout, `"created": "1970-01-02T00:00:00Z"`) {
		t.Errorf("sbom of an image without packages: %v\n%s", err, stdout)
	}
}

func TestOnePlatform(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	riscv := ocispecs.Platform{OS: "linux", Architecture: "riscv64"}
	for _, tc := range []struct {
		declared  []ocispecs.Platform
		requested []string
		want      string
		err       string
	}{
		{nil, nil, "linux/amd64", ""},
		{[]ocispecs.Platform{arm64}, nil, "linux/arm64", ""},
		{[]ocispecs.Platform{arm64, amd64}, nil, "linux/amd64", ""},
		{[]ocispecs.Platform{arm64, riscv}, []string{"linux/riscv64"}, "linux/riscv64", ""},
		{[]ocispecs.Platform{arm64, riscv}, nil, "", `image "x" is built for linux/arm64, linux/riscv64: choose one with --platform`},
		{nil, []string{"linux/"}, "", "--platform linux/:"},
	} {
		p, err := onePlatform("x", tc.declared, tc.requested, amd64)
		if tc.err != "" {
			if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v %v: %v, want usage error %q", tc.declared, tc.requested, err, tc.err)
			}
			continue
		}
		if err != nil || platforms.FormatAll(p) != tc.want {
			t.Errorf("%v %v: %v, %v; want %s", tc.declared, tc.requested, platforms.FormatAll(p), err, tc.want)
		}
	}
}
