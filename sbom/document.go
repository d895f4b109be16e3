package sbom

import (
	"crypto/sha1" //nolint:gosec // SPDX 2.3 requires a file's SHA1
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Input is what one image holds for one platform, as the plan says, with
// the few files of the built image the document needs.
type Input struct {
	Image    string
	Platform ocispecs.Platform
	// Created is the document's creation time: SOURCE_DATE_EPOCH, so that
	// equal inputs give equal documents.
	Created time.Time
	Tool    string // "distill-VERSION"
	// Repositories are the definition's, for each package's suite.
	Repositories []*definition.Repository
	Debs         plan.Debs
	// Copyright holds /usr/share/doc/NAME/copyright of the image's Debian
	// packages, by name, where the image has one.
	Copyright map[string][]byte
	// Generated are files distill made from a package rather than
	// unpacked from one: the CA bundle and the Java trust store.
	Generated []Generated
	// Base, when set, names the image from outside the definition that
	// the image is built on (a build context): Debs are then only what
	// distill added to it, and the document lists the base as an image it
	// does not describe.
	Base string
}

// Generated is a file distill generated into the image from a package.
type Generated struct {
	Path    string
	Content []byte
	From    plan.Package
}

// Document is the SPDX 2.3 JSON document of in: deterministic, so that
// equal inputs give equal bytes.
func Document(in Input) ([]byte, error) {
	b := &builder{in: in, debArch: arch.ForPlatform(in.Platform), ids: map[string]bool{}, built: map[string]string{}, byName: map[string]string{}}
	root := b.add(&spdxPackage{
		SPDXID: "SPDXRef-Image", Name: in.Image, DownloadLocation: noAssertion,
		LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
		PrimaryPackagePurpose: "CONTAINER",
		Comment:               "the image " + in.Image + " for " + platforms.FormatAll(in.Platform) + ", as distill built it",
	})
	b.relate("SPDXRef-DOCUMENT", "DESCRIBES", root)
	if in.Base != "" {
		base := b.add(&spdxPackage{
			SPDXID: "SPDXRef-BaseImage", Name: in.Base, DownloadLocation: noAssertion,
			LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
			PrimaryPackagePurpose: "CONTAINER",
			Comment:               "the image " + in.Image + " is built on, from " + in.Base + ": its contents are not described here",
		})
		b.relate(root, "DESCENDANT_OF", base)
	}

	var inImage []plan.Package
	for _, g := range in.Debs.Groups {
		for _, p := range g {
			id := b.deb(p)
			b.byName[p.Name] = id
			b.relate(root, "CONTAINS", id)
			inImage = append(inImage, p)
		}
	}
	for _, p := range inImage {
		for _, d := range p.Depends {
			if to, ok := b.byName[depName(d)]; ok {
				b.relate(b.debID(p), "DEPENDS_ON", to)
			}
		}
	}
	for _, o := range in.Debs.Built {
		b.relate(root, "CONTAINS", b.output(o))
	}
	for _, g := range in.Generated {
		id := b.file(g)
		b.relate(root, "CONTAINS", id)
		b.relate(id, "GENERATED_FROM", b.deb(g.From))
	}
	return b.marshal()
}

// depName is the package a status Depends entry names: "libc6",
// "libc6:amd64" and "python3:any" name libc6 and python3.
func depName(d string) string {
	name, _, _ := strings.Cut(d, ":")
	return name
}

type builder struct {
	in      Input
	debArch string
	doc     document
	ids     map[string]bool
	built   map[string]string // output name → SPDXID
	byName  map[string]string // the image's Debian packages by name
}

func (b *builder) add(p *spdxPackage) string {
	if !b.ids[p.SPDXID] {
		b.ids[p.SPDXID] = true
		b.doc.Packages = append(b.doc.Packages, p)
	}
	return p.SPDXID
}

func (b *builder) relate(from, kind, to string) {
	b.doc.Relationships = append(b.doc.Relationships, relationship{SPDXElementID: from, RelationshipType: kind, RelatedSPDXElement: to})
}

func (b *builder) debID(p plan.Package) string {
	return spdxID("Package-deb", p.Name, p.Architecture, p.Version)
}

// deb adds a Debian package, once, and returns its SPDXID.
func (b *builder) deb(p plan.Package) string {
	id := b.debID(p)
	if b.ids[id] {
		return id
	}
	lic := noAssertion
	if c, ok := b.in.Copyright[p.Name]; ok {
		if l := License(c); l != "" {
			lic = l
		}
	}
	srcVersion := p.SourceVersion
	if srcVersion == "" {
		srcVersion = p.Version
	}
	src := p.Source
	if src == "" {
		src = p.Name
	}
	return b.add(&spdxPackage{
		SPDXID: id, Name: p.Name, VersionInfo: p.Version,
		DownloadLocation: p.URL + "/" + p.Filename,
		Checksums:        []checksum{{"SHA256", p.SHA256}},
		SourceInfo:       "built package from: " + src + " " + srcVersion,
		LicenseConcluded: noAssertion, LicenseDeclared: lic, CopyrightText: noAssertion,
		ExternalRefs: []externalRef{{"PACKAGE-MANAGER", "purl", debPURL(p, b.distro(p.Repository))}},
	})
}

// distro is the purl's distro of a repository: "debian-12" for bookworm
// and its security and updates suites.
func (b *builder) distro(repo string) string {
	for _, r := range b.in.Repositories {
		if r.Name == repo {
			return Distro(r.Suite)
		}
	}
	return "debian"
}

// output adds a package built from source (or the subpackage o names),
// with its sources, its build sandbox and the packages built before it.
func (b *builder) output(o plan.Output) string {
	p := o.Build.Package
	name := o.Name()
	if id, ok := b.built[name]; ok {
		return id
	}
	id := b.add(&spdxPackage{
		SPDXID: spdxID("Package-built", name, b.debArch, p.Version), Name: name, VersionInfo: p.Version,
		DownloadLocation: noAssertion, LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
		Comment:      "built from source by distill",
		ExternalRefs: []externalRef{{"PACKAGE-MANAGER", "purl", genericPURL(name, p.Version, b.debArch)}},
	})
	b.built[name] = id
	if o.Sub != "" {
		b.relate(id, "GENERATED_FROM", b.output(plan.Output{Build: o.Build}))
		return id
	}
	for i, s := range p.Sources {
		b.relate(id, "GENERATED_FROM", b.source(name, i, s, o.Build))
	}
	for i, pt := range p.Patches {
		b.relate(id, "GENERATED_FROM", b.add(&spdxPackage{
			SPDXID: spdxID("Package-patch", name, fmt.Sprint(i), pt.Path), Name: pt.Path,
			DownloadLocation: noAssertion, LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
			Comment: "a patch from the build context, applied in order",
		}))
	}
	for _, q := range append(append([]plan.Package(nil), o.Build.Base...), o.Build.Requires...) {
		b.relate(b.deb(q), "BUILD_DEPENDENCY_OF", id)
	}
	for _, d := range o.Build.Deps {
		b.relate(b.output(d), "BUILD_DEPENDENCY_OF", id)
	}
	for _, r := range o.Build.Runtime {
		b.relate(id, "DEPENDS_ON", b.output(r))
	}
	for _, r := range p.Runtime {
		if to, ok := b.byName[depName(strings.Fields(r)[0])]; ok {
			b.relate(id, "DEPENDS_ON", to)
		}
	}
	return id
}

// source adds one source of a package built from source.
func (b *builder) source(pkg string, i int, s *definition.Source, build *plan.Build) string {
	p := &spdxPackage{
		SPDXID:           spdxID("Package-source", pkg, fmt.Sprint(i), s.Name()),
		Name:             s.Name(),
		DownloadLocation: noAssertion, LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
	}
	switch s.Kind {
	case definition.SourceHTTP:
		p.Name, p.DownloadLocation = s.HTTP.FileName(), s.HTTP.URL
		algo, sum, _ := strings.Cut(s.HTTP.Digest, ":")
		p.Checksums = []checksum{{strings.ToUpper(algo), sum}}
	case definition.SourceGit:
		p.Name, p.VersionInfo = s.Git.URL, s.Git.Commit
		p.DownloadLocation = "git+" + s.Git.URL + "@" + s.Git.Commit
		if s.Git.Tag != "" {
			p.Comment = "tag " + s.Git.Tag
		}
	case definition.SourceDebian:
		p.Name, p.VersionInfo = s.Debian.Name, s.Debian.Version
		for _, f := range build.Debian[s] {
			if f.IsDSC() {
				p.DownloadLocation = f.URL
				p.Checksums = []checksum{{"SHA256", f.SHA256}}
			}
		}
		p.Comment = "a Debian source package, unpacked by dpkg-source -x"
		p.ExternalRefs = []externalRef{{"PACKAGE-MANAGER", "purl", "pkg:deb/debian/" + purlEscape(s.Debian.Name) + "@" + purlEscape(s.Debian.Version) + "?arch=source"}}
	case definition.SourceContext:
		p.Comment = "from the build context"
	case definition.SourceInline:
		p.Comment = "written in the definition"
	}
	return b.add(p)
}

func (b *builder) file(g Generated) string {
	id := spdxID("File", g.Path)
	if !b.ids[id] {
		b.ids[id] = true
		s1, s256 := sha1.Sum(g.Content), sha256.Sum256(g.Content) //nolint:gosec // SPDX's required file checksum
		b.doc.Files = append(b.doc.Files, &spdxFile{
			SPDXID: id, FileName: g.Path,
			Checksums:        []checksum{{"SHA1", hex.EncodeToString(s1[:])}, {"SHA256", hex.EncodeToString(s256[:])}},
			LicenseConcluded: noAssertion, CopyrightText: noAssertion,
			Comment: "generated by distill from " + g.From.Name + " " + g.From.Version,
		})
	}
	return id
}

// marshal writes the document, named by a hash of its content so that
// equal inputs give equal namespaces.
func (b *builder) marshal() ([]byte, error) {
	d := &b.doc
	d.SPDXVersion, d.DataLicense, d.SPDXID = "SPDX-2.3", "CC0-1.0", "SPDXRef-DOCUMENT"
	d.Name = b.in.Image + " " + platforms.FormatAll(b.in.Platform)
	d.CreationInfo = creationInfo{Created: b.in.Created.UTC().Format(time.RFC3339), Creators: []string{"Tool: " + b.in.Tool}}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	d.DocumentNamespace = "https://spdx.org/spdxdocs/distill/" + sanitize(b.in.Image) + "-" + hex.EncodeToString(sum[:])
	return json.MarshalIndent(d, "", "  ")
}

// spdxID is an SPDX element ID from parts: letters, digits, "." and "-"
// only, with a short hash of the parts so that two names that sanitize
// alike ("libstdc++6" and "libstdc--6") stay apart.
func spdxID(kind string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return "SPDXRef-" + kind + "-" + sanitize(parts[0]) + "-" + hex.EncodeToString(sum[:4])
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, s)
}
