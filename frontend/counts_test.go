package frontend

import (
	"testing"

	"github.com/distill-build/distill/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestPackageCounts(t *testing.T) {
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	for _, tc := range []struct {
		name  string
		pkgs  map[string]plan.Debs
		plats []ocispecs.Platform
		want  string
	}{
		{"no archive", nil, []ocispecs.Platform{amd64}, `{"linux/amd64":{"debian":0,"built":0}}`},
		{"groups and built", map[string]plan.Debs{
			"amd64": {Groups: [][]plan.Package{{{}, {}}, {{}}}, Built: []plan.Output{{}, {Sub: "dev"}}},
			"arm64": {Groups: [][]plan.Package{{{}}}},
		}, []ocispecs.Platform{arm64, amd64}, `{"linux/amd64":{"debian":3,"built":2},"linux/arm64":{"debian":1,"built":0}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := packageCounts(tc.pkgs, tc.plats)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got %s\nwant %s", got, tc.want)
			}
		})
	}
}
