package integration

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkWarmRebuild times a build of an unchanged image, end to end,
// with the daemon already running: `distill build` on the CLI's own shared
// daemon, as a user runs it, and `docker buildx build` of the same
// definition on the bed's builder, in the same run. Both export the same
// OCI tarball. cmd/distill-bench prints them in its table.
//
//	go test ./integration -run XXX -bench WarmRebuild -benchtime 10x
func BenchmarkWarmRebuild(b *testing.B) {
	bed := needBed(b)
	src := exampleWithLock(b, bed, "distroless-debian12")
	out := filepath.Join(b.TempDir(), "static.tar")
	args := append([]string{"--target", "static", "--platform", "linux/amd64", "-o", "type=oci,dest=" + out}, mirrorArgs(b)...)

	b.Run("cli", func(b *testing.B) {
		cli := cliBinary(b)
		env, _ := cliOwnDaemon(b)
		build := func() {
			cmd := exec.CommandContext(b.Context(), cli, append(append([]string{"build", "--progress", "quiet"}, args...), filepath.Join(src, "distill.hcl"))...)
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("distill build: %v\n%s", err, out)
			}
		}
		build() // starts the daemon and fills its cache
		for b.Loop() {
			build()
		}
	})
	b.Run("buildx", func(b *testing.B) {
		build := func() {
			cmd := bed.buildxCommand(b.Context(), src, append(append([]string{"--builder", builderName, "build", "--progress", "quiet", "-f", "distill.hcl"}, args...), ".")...)
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("docker buildx build: %v\n%s", err, out)
			}
		}
		build()
		for b.Loop() {
			build()
		}
	})
}
