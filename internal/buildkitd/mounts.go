package buildkitd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// Unmount detaches what a killed buildkitd on root left mounted: every
// mount below root (its snapshots, its containers' root filesystems), and
// every mount elsewhere of a directory below root (BuildKit mounts
// snapshots under /tmp/buildkit-mount* to read and copy them). Deepest
// first, lazily, so one still busy does not keep the rest.
func Unmount(root string) error {
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	points := mountsOf(string(info), root)
	var errs []error
	for _, p := range points {
		// EINVAL: no longer a mount (a parent's detach took it along).
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) {
			errs = append(errs, fmt.Errorf("unmount %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// mount is one line of /proc/self/mountinfo, the fields Unmount needs.
type mount struct {
	dev   string // major:minor of the file system
	root  string // the mounted directory, as a path in that file system
	point string // where it is mounted
}

func parseMountinfo(info string) []mount {
	var ms []mount
	for _, line := range strings.Split(info, "\n") {
		if f := strings.Fields(line); len(f) > 4 {
			ms = append(ms, mount{dev: f[2], root: unescape(f[3]), point: unescape(f[4])})
		}
	}
	return ms
}

// mountsOf lists, deepest first, the mount points below dir and those of
// a directory below dir mounted elsewhere (a bind mount, or one whose
// source was deleted since: the kernel then appends "//deleted").
func mountsOf(info, dir string) []string {
	dir = filepath.Clean(dir)
	ms := parseMountinfo(info)
	// dir as a path in its own file system: through the mount holding it.
	var holder *mount
	for i, m := range ms {
		if within(dir, m.point) && (holder == nil || len(m.point) >= len(holder.point)) {
			holder = &ms[i]
		}
	}
	var inFS string
	if holder != nil {
		inFS = filepath.Join(holder.root, strings.TrimPrefix(dir, holder.point))
	}
	var points []string
	for _, m := range ms {
		below := strings.HasPrefix(m.point, dir+"/")
		bound := holder != nil && m.dev == holder.dev && m.point != holder.point &&
			strings.HasPrefix(strings.TrimSuffix(m.root, "//deleted"), inFS+"/")
		if below || bound {
			points = append(points, m.point)
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(points)))
	return points
}

// within reports whether path is dir or below it.
func within(path, dir string) bool {
	return path == dir || dir == "/" || strings.HasPrefix(path, dir+"/")
}

// unescape undoes mountinfo's octal escapes of blanks and backslashes.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if c, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(c))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
