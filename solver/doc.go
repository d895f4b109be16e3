// Package solver holds distill's Debian knowledge: archive indexes and their
// signatures, version ordering, dependency closure, the lockfile, and the
// build graph of packages built from source.
//
// It knows nothing about LLB or BuildKit: it turns declared package sets into
// solved, pinned sets that the llb package compiles. It never fetches
// anything either: callers hand it the bytes they downloaded (through
// BuildKit, pinned by the hashes this package gives them).
//
// The chain of trust, top down:
//
//	kr, _ := DebianKeyring()                          // keys shipped in keys/
//	rel, err := VerifyInRelease(inReleaseBytes, kr)   // OpenPGP clearsigned
//	path, sum, size, err := rel.IndexFile("main", "amd64")
//	// fetch rel.Dir + "/" + rel.ByHashPath(path), pinned by sum
//	ix, err := rel.LoadPackages(path, data, IndexOptions{Repository: "debian"})
//	sel, err := Resolve(MergeIndexes(ix, securityIx), reqs, Options{Arch: "amd64"})
//	// each sel.Packages[i]: Filename, SHA256, Size of its .deb
//	lock := NewLockfile(); lock.Add(sel); data, _ := lock.Marshal()
//
// Files: deb822.go (control paragraphs), depparse.go (relationship fields),
// package.go and index.go (Packages indexes), release.go, inrelease.go and
// keyring.go (Release files and signatures), decompress.go, request.go and
// resolve.go (dependency closure), lockfile.go and lockdiff.go, version.go
// and relation.go (dpkg version order).
package solver
