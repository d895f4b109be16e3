// Package integration holds distill's end-to-end tests. They run against a
// real buildkitd (OCI worker, runc), a local distribution registry that holds
// the frontend image, and buildx with the remote driver; TestMain sets all of
// that up once per `go test` run and tears it down afterwards.
//
// Prerequisites: root, runc, qemu-user-static and binfmt-support (Debian:
// apt-get install runc qemu-user-static binfmt-support), and Go to build the
// tools pinned in go.mod. The tools are built once into $DISTILL_TOOLS_CACHE
// (default ~/.cache/distill/tools), keyed by their module versions. With a
// cold Go build cache, set-up takes 10-15 minutes on an idle two-core machine
// and twice that on a busy one, and go test's -timeout counts it: run the
// first time with -timeout 60m. Later runs set the bed up in seconds.
// `go test -short ./...` skips these tests.
package integration
