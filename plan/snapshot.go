package plan

import (
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
)

// SnapshotLayout is how Debian's snapshot service names an archive as it
// was at a time: SNAPSHOT/20240101T000000Z/.
const SnapshotLayout = "20060102T150405Z"

// SnapshotURL is where a repository's snapshot serves url, a file of that
// repository that the lock pinned, as the archive was when it was locked:
// every locked file was there then, so a mirror that has since dropped it
// (Debian deletes superseded .debs) does not break the locked build. ok is
// false when url is of no repository with a snapshot, or the lock has no
// time (one older than locked_at, or none).
func SnapshotURL(def *definition.Definition, lock *lockfile.Lockfile, url string) (string, bool) {
	if lock == nil || lock.LockedAt.IsZero() {
		return "", false
	}
	for _, r := range def.Repositories {
		rest, ok := strings.CutPrefix(url, r.URL+"/")
		if !ok || r.Snapshot == "" {
			continue
		}
		return r.Snapshot + "/" + lock.LockedAt.UTC().Format(SnapshotLayout) + "/" + rest, true
	}
	return "", false
}
