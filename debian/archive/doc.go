// Package archive verifies a Debian archive from its signature down and reads
// its Packages indexes.
//
// The chain of trust, top down:
//
//	kr, _ := DebianKeyring()                          // keys shipped in keys/
//	rel, err := VerifyInRelease(inReleaseBytes, kr)   // OpenPGP clearsigned
//	err = rel.CheckValidUntil(time.Now())             // not a replayed old one
//	path, sum, size, err := rel.IndexFile("main", "amd64")
//	// fetch rel.Dir + "/" + rel.ByHashPath(path), pinned by sum
//	ix, err := rel.LoadPackages(path, data, IndexOptions{Repository: "debian"})
//	// each ix.Packages()[i]: Filename, SHA256, Size of its .deb
//
// Files: release.go, inrelease.go and keyring.go (Release files and their
// signatures), index.go and package.go (Packages indexes), depparse.go
// (relationship fields), decompress.go.
package archive
