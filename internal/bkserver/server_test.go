package bkserver

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
)

// TestServe serves BuildKit in-process on a temporary root and checks what
// a client sees: one runc worker with buildkitd's layout and GC rules, the
// version, a solve whose file modes are exactly the ones asked for (umask
// 0, as under buildkitd), a second daemon on the same root refused, and a
// clean stop.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("serves BuildKit in-process: needs root and runc")
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	addr := "unix://" + filepath.Join(dir, "bk.sock")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, Config{Root: root, Addrs: []string{addr}}) }()

	c := answering(t, addr, served)
	defer c.Close()
	workers, err := c.ListWorkers(ctx)
	if err != nil || len(workers) != 1 {
		t.Fatalf("workers: %v, %v", workers, err)
	}
	w := workers[0]
	sn := w.Labels["org.mobyproject.buildkit.worker.snapshotter"]
	if w.Labels["org.mobyproject.buildkit.worker.executor"] != "oci" || (sn != "overlayfs" && sn != "native") {
		t.Errorf("worker labels %v", w.Labels)
	}
	if _, err := os.Stat(filepath.Join(root, "runc-"+sn, "snapshots")); err != nil {
		t.Errorf("buildkitd's layout: %v", err)
	}
	if !platforms.Only(platforms.DefaultSpec()).Match(w.Platforms[0]) {
		t.Errorf("platforms %v do not start with this machine's", w.Platforms)
	}
	if len(w.GCPolicy) != 4 || !strings.Contains(strings.Join(w.GCPolicy[0].Filter, ","), "type==source.local") {
		t.Errorf("GC policy %+v, want buildkitd's four default rules", w.GCPolicy)
	}
	info, err := c.Info(ctx)
	if err != nil || info.BuildkitVersion.Version != buildkitVersion().Version || info.BuildkitVersion.Package != "github.com/moby/buildkit" {
		t.Errorf("Info: %+v, %v; want version %s", info, err, buildkitVersion().Version)
	}

	modes := solveModes(ctx, t, c)
	if modes["d/"] != 0o777 || modes["d/f"] != 0o666 {
		t.Errorf("modes %v, want d/ 0777 and d/f 0666 as asked", modes)
	}

	other := Serve(ctx, Config{Root: root, Addrs: []string{"unix://" + filepath.Join(dir, "other.sock")}})
	if other == nil || !strings.Contains(other.Error(), "does another buildkitd use this root") {
		t.Errorf("a second daemon on the same root: %v", other)
	}

	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve after ctx ended: %v", err)
		}
	case <-time.After(2 * stopGrace):
		t.Fatal("Serve did not return after ctx ended")
	}
}

// answering waits for the daemon at addr to list its workers.
func answering(t *testing.T, addr string, served <-chan error) *client.Client {
	t.Helper()
	c, err := client.New(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-served:
			t.Fatalf("Serve returned: %v", err)
		default:
		}
		if ws, err := c.ListWorkers(t.Context()); err == nil && len(ws) > 0 {
			return c
		}
	}
	t.Fatal("the daemon did not answer within a minute")
	return nil
}

// solveModes builds a directory 0777 holding a file 0666 and returns the
// modes of the exported tarball's entries.
func solveModes(ctx context.Context, t *testing.T, c *client.Client) map[string]os.FileMode {
	t.Helper()
	st := llb.Scratch().File(llb.Mkdir("/d", 0o777).Mkfile("/d/f", 0o666, []byte("x")))
	def, err := st.Marshal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err = c.Solve(ctx, def, client.SolveOpt{Exports: []client.ExportEntry{{
		Type:   client.ExporterTar,
		Output: func(map[string]string) (io.WriteCloser, error) { return nopCloser{&out}, nil },
	}}}, nil)
	if err != nil {
		t.Fatalf("solve: %v", err)
	}
	modes := map[string]os.FileMode{}
	tr := tar.NewReader(&out)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return modes
		}
		if err != nil {
			t.Fatal(err)
		}
		modes[h.Name] = h.FileInfo().Mode().Perm()
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
