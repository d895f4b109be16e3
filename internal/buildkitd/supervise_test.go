package buildkitd

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/distill-build/distill/internal/bkserver"
)

// TestCleanAfter: a supervisor whose daemon died cleans up after it, unless
// a run has meanwhile started another daemon on the same directory, whose
// socket and pid file it must leave alone.
func TestCleanAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("serves BuildKit in-process: needs root and runc")
	}
	dir, err := os.MkdirTemp("", "ca-") // a short socket path
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	s := Shared{Dir: dir}
	writePid := func() {
		// This test's own pid: running, and no buildkitd, so never killed.
		if err := os.WriteFile(s.PidFile(), []byte(strconv.Itoa(os.Getpid())+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	// A new daemon answers: nothing is touched.
	ctx, cancel := context.WithCancel(t.Context())
	served, exited := make(chan error, 1), make(chan struct{})
	go func() {
		served <- bkserver.Serve(ctx, bkserver.Config{Root: s.Root(), Addrs: []string{s.Addr()}})
		close(exited)
	}()
	if err := waitWorkers(t.Context(), s.Addr(), exited); err != nil {
		cancel()
		t.Fatal(err)
	}
	writePid()
	if err := s.cleanAfter(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.Socket(), s.PidFile()} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("with another daemon answering, %s: %v", filepath.Base(p), err)
		}
	}
	if !answers(t.Context(), s.Addr(), 5*time.Second) {
		t.Error("the other daemon no longer answers")
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}

	// None answers: the stale socket and pid file go.
	if err := os.WriteFile(s.Socket(), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	writePid()
	if err := s.cleanAfter(); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.Socket(), s.PidFile()} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("with no daemon answering, %s is left: %v", filepath.Base(p), err)
		}
	}
}
