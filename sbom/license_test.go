package sbom

import "testing"

func TestLicense(t *testing.T) {
	const format = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\n"
	for _, tc := range []struct{ name, copyright, want string }{
		{"one license", format + "Files: *\nCopyright: 1999 A\nLicense: GPL-2+\n This program is free software;\n .\n more text\n", "GPL-2.0-or-later"},
		{"several, sorted and once each", format +
			"Files: *\nCopyright: A\nLicense: LGPL-2.1+\n\n" +
			"Files: debian/*\nCopyright: B\nLicense: GPL-2+\n\n" +
			"Files: src/x.c\nCopyright: C\nLicense: LGPL-2.1+\n\n" +
			"License: LGPL-2.1+\n The full text, in a stand-alone paragraph.\n",
			"GPL-2.0-or-later AND LGPL-2.1-or-later"},
		{"a choice keeps its parentheses", format + "Files: *\nCopyright: A\nLicense: GPL-1+ or Artistic\n\nFiles: b\nCopyright: B\nLicense: Expat\n",
			"(GPL-1.0-or-later OR Artistic-1.0-Perl) AND MIT"},
		{"an exception stays one name", format + "Files: *\nCopyright: A\nLicense: GPL-2+ with OpenSSL exception\n",
			"LicenseRef-GPL-2--with-OpenSSL-exception"},
		{"unknown names are LicenseRefs", format + "Files: *\nCopyright: A\nLicense: public-domain\n", "LicenseRef-public-domain"},
		{"free form", "This is the Debian prepackaged version of x.\n\nCopyright (C) 1999 A\n\nGPL, see /usr/share/common-licenses/GPL\n", ""},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := License([]byte(tc.copyright)); got != tc.want {
				t.Errorf("License = %q, want %q", got, tc.want)
			}
		})
	}
}
