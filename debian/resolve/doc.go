// Package resolve solves the dependency closure of requested packages over
// a verified index, as apt does: Pre-Depends, Depends, alternatives,
// Provides, Multi-Arch and version relations, without maintainer scripts.
//
//	sel, err := Resolve(archive.MergeIndexes(ix, securityIx), reqs, Options{Arch: "amd64"})
//
// Its tests compare closures with apt-get -s: of the real bookworm index, and
// of the synthetic one its hand-written cases use.
package resolve
