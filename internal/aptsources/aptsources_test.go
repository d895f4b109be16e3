package aptsources

import (
	"maps"
	"os"
	"path/filepath"
	"testing"
)

// signedBy is a Signed-By field embedding a key, as apt allows: a value
// folded over many lines, with " ." for its empty lines and lines that look
// like fields ("Comment: ...") once unfolded.
const signedBy = `Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 Comment: Types: deb
 .
 mDMEZcs8mRYJKwYBBAHaRw8BAQdAd9mHHb7ko3Kwyvf2GtbsXZ0dUC0bnmHEw2mN
 URIs: http://not-a-field.invalid/debian
 =ABCD
 -----END PGP PUBLIC KEY BLOCK-----
`

func TestMirrors(t *testing.T) {
	const sources = "etc/apt/sources.list.d/debian.sources"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  map[string]string
	}{
		{
			name: "sources and lists",
			files: map[string]string{
				sources: `Types: deb
URIs: http://mirror.invalid/debian/
Suites: bookworm bookworm-updates
Components: main

Types: deb-src
URIs: http://src.invalid/debian

Types: deb
URIs: http://mirror.invalid/debian-security
Suites: bookworm-security
Components: main
`,
				"etc/apt/sources.list": "# comment\ndeb [arch=amd64 signed-by=/x] https://other.invalid/debian bookworm main\ndeb http://third.invalid/ubuntu jammy main\n",
			},
			want: map[string]string{
				"debian":          "http://mirror.invalid/debian",
				"debian-security": "http://mirror.invalid/debian-security",
				"ubuntu":          "http://third.invalid/ubuntu",
			},
		},
		{
			// A field continues on lines that start with a blank; a
			// comment line is skipped, even inside a stanza.
			name: "folded fields and comments",
			files: map[string]string{
				sources: "# mirrors\nTypes: deb\n# http://snapshot.debian.org/archive/debian/20250520T000000Z\nURIs: http://mirror.invalid/debian\n http://mirror.invalid/debian-security\nSuites: bookworm\nComponents: main\n" +
					signedBy + "\nTypes: deb\nURIs:\n\thttp://second.invalid/debian-ports\nSuites: sid\n" + signedBy,
			},
			want: map[string]string{
				"debian":          "http://mirror.invalid/debian",
				"debian-security": "http://mirror.invalid/debian-security",
				"debian-ports":    "http://second.invalid/debian-ports",
			},
		},
		{
			name: "types, enabled and CRLF",
			files: map[string]string{
				sources: "Types: deb-src deb\r\nURIs: http://both.invalid/debian\r\n\r\nTypes: deb\r\nEnabled: no\r\nURIs: http://off.invalid/debian-security\r\n\r\nTypes: deb\r\nEnabled: yes\r\nURIs: http://on.invalid/debian-security\r\n",
			},
			want: map[string]string{
				"debian":          "http://both.invalid/debian",
				"debian-security": "http://on.invalid/debian-security",
			},
		},
		{
			// apt refuses the file; what precedes the error is kept.
			name: "syntax error",
			files: map[string]string{
				sources: "Types: deb\nURIs: http://before.invalid/debian\n\nTypes: deb\nnot a field\nURIs: http://after.invalid/debian-security\n",
			},
			want: map[string]string{"debian": "http://before.invalid/debian"},
		},
		{
			name: "only http and https",
			files: map[string]string{
				sources: "Types: deb\nURIs: file:///srv/debian cdrom:/media/debian ftp://x.invalid/debian\n",
			},
			want: map[string]string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			for name, content := range tc.files {
				p := filepath.Join(root, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := Mirrors(root); !maps.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
