package cli

import (
	"strings"
	"testing"
	"time"
)

func TestIdleTime(t *testing.T) {
	for _, tc := range []struct {
		env  string
		want time.Duration
		err  string
	}{
		{"", defaultIdle, ""},
		{"90s", 90 * time.Second, ""},
		{"0s", 0, "want a positive duration"},
		{"ten", 0, "DISTILL_BUILDKITD_IDLE=ten: want a positive duration, like 10m"},
	} {
		t.Setenv("DISTILL_BUILDKITD_IDLE", tc.env)
		got, err := idleTime()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.env, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: got %s, %v; want %s", tc.env, got, err, tc.want)
		}
	}
}

func TestLocalBuildkitDir(t *testing.T) {
	t.Setenv("DISTILL_CACHE_DIR", "/tmp/x")
	s, err := localBuildkit()
	if err != nil || s.Socket() != "/tmp/x/daemon/buildkitd.sock" || s.Root() != "/tmp/x/daemon/root" {
		t.Errorf("got %+v, %v", s, err)
	}
}
