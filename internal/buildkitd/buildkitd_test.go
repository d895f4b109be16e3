package buildkitd

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConfigArgs(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		configPath string
		want       []string
	}{
		{
			name: "no config file",
			cfg:  Config{Root: "/r", Socket: "/s/bk.sock"},
			want: []string{"--oci-worker=true", "--containerd-worker=false", "--root", "/r", "--addr", "unix:///s/bk.sock"},
		},
		{
			name:       "config file",
			cfg:        Config{Root: "/r", Socket: "/s/bk.sock", ConfigTOML: "debug = true"},
			configPath: "/tmp/buildkitd-1.toml",
			want:       []string{"--oci-worker=true", "--containerd-worker=false", "--root", "/r", "--addr", "unix:///s/bk.sock", "--config", "/tmp/buildkitd-1.toml"},
		},
		{
			name: "embedded, with a TCP address",
			cfg:  Config{Binary: "/bin/distill", Embedded: true, Root: "/r", Socket: "/s/bk.sock", Listen: []string{"tcp://127.0.0.1:1234"}},
			want: []string{"buildkitd", "--root", "/r", "--addr", "unix:///s/bk.sock", "--addr", "tcp://127.0.0.1:1234"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.args(tt.configPath); !slices.Equal(got, tt.want) {
				t.Errorf("args() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string // substring; empty means valid
	}{
		{"valid", Config{Root: "/r", Socket: "/run/bk.sock"}, ""},
		{"no root", Config{Socket: "/run/bk.sock"}, "Root is empty"},
		{"no socket", Config{Root: "/r"}, "Socket is empty"},
		{"relative socket", Config{Root: "/r", Socket: "bk.sock"}, "not absolute"},
		{"socket at limit", Config{Root: "/r", Socket: "/" + strings.Repeat("a", maxSocketPath-1)}, ""},
		{"socket too long", Config{Root: "/r", Socket: "/" + strings.Repeat("a", maxSocketPath)}, "longer than a unix socket allows"},
		{"embedded", Config{Binary: "/bin/distill", Embedded: true, Root: "/r", Socket: "/run/bk.sock"}, ""},
		{"embedded without its binary", Config{Embedded: true, Root: "/r", Socket: "/run/bk.sock"}, "needs Config.Binary"},
		{"embedded with a config file", Config{Binary: "/bin/distill", Embedded: true, Root: "/r", Socket: "/run/bk.sock", ConfigTOML: "debug = true"}, "reads no buildkitd.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("validate() = %v, want error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestTailBuffer(t *testing.T) {
	tests := []struct {
		name   string
		max    int
		writes []string
		want   string
	}{
		{"under limit", 10, []string{"abc", "def"}, "abcdef"},
		{"exactly at limit", 6, []string{"abc", "def"}, "abcdef"},
		{"drops oldest", 4, []string{"abc", "def"}, "cdef"},
		{"one write larger than limit", 3, []string{"abcdefgh"}, "fgh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newTailBuffer(tt.max)
			for _, w := range tt.writes {
				if n, err := b.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v", w, n, err)
				}
			}
			if got := b.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestWaitWorkers: the wait for a daemon's workers ends when its process
// exits, and at the deadline with the last probe's error, which says why
// it never answered.
func TestWaitWorkers(t *testing.T) {
	addr := "unix://" + filepath.Join(t.TempDir(), "none.sock")
	exited := make(chan struct{})
	close(exited)
	if err := waitWorkers(t.Context(), addr, exited); !errors.Is(err, errExited) {
		t.Errorf("an exited daemon: %v, want %v", err, errExited)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	err := waitWorkers(ctx, addr, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "last error: ") || strings.Contains(err.Error(), "no answer yet") {
		t.Errorf("no daemon: %v, want the deadline with the last probe's error", err)
	}
}
