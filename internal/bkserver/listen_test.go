package bkserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestListen(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, "stale.sock")
	if err := os.WriteFile(stale, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		addr, err string
	}{
		{"unix://" + filepath.Join(dir, "sub", "bk.sock"), ""},
		{"unix://" + stale, ""}, // replaced, as buildkitd does
		{"tcp://127.0.0.1:0", ""},
		{"unix://bk.sock", "not absolute"},
		{"http://127.0.0.1:80", `unsupported scheme "http"`},
		{"/run/bk.sock", "want unix:///path or tcp://host:port"},
		{"unix://", "want unix:///path or tcp://host:port"},
	} {
		l, err := listen(tc.addr)
		if tc.err == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.addr, err)
				continue
			}
			if p, ok := strings.CutPrefix(tc.addr, "unix://"); ok {
				fi, err := os.Stat(p)
				if err != nil {
					t.Errorf("%s: %v", tc.addr, err)
				} else if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
					t.Errorf("%s: mode %v, want a socket 0660", tc.addr, fi.Mode())
				}
			}
			_ = l.Close() // the test is over for this address
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.addr, err, tc.err)
			if err == nil {
				_ = l.Close()
			}
		}
	}
}
