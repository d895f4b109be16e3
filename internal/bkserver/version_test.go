package bkserver

import (
	"runtime/debug"
	"testing"
)

func TestModuleVersion(t *testing.T) {
	bk := func(v string, r *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{Deps: []*debug.Module{
			{Path: "github.com/moby/buildkit/other", Version: "v9.9.9"},
			{Path: buildkitModule, Version: v, Replace: r},
		}}
	}
	for _, tc := range []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"linked", bk("v0.34.2", nil), "v0.34.2"},
		{"replaced by a version", bk("v0.34.2", &debug.Module{Path: "example.org/fork", Version: "v0.34.3-fork"}), "v0.34.3-fork"},
		{"replaced by a directory", bk("v0.34.2", &debug.Module{Path: "../buildkit"}), ""},
		{"not listed (a test binary)", &debug.BuildInfo{}, ""},
	} {
		if got := ModuleVersion(tc.info, buildkitModule); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
