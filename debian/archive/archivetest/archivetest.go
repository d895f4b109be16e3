// Package archivetest gives tests of the packages above debian/archive the
// synthetic Packages index that archive's own tests use.
package archivetest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/distill-build/distill/debian/archive"
)

// Synthetic parses testdata/synthetic/Packages of debian/archive: 53
// packages that exercise Provides, Multi-Arch, conflicts and alternatives.
func Synthetic(tb testing.TB) *archive.Index {
	tb.Helper()
	f, err := os.Open(SyntheticFile())
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	ix, err := archive.ParsePackagesWith(f, archive.IndexOptions{File: "testdata/synthetic/Packages", Repository: "debian"})
	if err != nil {
		tb.Fatal(err)
	}
	return ix
}

// SyntheticFile is the path of the synthetic Packages file, for tests that
// hand it to other programs (apt-get).
func SyntheticFile() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "synthetic", "Packages")
}
