package buildkitd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// mountinfo has the root file system, a separate /var, a killed daemon's
// mounts under /root/.cache/d/root and of its snapshots under /tmp (one of
// a deleted directory, one with a blank escaped), a daemon's on /var, and
// another daemon's, which must stay.
const mountinfo = `22 1 254:0 / / rw,relatime - ext4 /dev/vda rw
23 22 254:1 / /var rw,relatime - ext4 /dev/vdb rw
40 22 0:50 / /root/.cache/d/root/runc-overlayfs/executor/abc/rootfs rw - overlay overlay rw,lowerdir=x
41 40 0:51 / /root/.cache/d/root/runc-overlayfs/executor/abc/rootfs/proc rw - proc proc rw
42 22 254:0 /root/.cache/d/root/runc-overlayfs/snapshots/snapshots/1/fs//deleted /tmp/buildkit-mount1 ro - ext4 /dev/vda rw
43 22 254:0 /root/.cache/d/root/runc-overlayfs/snapshots/snapshots/2/fs /tmp/buildkit\040mount2 ro - ext4 /dev/vda rw
44 22 254:0 /root/.cache/other/root/runc-overlayfs/snapshots/snapshots/1/fs /tmp/buildkit-mount3 ro - ext4 /dev/vda rw
45 22 254:1 /lib/d/root/snapshots/1/fs /tmp/buildkit-mount4 ro - ext4 /dev/vdb rw
46 22 254:0 /lib/d/root/snapshots/1/fs /tmp/buildkit-mount5 ro - ext4 /dev/vda rw
`

func TestMountsOf(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		want []string
	}{
		{"/root/.cache/d/root", []string{
			"/tmp/buildkit-mount1",
			"/tmp/buildkit mount2",
			"/root/.cache/d/root/runc-overlayfs/executor/abc/rootfs/proc",
			"/root/.cache/d/root/runc-overlayfs/executor/abc/rootfs",
		}},
		{"/root/.cache/d/root/", []string{ // cleaned
			"/tmp/buildkit-mount1",
			"/tmp/buildkit mount2",
			"/root/.cache/d/root/runc-overlayfs/executor/abc/rootfs/proc",
			"/root/.cache/d/root/runc-overlayfs/executor/abc/rootfs",
		}},
		// On /var, the file system's own paths start below /var: only
		// vdb's mount of them matches, not vda's of a same-named path.
		{"/var/lib/d/root", []string{"/tmp/buildkit-mount4"}},
		{"/root/.cache/none", nil},
	} {
		if got := mountsOf(mountinfo, tc.dir); !slices.Equal(got, tc.want) {
			t.Errorf("mountsOf(%s):\n got %q\nwant %q", tc.dir, got, tc.want)
		}
	}
}

// TestUnmount bind-mounts a snapshot directory of a root elsewhere, as a
// killed daemon leaves it, and deletes the directory; Unmount detaches it,
// and a mount below the root too.
func TestUnmount(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting needs root")
	}
	root := t.TempDir()
	snap := filepath.Join(root, "snapshots", "1", "fs")
	below := filepath.Join(root, "executor", "rootfs")
	elsewhere := t.TempDir()
	for _, d := range []string{snap, below} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mount(snap, elsewhere, "", syscall.MS_BIND, ""); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount(snap, below, "", syscall.MS_BIND, ""); err != nil {
		_ = syscall.Unmount(elsewhere, syscall.MNT_DETACH)
		t.Fatal(err)
	}
	t.Cleanup(func() { // should Unmount fail
		_ = syscall.Unmount(below, syscall.MNT_DETACH)
		_ = syscall.Unmount(elsewhere, syscall.MNT_DETACH)
	})
	// BuildKit removes a snapshot whose mount it leaked: "//deleted".
	if err := os.RemoveAll(filepath.Join(root, "snapshots", "1")); err != nil {
		t.Fatal(err)
	}

	if err := Unmount(root); err != nil {
		t.Fatal(err)
	}
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{elsewhere, below} {
		if strings.Contains(string(info), " "+p+" ") {
			t.Errorf("%s is still mounted", p)
		}
	}
}
