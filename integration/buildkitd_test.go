package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/distill-build/distill/internal/buildkitd"
	"github.com/moby/buildkit/client"
)

// TestBuildkitdStartStop runs internal/buildkitd against the real daemon,
// next to the bed's own.
func TestBuildkitdStartStop(t *testing.T) {
	b := needBed(t)
	tests := []struct {
		name       string
		configTOML string
		wantErr    string // substring of Start's error; empty: starts
	}{
		{name: "no config"},
		{name: "config", configTOML: "[worker.oci]\n  gc = false\n"},
		{name: "bad config", configTOML: "[worker.oci\n", wantErr: "buildkitd log (tail)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "bk-") // t.TempDir can exceed a socket path's limit
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.RemoveAll(dir) }) // best effort, as t.TempDir's would be
			d, err := buildkitd.Start(t.Context(), buildkitd.Config{
				Binary:     b.Tools.Buildkitd,
				Root:       filepath.Join(dir, "root"),
				Socket:     filepath.Join(dir, "bk.sock"),
				ConfigTOML: tt.configTOML,
			})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Start() = %v, want error containing %q", err, tt.wantErr)
				}
				t.Logf("Start() failed as wanted: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := client.New(t.Context(), d.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.ListWorkers(t.Context()); err != nil {
				t.Errorf("ListWorkers: %v", err)
			}
			if err := d.Stop(); err != nil {
				t.Errorf("Stop: %v", err)
			}
			if err := d.Stop(); err != nil {
				t.Errorf("second Stop: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "bk.sock")); err == nil {
				t.Errorf("socket still exists after Stop")
			}
		})
	}
}
