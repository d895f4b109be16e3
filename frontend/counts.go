package frontend

import (
	"encoding/json"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// PackagesKey is the result metadata key holding, as JSON, the image's
// package counts per platform (PackageCounts): what the CLI's summary
// shows next to each platform's digest and sizes. The exporter ignores it.
const PackagesKey = "distill.packages"

// PackageCount is how many packages one platform's image holds.
type PackageCount struct {
	Debian int `json:"debian"` // .debs from the archive
	Built  int `json:"built"`  // packages built from source, subpackages included
}

// PackageCounts are the counts by platform, normalized and formatted as
// platforms.FormatAll (linux/arm64, not linux/arm64/v8).
type PackageCounts map[string]PackageCount

// packageCounts counts what each platform's image takes: one layer or
// group member per .deb, one output per package built from source.
func packageCounts(pkgs map[string]plan.Debs, plats []ocispecs.Platform) ([]byte, error) {
	out := PackageCounts{}
	for _, p := range plats {
		d := pkgs[arch.ForPlatform(p)]
		var c PackageCount
		for _, g := range d.Groups {
			c.Debian += len(g)
		}
		c.Built = len(d.Built)
		out[platforms.FormatAll(platforms.Normalize(p))] = c
	}
	return json.Marshal(out) // a map's keys are sorted: the bytes are stable
}
