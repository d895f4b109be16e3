package resolve

import (
	"bytes"
	"syscall"
	"testing"
	"time"

	"github.com/distill-build/distill/debian/archive"
)

// cpuTime returns the CPU time (user + system) this process has used. The
// benchmarks report it per operation as "cpu-ns/op" next to the wall-clock
// ns/op: on a shared, loaded machine it is the steadier of the two (it
// includes the garbage collector's work on the other core).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// The budget (issue 3): parse a full bookworm main index and resolve the
// closure of python3 in under 0.5 s on the 2-core test machines.

// BenchmarkParsePackages parses the full bookworm main amd64 Packages index
// (uncompressed, ~50 MB, ~63,000 paragraphs).
func BenchmarkParsePackages(b *testing.B) {
	ri := loadReal(b)
	b.SetBytes(int64(len(ri.packages)))
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		ix, err := archive.ParsePackages(bytes.NewReader(ri.packages))
		if err != nil {
			b.Fatal(err)
		}
		if ix.Len() < 50000 {
			b.Fatal(ix.Len())
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkResolvePython3 resolves python3's closure over a parsed index.
// Every iteration uses an index whose Provides table is not built yet, so it
// includes building it (the first Resolve on an index does), but not the
// parse.
func BenchmarkResolvePython3(b *testing.B) {
	ri := loadReal(b)
	ix := ri.index(b)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		b.StopTimer()
		fresh := archive.NewIndex(ix.Packages()...) // no Provides table yet
		b.StartTimer()
		sel, err := Resolve(fresh, []Request{{Name: "python3"}}, Options{Arch: "amd64"})
		if err != nil {
			b.Fatal(err)
		}
		if len(sel.Packages) < 20 {
			b.Fatal(len(sel.Packages))
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkResolvePython3Warm resolves again over an index that has been
// resolved before (its Provides table built): the cost of each further image
// of a definition.
func BenchmarkResolvePython3Warm(b *testing.B) {
	ri := loadReal(b)
	ix := ri.index(b)
	if _, err := Resolve(ix, []Request{{Name: "python3"}}, Options{Arch: "amd64"}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		if _, err := Resolve(ix, []Request{{Name: "python3"}}, Options{Arch: "amd64"}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}

// BenchmarkParseAndResolvePython3 is the whole budget: parse the full index,
// then resolve python3.
func BenchmarkParseAndResolvePython3(b *testing.B) {
	ri := loadReal(b)
	b.ReportAllocs()
	cpu := cpuTime()
	for b.Loop() {
		ix, err := archive.ParsePackages(bytes.NewReader(ri.packages))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Resolve(ix, []Request{{Name: "python3"}}, Options{Arch: "amd64"}); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
}
