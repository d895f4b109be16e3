package frontend

import (
	"reflect"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
)

func TestWithoutBase(t *testing.T) {
	deb := func(name, version string) plan.Package {
		return plan.Package{LockedPackage: lockfile.LockedPackage{Name: name, Version: version, Architecture: "amd64", SHA256: name + "_" + version}}
	}
	hello := &plan.Build{Package: &definition.Package{Name: "hello", Version: "2.10"}}
	tool := &plan.Build{Package: &definition.Package{Name: "tool", Version: "1"}}
	ca := deb("ca-certificates", "1")
	for _, tc := range []struct {
		name            string
		img, base, want plan.Debs
	}{
		{
			name: "the base's packages go, a group it empties too",
			img:  plan.Debs{Groups: [][]plan.Package{{deb("base-files", "12"), deb("libc6", "2.36")}, {deb("netbase", "6.4")}}},
			base: plan.Debs{Groups: [][]plan.Package{{deb("base-files", "12")}, {deb("libc6", "2.36")}}},
			want: plan.Debs{Groups: [][]plan.Package{{deb("netbase", "6.4")}}},
		},
		{
			name: "another version of a package stays",
			img:  plan.Debs{Groups: [][]plan.Package{{deb("libc6", "2.36-9+deb12u2")}}},
			base: plan.Debs{Groups: [][]plan.Package{{deb("libc6", "2.36-9")}}},
			want: plan.Debs{Groups: [][]plan.Package{{deb("libc6", "2.36-9+deb12u2")}}},
		},
		{
			name: "built packages the base has go; the CA files stay",
			img:  plan.Debs{CA: &ca, Built: []plan.Output{{Build: tool}, {Build: hello}}},
			base: plan.Debs{CA: &ca, Built: []plan.Output{{Build: tool}}},
			want: plan.Debs{CA: &ca, Built: []plan.Output{{Build: hello}}},
		},
		{
			name: "an empty base takes nothing",
			img:  plan.Debs{Groups: [][]plan.Package{{deb("netbase", "6.4")}}},
			want: plan.Debs{Groups: [][]plan.Package{{deb("netbase", "6.4")}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := withoutBase(tc.img, tc.base); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
