package buildkitd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/containerd/containerd/v2/core/snapshots"
	"github.com/containerd/containerd/v2/core/snapshots/storage"
	"github.com/containerd/containerd/v2/plugins/snapshots/overlay"
	bolt "go.etcd.io/bbolt"
)

// OverlaySnapshots is where buildkitd's runc worker keeps its overlayfs
// snapshots under root: their metadata.db and one directory per snapshot
// ID in snapshots/.
func OverlaySnapshots(root string) string {
	return filepath.Join(root, "runc-overlayfs", "snapshots")
}

// dropOrphanSnapshots removes the snapshot directories that the overlay
// snapshotter's metadata does not know, with containerd's own Cleanup.
//
// Why: containerd's overlay snapshotter creates a snapshot by renaming
// snapshots/new-XXXX to snapshots/<ID> inside the bolt transaction that
// allocates the ID, before that transaction commits. A daemon killed
// between the rename and the commit leaves snapshots/<ID> on disk while
// the database never handed out <ID>; the next daemon allocates <ID>
// again and its rename fails ("failed to rename …: file exists"). That
// failure removes the directory, which is why a second run then works.
// Only containerd's garbage collection would clean it otherwise.
//
// It must run with no daemon on root. A database another process holds
// is an error after a few seconds, not a hang.
func dropOrphanSnapshots(ctx context.Context, root string) error {
	dir := OverlaySnapshots(root)
	if _, err := os.Stat(filepath.Join(dir, "metadata.db")); errors.Is(err, os.ErrNotExist) {
		return nil // no daemon ever made a snapshot here
	}
	ms, err := storage.NewMetaStore(filepath.Join(dir, "metadata.db"), func(o *bolt.Options) error {
		o.Timeout = 5 * time.Second
		return nil
	})
	if err != nil {
		return fmt.Errorf("the overlay snapshots' metadata: %w", err)
	}
	sn, err := overlay.NewSnapshotter(dir, overlay.WithMetaStore(ms))
	if err != nil {
		return fmt.Errorf("opening the overlay snapshots under %s: %w", dir, err)
	}
	defer sn.Close()
	cleaner, ok := sn.(snapshots.Cleaner)
	if !ok {
		return fmt.Errorf("containerd's overlay snapshotter no longer cleans up (%T)", sn)
	}
	if err := cleaner.Cleanup(ctx); err != nil {
		return fmt.Errorf("removing orphaned overlay snapshots under %s: %w", dir, err)
	}
	return nil
}
