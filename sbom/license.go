package sbom

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/distill-build/distill/debian/control"
)

// License is the SPDX license expression of a Debian copyright file in the
// machine-readable format (DEP-5): the licenses of its Files paragraphs,
// joined by AND. It is "" for a file in free form, which only a person can
// read.
func License(copyright []byte) string {
	cr := control.NewControlReader(bytes.NewReader(copyright), "copyright")
	head, err := cr.Next()
	if err != nil || !strings.Contains(head.String("Format"), "copyright-format") && !strings.Contains(head.String("Format"), "dep5") {
		return ""
	}
	var exprs []string
	for {
		p, err := cr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "" // not machine-readable after all
		}
		if _, ok := p.Get("Files"); !ok {
			continue
		}
		// The first line is the license's short name or expression; the
		// rest is its text.
		first, _, _ := strings.Cut(p.String("License"), "\n")
		if e := expression(strings.TrimSpace(first)); e != "" && !slices.Contains(exprs, e) {
			exprs = append(exprs, e)
		}
	}
	slices.Sort(exprs)
	for i, e := range exprs {
		if len(exprs) > 1 && strings.Contains(e, " OR ") {
			exprs[i] = "(" + e + ")"
		}
	}
	return strings.Join(exprs, " AND ")
}

// expression turns a DEP-5 license expression ("GPL-2+ or Artistic") into
// SPDX's ("GPL-2.0-or-later OR Artistic-1.0-Perl").
func expression(s string) string {
	var out []string
	for _, w := range strings.Fields(s) {
		switch strings.ToLower(strings.TrimSuffix(w, ",")) {
		case "or":
			out = append(out, "OR")
		case "and":
			out = append(out, "AND")
		default:
			out = append(out, w)
		}
	}
	// Rejoin the names between operators: "GPL-2+ with OpenSSL exception"
	// is one name.
	var expr, name []string
	flush := func() {
		if len(name) > 0 {
			expr = append(expr, spdxLicense(strings.Join(name, " ")))
			name = nil
		}
	}
	for _, w := range out {
		if w == "OR" || w == "AND" {
			flush()
			expr = append(expr, w)
			continue
		}
		name = append(name, strings.TrimSuffix(w, ","))
	}
	flush()
	return strings.Join(expr, " ")
}

// spdxLicense maps a Debian short license name to its SPDX identifier, or
// to a LicenseRef for one SPDX does not list.
func spdxLicense(name string) string {
	if id, ok := spdxLicenses[strings.ToLower(name)]; ok {
		return id
	}
	return "LicenseRef-" + sanitize(name)
}

// spdxLicenses are SPDX's identifiers of Debian's short license names,
// lower-cased.
var spdxLicenses = map[string]string{
	"apache-2.0": "Apache-2.0", "artistic": "Artistic-1.0-Perl", "artistic-2.0": "Artistic-2.0",
	"bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause", "bsd-4-clause": "BSD-4-Clause",
	"cc0-1.0": "CC0-1.0", "expat": "MIT", "mit": "MIT", "isc": "ISC", "zlib": "Zlib",
	"gpl-1": "GPL-1.0-only", "gpl-1+": "GPL-1.0-or-later",
	"gpl-2": "GPL-2.0-only", "gpl-2.0": "GPL-2.0-only", "gpl-2+": "GPL-2.0-or-later", "gpl-2.0+": "GPL-2.0-or-later",
	"gpl-3": "GPL-3.0-only", "gpl-3.0": "GPL-3.0-only", "gpl-3+": "GPL-3.0-or-later", "gpl-3.0+": "GPL-3.0-or-later",
	"lgpl-2": "LGPL-2.0-only", "lgpl-2+": "LGPL-2.0-or-later",
	"lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later",
	"lgpl-3": "LGPL-3.0-only", "lgpl-3.0": "LGPL-3.0-only", "lgpl-3+": "LGPL-3.0-or-later", "lgpl-3.0+": "LGPL-3.0-or-later",
	"mpl-1.1": "MPL-1.1", "mpl-2.0": "MPL-2.0", "openssl": "OpenSSL", "psf-2": "PSF-2.0",
	"python": "Python-2.0", "bsl-1.0": "BSL-1.0", "curl": "curl", "x11": "X11", "ftl": "FTL",
}
