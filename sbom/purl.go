package sbom

import (
	"strings"

	"github.com/distill-build/distill/plan"
)

// debPURL is a Debian package's package URL, as the purl spec's deb type
// writes it and scanners match it against Debian's security tracker:
// pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12,
// with upstream= naming the source package when its name differs.
func debPURL(p plan.Package, distro string) string {
	q := "arch=" + purlEscape(p.Architecture) + "&distro=" + purlEscape(distro)
	if p.Source != "" && p.Source != p.Name {
		up := p.Source
		if p.SourceVersion != "" {
			up += "@" + p.SourceVersion
		}
		q += "&upstream=" + purlEscape(up)
	}
	return "pkg:deb/debian/" + purlEscape(p.Name) + "@" + purlEscape(p.Version) + "?" + q
}

// genericPURL is a package built from source: no archive publishes it, so
// it is generic, not Debian's.
func genericPURL(name, version, debArch string) string {
	return "pkg:generic/" + purlEscape(name) + "@" + purlEscape(version) + "?arch=" + purlEscape(debArch)
}

// Distro is the purl distro of a Debian suite: its release's number
// ("debian-12" for bookworm, bookworm-security and bookworm-updates), as
// scanners read it from os-release, or the codename for one it does not
// know.
func Distro(suite string) string {
	codename, _, _ := strings.Cut(suite, "-")
	if n, ok := debianReleases[codename]; ok {
		return "debian-" + n
	}
	return "debian-" + codename
}

// debianReleases are the release numbers of Debian's codenames.
var debianReleases = map[string]string{
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "duke": "15",
}

// purlEscape percent-encodes all but the characters the purl spec leaves
// bare: a version's "+" and an epoch's ":" are escaped.
func purlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte(".-_~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		const hex = "0123456789ABCDEF"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
