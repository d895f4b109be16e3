package linter

import (
	"os"
	"testing"

	"github.com/distill-build/distill/lockfile"
)

// BenchmarkCheckDistroless is `distill check` of Debian 12's catalogue
// after reading it: every rule over every image, the closure rules with
// the lockfile beside it.
func BenchmarkCheckDistroless(b *testing.B) {
	file := "../../examples/distroless-debian12/distill.hcl"
	def := loweredFile(b, file)
	data, err := os.ReadFile(lockfile.Name(file))
	if err != nil {
		b.Fatal(err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		New(nil).Check(def, def.Images, LockClosures(lock))
	}
}
