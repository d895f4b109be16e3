package buildkitd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/snapshots"
	"github.com/containerd/containerd/v2/plugins/snapshots/overlay"
)

// TestOrphanSnapshot reproduces, with containerd's own overlay snapshotter,
// what a daemon killed mid-Prepare leaves, and what the next one meets; then
// that dropOrphanSnapshots clears it and keeps every recorded snapshot.
func TestOrphanSnapshot(t *testing.T) {
	root := t.TempDir()
	dir := OverlaySnapshots(root)
	sn, err := overlay.NewSnapshotter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sn.Prepare(t.Context(), "before-the-kill", ""); err != nil {
		t.Fatal(err)
	}
	// Killed between the rename and the commit: snapshot 2's directory
	// exists, its ID was never handed out. A temporary directory too.
	for _, d := range []string{"2/fs", "new-123/fs"} {
		if err := os.MkdirAll(filepath.Join(dir, "snapshots", d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, err = sn.Prepare(t.Context(), "after-the-restart", "")
	if err == nil || !strings.Contains(err.Error(), "failed to rename") {
		t.Errorf("Prepare over an orphaned snapshot directory: %v, want containerd's rename failure (if containerd now recovers, docs/buildkitd.md and dropOrphanSnapshots can say so)", err)
	}
	if err := sn.Close(); err != nil {
		t.Fatal(err)
	}
	// The failed Prepare removed its target; plant it again, as a
	// restarted daemon finds it.
	if err := os.MkdirAll(filepath.Join(dir, "snapshots", "2", "fs"), 0o755); err != nil {
		t.Fatal(err)
	}

	if err := dropOrphanSnapshots(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, []string{"1"}) {
		t.Errorf("snapshot directories left: %v, want [1] (the recorded one)", left)
	}

	sn, err = overlay.NewSnapshotter(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sn.Close()
	if _, err := sn.Prepare(t.Context(), "after-the-clean-up", ""); err != nil {
		t.Errorf("Prepare after the clean-up: %v", err)
	}
	var keys []string
	if err := sn.Walk(t.Context(), func(_ context.Context, i snapshots.Info) error {
		keys = append(keys, i.Name)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{"after-the-clean-up", "before-the-kill"}; !slices.Equal(keys, want) {
		t.Errorf("snapshots: %v, want %v", keys, want)
	}
}

// TestOrphanSnapshotNoState: a root no daemon used is left alone.
func TestOrphanSnapshotNoState(t *testing.T) {
	root := t.TempDir()
	if err := dropOrphanSnapshots(t.Context(), root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(OverlaySnapshots(root)); !os.IsNotExist(err) {
		t.Errorf("dropOrphanSnapshots made %s: %v", OverlaySnapshots(root), err)
	}
}
