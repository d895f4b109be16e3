package sbom

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func deb(name, version, arch, source string, depends ...string) plan.Package {
	return plan.Package{URL: "http://mirror.invalid/debian", LockedPackage: lockfile.LockedPackage{
		Name: name, Version: version, Architecture: arch, Repository: "debian", Source: source, Depends: depends,
		Filename: "pool/main/" + name + "_" + version + "_" + arch + ".deb", SHA256: "ab" + name,
	}}
}

func testInput() Input {
	libc := deb("libc6", "2.36-9+deb12u4", "amd64", "glibc", "libgcc-s1")
	gcc := deb("libgcc-s1", "12.2.0-14", "amd64", "gcc-12", "libc6")
	hello := &definition.Package{Name: "hello", Version: "2.10", Sources: []*definition.Source{
		{Kind: definition.SourceHTTP, HTTP: &definition.HTTPSource{URL: "http://mirror.invalid/hello-2.10.tar.gz", Digest: "sha256:abcd"}},
		{Kind: definition.SourceGit, Git: &definition.GitSource{URL: "http://git.invalid/x.git", Commit: "0123456789012345678901234567890123456789"}},
	}, Patches: []definition.Patch{{Path: "fix.patch"}}, Runtime: []string{"libc6 (>= 2.36)"}}
	b := &plan.Build{Package: hello, Base: []plan.Package{libc}, Requires: []plan.Package{deb("make", "4.3-4.1", "amd64", "make-dfsg")}}
	return Input{
		Image: "hello", Platform: ocispecs.Platform{OS: "linux", Architecture: "amd64"},
		Created: time.Unix(0, 0), Tool: "distill-test",
		Repositories: []*definition.Repository{{Name: "debian", Suite: "bookworm"}},
		Debs:         plan.Debs{Groups: [][]plan.Package{{libc, gcc}}, Built: []plan.Output{{Build: b}}},
		Copyright: map[string][]byte{"libc6": []byte("Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n" +
			"Files: *\nCopyright: FSF\nLicense: LGPL-2.1+\n")},
		Generated: []Generated{{Path: "/etc/ssl/certs/ca-certificates.crt", Content: []byte("-----BEGIN CERTIFICATE-----\n"),
			From: deb("ca-certificates", "20230311", "all", "ca-certificates")}},
	}
}

func TestDocument(t *testing.T) {
	in := testInput()
	data, err := Document(in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Document(in)
	if err != nil || !bytes.Equal(data, again) {
		t.Fatal("Document is not deterministic")
	}
	var d document
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if d.SPDXVersion != "SPDX-2.3" || d.CreationInfo.Created != "1970-01-01T00:00:00Z" {
		t.Errorf("header: %s, created %s", d.SPDXVersion, d.CreationInfo.Created)
	}

	byID := map[string]*spdxPackage{}
	byName := map[string]*spdxPackage{}
	for _, p := range d.Packages {
		if byID[p.SPDXID] != nil {
			t.Errorf("SPDXID %s twice", p.SPDXID)
		}
		byID[p.SPDXID], byName[p.Name] = p, p
	}
	files := map[string]*spdxFile{}
	for _, f := range d.Files {
		files[f.SPDXID] = f
	}
	name := func(id string) string {
		switch {
		case id == "SPDXRef-DOCUMENT":
			return "DOCUMENT"
		case byID[id] != nil:
			return byID[id].Name
		case files[id] != nil:
			return files[id].FileName
		}
		t.Errorf("a relationship names %s, which the document lacks", id)
		return id
	}
	var rels []string
	for _, r := range d.Relationships {
		rels = append(rels, name(r.SPDXElementID)+" "+r.RelationshipType+" "+name(r.RelatedSPDXElement))
	}
	for _, want := range []string{
		"DOCUMENT DESCRIBES hello",
		"hello CONTAINS libc6", "hello CONTAINS libgcc-s1", "hello CONTAINS /etc/ssl/certs/ca-certificates.crt",
		"libc6 DEPENDS_ON libgcc-s1", "libgcc-s1 DEPENDS_ON libc6",
		"hello GENERATED_FROM hello-2.10.tar.gz", "hello GENERATED_FROM http://git.invalid/x.git", "hello GENERATED_FROM fix.patch",
		"libc6 BUILD_DEPENDENCY_OF hello", "make BUILD_DEPENDENCY_OF hello", "hello DEPENDS_ON libc6",
		"/etc/ssl/certs/ca-certificates.crt GENERATED_FROM ca-certificates",
	} {
		if !slices.Contains(rels, want) {
			t.Errorf("no relationship %q in\n%q", want, rels)
		}
	}
	if slices.Contains(rels, "hello CONTAINS ca-certificates") || slices.Contains(rels, "hello CONTAINS make") {
		t.Errorf("the image contains a package it only was built or generated from:\n%q", rels)
	}

	libc := byName["libc6"]
	if got := libc.ExternalRefs[0].ReferenceLocator; got != "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc" {
		t.Errorf("libc6 purl %s", got)
	}
	if libc.DownloadLocation != "http://mirror.invalid/debian/pool/main/libc6_2.36-9+deb12u4_amd64.deb" || libc.Checksums[0] != (checksum{"SHA256", "ablibc6"}) {
		t.Errorf("libc6 download %s %v", libc.DownloadLocation, libc.Checksums)
	}
	if libc.LicenseDeclared != "LGPL-2.1-or-later" || byName["libgcc-s1"].LicenseDeclared != noAssertion {
		t.Errorf("licenses: libc6 %s, libgcc-s1 %s", libc.LicenseDeclared, byName["libgcc-s1"].LicenseDeclared)
	}
	if libc.SourceInfo != "built package from: glibc 2.36-9+deb12u4" {
		t.Errorf("libc6 source info %q", libc.SourceInfo)
	}
	if got := byName["hello"]; got == nil || got.ExternalRefs == nil {
		t.Fatal("no package hello")
	}
	tarball := byName["hello-2.10.tar.gz"]
	if tarball.DownloadLocation != "http://mirror.invalid/hello-2.10.tar.gz" || tarball.Checksums[0] != (checksum{"SHA256", "abcd"}) {
		t.Errorf("http source %+v", tarball)
	}
	if git := byName["http://git.invalid/x.git"]; git.DownloadLocation != "git+http://git.invalid/x.git@0123456789012345678901234567890123456789" {
		t.Errorf("git source %+v", git)
	}
	for _, f := range d.Files {
		if len(f.Checksums) != 2 || f.Checksums[0].Algorithm != "SHA1" {
			t.Errorf("file %s checksums %v (SPDX 2.3 requires SHA1)", f.FileName, f.Checksums)
		}
	}

	// Another input, another namespace.
	in.Debs.Groups[0] = in.Debs.Groups[0][:1]
	other, err := Document(in)
	if err != nil {
		t.Fatal(err)
	}
	var d2 document
	if err := json.Unmarshal(other, &d2); err != nil {
		t.Fatal(err)
	}
	if d2.DocumentNamespace == d.DocumentNamespace {
		t.Error("two documents share a namespace")
	}
}

func TestDistro(t *testing.T) {
	for suite, want := range map[string]string{"bookworm": "debian-12", "bookworm-security": "debian-12", "trixie-updates": "debian-13", "sid": "debian-sid"} {
		if got := Distro(suite); got != want {
			t.Errorf("Distro(%s) = %s, want %s", suite, got, want)
		}
	}
}
