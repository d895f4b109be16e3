package frontend

import (
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerui"
	"github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// optsClient is a gateway client that offers its build options alone,
// which is all dockerui and the helper's lookup read.
type optsClient struct {
	client.Client
	opts client.BuildOpts
}

func (c optsClient) BuildOpts() client.BuildOpts { return c.opts }

// TestHelperPlatform: the CLI's helper runs on the platform it names,
// normalized as build platforms are; one Debian has no packages for is
// refused, since a cross build's sandbox runs there too.
func TestHelperPlatform(t *testing.T) {
	build := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for _, tc := range []struct {
		opt  string // "" for none
		want ocispecs.Platform
		err  string
	}{
		{opt: "", want: build},
		{opt: "linux/arm64", want: ocispecs.Platform{OS: "linux", Architecture: "arm64"}},
		{opt: "linux/arm", want: ocispecs.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{opt: "linux/mips64", err: `distill-helper-platform="linux/mips64": linux/mips64: Debian has no architecture "mips64"`},
		{opt: "linux/", err: `distill-helper-platform="linux/": "linux/" is not a platform`},
	} {
		opts := map[string]string{HelperOpt: "distill-helper/distill"}
		if tc.opt != "" {
			opts[HelperPlatformOpt] = tc.opt
		}
		c := optsClient{opts: client.BuildOpts{Opts: opts, LLBCaps: pb.Caps.CapSet(pb.Caps.All()), Caps: pb.Caps.CapSet(pb.Caps.All())}}
		bc, err := dockerui.NewClient(c)
		if err != nil {
			t.Fatal(err)
		}
		h, err := inBuildHelper(bc, c, build)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.opt, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.opt, err)
		case h.Platform.OS != tc.want.OS || h.Platform.Architecture != tc.want.Architecture || h.Platform.Variant != tc.want.Variant || h.Path != "/distill":
			t.Errorf("%s: helper %s on %+v, want /distill on %+v", tc.opt, h.Path, h.Platform, tc.want)
		}
	}
}
