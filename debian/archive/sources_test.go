package archive

import (
	"errors"
	"strings"
	"testing"
)

const sourcesIndex = `Package: dash
Version: 0.5.12-1
Directory: pool/main/d/dash
Checksums-Sha256:
 1111111111111111111111111111111111111111111111111111111111111111 1500 dash_0.5.12-1.dsc

Package: tini
Version: 0.19.0-1
Build-Depends: debhelper-compat (= 13), cmake (>= 2.8.0)
Directory: pool/main/t/tini
Checksums-Sha256:
 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA 1927 tini_0.19.0-1.dsc
 bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 36147 tini_0.19.0.orig.tar.gz
 cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc 4860 tini_0.19.0-1.debian.tar.xz
`

func TestFindSource(t *testing.T) {
	s, err := FindSource(strings.NewReader(sourcesIndex), "Sources", "tini", "0.19.0-1")
	if err != nil {
		t.Fatal(err)
	}
	dsc, ok := s.DSC()
	if s.Directory != "pool/main/t/tini" || len(s.Files) != 3 || !ok || dsc.Name != "tini_0.19.0-1.dsc" ||
		dsc.SHA256 != strings.Repeat("a", 64) || dsc.Size != 1927 || s.BuildDepends != "debhelper-compat (= 13), cmake (>= 2.8.0)" {
		t.Errorf("source %+v", s)
	}
	if _, err := FindSource(strings.NewReader(sourcesIndex), "Sources", "tini", "0.18.0-1"); !errors.Is(err, ErrNoSource) {
		t.Errorf("another version: %v", err)
	}
	for _, bad := range []string{
		"Package: x\nVersion: 1\nDirectory: pool/x\nChecksums-Sha256:\n abc 1 x.dsc\n",
		"Package: x\nVersion: 1\nDirectory: ../x\nChecksums-Sha256:\n " + strings.Repeat("1", 64) + " 1 x.dsc\n",
		"Package: x\nVersion: 1\nDirectory: pool/x\nChecksums-Sha256:\n " + strings.Repeat("1", 64) + " 1 x.tar.gz\n",
		"Package: x\nVersion: 1\nDirectory: pool/x\nChecksums-Sha256:\n " + strings.Repeat("1", 64) + " 1 ../x.dsc\n",
	} {
		if _, err := FindSource(strings.NewReader(bad), "Sources", "x", "1"); err == nil || errors.Is(err, ErrNoSource) {
			t.Errorf("accepted %q: %v", bad, err)
		}
	}
}
