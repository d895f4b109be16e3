package aptsources

import (
	"os"
	"path/filepath"
	"testing"
)

func TestMirrors(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"etc/apt/sources.list.d/debian.sources": `Types: deb
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
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := Mirrors(root)
	want := map[string]string{
		"debian":          "http://mirror.invalid/debian",
		"debian-security": "http://mirror.invalid/debian-security",
		"ubuntu":          "http://third.invalid/ubuntu",
	}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: got %q, want %q", k, got[k], v)
		}
	}
}
