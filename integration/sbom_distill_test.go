package integration

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// spdxPredicate is the in-toto predicate type of an SPDX document.
const spdxPredicate = "https://spdx.dev/Document"

// TestSBOM builds the hello example (hello built from source on Debian's
// libc) with --sbom=true and reads distill's own SPDX document from the
// image's attestation: BuildKit's scanner image is never pulled (there is
// no registry to pull it from), syft finds the same packages in the image
// (trivy lists none: hello has no /etc/os-release; TestLayerBudget compares it),
// and hello's entry names its sources and build sandbox. Without --sbom
// there is no document.
func TestSBOM(t *testing.T) {
	b := needBed(t)
	dir := example(t, b, "hello")
	build := func(args ...string) (*OCILayout, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "hello.tar")
		all := append(append([]string{"build", "-f", "distill.hcl", "--platform", "linux/amd64", "-o", "type=oci,dest=" + out}, mirrorArgs(t)...), args...)
		_, stderr, err := b.Buildx(t, dir, append(all, ".")...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stderr, "syft-scanner") {
			t.Errorf("BuildKit ran its scanner image:\n%s", stderr)
		}
		l, err := ReadOCILayout(out)
		if err != nil {
			t.Fatal(err)
		}
		return l, out
	}

	l, file := build("--sbom=true", "--provenance=false")
	doc := sbomOf(t, l)
	rels := doc.relationships(t)
	ours := doc.contained(t)
	if len(ours) < 4 {
		t.Fatalf("the SBOM's image contains %d packages: %v", len(ours), ours)
	}
	if theirs := syftDebs(t, b, file); !slices.Equal(ours, theirs) {
		t.Errorf("the SBOM and syft disagree:\nSBOM %v\nsyft %v", ours, theirs)
	}
	for _, want := range []string{
		"hello CONTAINS hello", "hello CONTAINS libc6",
		"hello GENERATED_FROM hello_2.10.orig.tar.gz",
		"make BUILD_DEPENDENCY_OF hello", "gcc BUILD_DEPENDENCY_OF hello", "libc6 BUILD_DEPENDENCY_OF hello",
	} {
		if !slices.Contains(rels, want) {
			t.Errorf("no relationship %q in %q", want, rels)
		}
	}
	// A machine-readable copyright file in the image gives a license.
	for _, p := range doc.Packages {
		if p.SPDXID == doc.root(t) || !slices.Contains(rels, "hello CONTAINS "+p.Name) || p.Name == "hello" {
			continue
		}
		if len(p.Checksums) == 0 {
			t.Errorf("%s: no checksum of its .deb", p.Name)
		}
		c, ok := l.Images[0].File("/usr/share/doc/" + p.Name + "/copyright")
		if dep5 := ok && strings.HasPrefix(string(c.Data), "Format:"); dep5 == (p.LicenseDeclared == "NOASSERTION") {
			t.Errorf("%s: machine-readable copyright %v, license %q", p.Name, dep5, p.LicenseDeclared)
		}
	}

	if l, _ := build("--provenance=false"); len(l.Attestations) != 0 {
		t.Errorf("without --sbom the image has %d attestations", len(l.Attestations))
	}
}

// spdxDocument is what the test reads of an SPDX 2.3 document.
type spdxDocument struct {
	SPDXVersion string `json:"spdxVersion"`
	Packages    []struct {
		SPDXID          string `json:"SPDXID"`
		Name            string `json:"name"`
		VersionInfo     string `json:"versionInfo"`
		LicenseDeclared string `json:"licenseDeclared"`
		Checksums       []struct {
			Algorithm, ChecksumValue string
		} `json:"checksums"`
	} `json:"packages"`
	Files []struct {
		SPDXID   string `json:"SPDXID"`
		FileName string `json:"fileName"`
	} `json:"files"`
	Relationships []struct {
		From string `json:"spdxElementId"`
		Type string `json:"relationshipType"`
		To   string `json:"relatedSpdxElement"`
	} `json:"relationships"`
}

// relationships are the document's, as "NAME TYPE NAME"; every element
// they name must be in the document.
func (d *spdxDocument) relationships(t *testing.T) []string {
	t.Helper()
	names := map[string]string{"SPDXRef-DOCUMENT": "DOCUMENT"}
	for _, p := range d.Packages {
		names[p.SPDXID] = p.Name
	}
	for _, f := range d.Files {
		names[f.SPDXID] = f.FileName
	}
	var out []string
	for _, r := range d.Relationships {
		from, ok1 := names[r.From]
		to, ok2 := names[r.To]
		if !ok1 || !ok2 {
			t.Errorf("relationship %s %s %s names an element the document lacks", r.From, r.Type, r.To)
		}
		out = append(out, from+" "+r.Type+" "+to)
	}
	return out
}

// contained lists "NAME VERSION" of the packages the image contains,
// sorted.
func (d *spdxDocument) contained(t *testing.T) []string {
	t.Helper()
	root := d.root(t)
	in := map[string]bool{}
	for _, r := range d.Relationships {
		if r.From == root && r.Type == "CONTAINS" {
			in[r.To] = true
		}
	}
	var out []string
	for _, p := range d.Packages {
		if in[p.SPDXID] {
			out = append(out, p.Name+" "+p.VersionInfo)
		}
	}
	slices.Sort(out)
	return out
}

// syftDebs lists "NAME VERSION" of the Debian packages syft finds in an
// OCI archive (from the image's status.d records), sorted.
func syftDebs(t *testing.T, b *Bed, file string) []string {
	t.Helper()
	stdout, _, err := run(t, exec.CommandContext(t.Context(), b.Tools.Syft, "scan", "oci-archive:"+file, "-o", "syft-json", "-q"))
	if err != nil {
		t.Fatal(err)
	}
	var scan struct {
		Artifacts []struct{ Name, Version, Type string }
	}
	if err := json.Unmarshal([]byte(stdout), &scan); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range scan.Artifacts {
		if a.Type == "deb" {
			out = append(out, a.Name+" "+a.Version)
		}
	}
	slices.Sort(out)
	return out
}

// trivyDebs lists "NAME VERSION" of the Debian packages trivy finds in an
// OCI archive, sorted. Trivy reads an OCI layout directory, so the archive
// is unpacked first; listing packages (an SPDX document) needs no
// vulnerability database, and nothing is downloaded.
func trivyDebs(t *testing.T, b *Bed, file string) []string {
	t.Helper()
	dir := t.TempDir()
	if _, _, err := run(t, exec.CommandContext(t.Context(), "tar", "-xf", file, "-C", dir)); err != nil {
		t.Fatal(err)
	}
	stdout, _, err := run(t, exec.CommandContext(t.Context(), b.Tools.Trivy, "image", "--input", dir, "--format", "spdx-json",
		"--cache-dir", t.TempDir(), "--skip-db-update", "--skip-java-db-update", "--offline-scan", "--quiet"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Packages []struct {
			Name, VersionInfo string
			ExternalRefs      []struct{ ReferenceLocator string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range doc.Packages {
		for _, r := range p.ExternalRefs {
			if strings.HasPrefix(r.ReferenceLocator, "pkg:deb/") {
				out = append(out, p.Name+" "+p.VersionInfo)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// root is the element the document describes: the image.
func (d *spdxDocument) root(t *testing.T) string {
	t.Helper()
	for _, r := range d.Relationships {
		if r.From == "SPDXRef-DOCUMENT" && r.Type == "DESCRIBES" {
			return r.To
		}
	}
	t.Fatal("the document describes nothing")
	return ""
}

// sbomOf is the SPDX document of the layout's one attestation.
func sbomOf(t *testing.T, l *OCILayout) *spdxDocument {
	t.Helper()
	for _, a := range l.Attestations {
		for _, layer := range a.Manifest.Layers {
			if layer.Annotations["in-toto.io/predicate-type"] != spdxPredicate {
				continue
			}
			data, err := l.Blob(layer)
			if err != nil {
				t.Fatal(err)
			}
			var st struct {
				PredicateType string          `json:"predicateType"`
				Predicate     json.RawMessage `json:"predicate"`
			}
			if err := json.Unmarshal(data, &st); err != nil {
				t.Fatal(err)
			}
			var doc spdxDocument
			if err := json.Unmarshal(st.Predicate, &doc); err != nil {
				t.Fatal(err)
			}
			if st.PredicateType != spdxPredicate || doc.SPDXVersion != "SPDX-2.3" {
				t.Fatalf("attestation %s of %s", st.PredicateType, doc.SPDXVersion)
			}
			return &doc
		}
	}
	t.Fatalf("no SPDX attestation among %d", len(l.Attestations))
	return nil
}
