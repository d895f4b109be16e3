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

func TestCanRunLocalDaemon(t *testing.T) {
	for _, tc := range []struct {
		euid     int
		external string
		err      string
	}{
		{0, "", ""},
		{1000, "", "runs as root (uid 0, not 1000)"},
		{1000, "/usr/bin/buildkitd", ""},
	} {
		err := canRunLocalDaemon(tc.euid, tc.external)
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("canRunLocalDaemon(%d, %q) = %v, want %q", tc.euid, tc.external, err, tc.err)
		}
	}
}
