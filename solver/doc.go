// Package solver holds distill's Debian knowledge: archive indexes and their
// signatures, version ordering, dependency closure, the lockfile, and the
// build graph of packages built from source.
//
// It knows nothing about LLB or BuildKit: it turns declared package sets into
// solved, pinned sets that the llb package compiles.
package solver
