package deb

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Tests against real packages of the host's Debian release, fetched with
// "apt-get download" from whatever mirror the host's apt sources name, and
// compared with what dpkg-deb makes of them.

// realPackages cover: many small files and relative links (tzdata), the
// base layout with setgid directories (base-files), hard links (bzip2),
// setuid programs and non-root groups (passwd), absolute links (libc6).
var realPackages = []string{"base-files", "tzdata", "bzip2", "passwd", "libc6"}

var realDebs struct {
	sync.Mutex
	dir   string
	paths map[string]string
}

func TestMain(m *testing.M) {
	code := m.Run()
	if realDebs.dir != "" {
		_ = os.RemoveAll(realDebs.dir) // best effort: a temp dir
	}
	os.Exit(code)
}

// realDeb returns the path of the host release's .deb of pkg, downloading it
// once per test binary run.
func realDeb(tb testing.TB, pkg string) string {
	tb.Helper()
	return realDebVersion(tb, pkg, "")
}

// realDebVersion returns the path of the .deb of pkg at version (the
// candidate when version is empty), downloading it once per test binary run.
func realDebVersion(tb testing.TB, pkg, version string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("-short: not downloading real packages with apt-get download")
	}
	for _, tool := range []string{"apt-get", "dpkg-deb"} {
		if _, err := exec.LookPath(tool); err != nil {
			tb.Fatalf("%s not installed: the real-package tests need a Debian host (.ci/run installs it; -short skips them)", tool)
		}
	}
	want := pkg
	if version != "" {
		want += "=" + version
	}
	realDebs.Lock()
	defer realDebs.Unlock()
	if p, ok := realDebs.paths[want]; ok {
		return p
	}
	if realDebs.dir == "" {
		d, err := os.MkdirTemp("", "distill-deb-test-")
		if err != nil {
			tb.Fatal(err)
		}
		realDebs.dir, realDebs.paths = d, map[string]string{}
	}
	// One directory per request: two versions of a package never meet in
	// one glob.
	dir, err := os.MkdirTemp(realDebs.dir, "deb-")
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command("apt-get", "download", want)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("apt-get download %s failed (no apt lists or no network? run apt-get update; a version no longer in the host's apt sources: upgrade the package): %v\n%s", want, err, out)
	}
	m, _ := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
	if len(m) != 1 {
		tb.Fatalf("apt-get download %s: found %v", want, m)
	}
	realDebs.paths[want] = m[0]
	return m[0]
}

func unpackFile(tb testing.TB, debPath, root string, opt Options) *Result {
	tb.Helper()
	f, err := os.Open(debPath)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	res, err := Unpack(bufio.NewReaderSize(f, 1<<16), root, opt)
	if err != nil {
		tb.Fatalf("unpack %s: %v", filepath.Base(debPath), err)
	}
	return res
}

func TestRealPackages(t *testing.T) {
	if !isRoot() {
		t.Skip("comparing owners with dpkg-deb -x needs root")
	}
	for _, pkg := range realPackages {
		t.Run(pkg, func(t *testing.T) {
			debPath := realDeb(t, pkg)
			dir := t.TempDir()
			ours, theirs := filepath.Join(dir, "ours"), filepath.Join(dir, "dpkg")
			if err := os.Mkdir(ours, 0o755); err != nil {
				t.Fatal(err)
			}
			res := unpackFile(t, debPath, ours, Options{})
			if out, err := exec.Command("dpkg-deb", "-x", debPath, theirs).CombinedOutput(); err != nil {
				t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
			}
			got, want := listTree(t, ours), listTree(t, theirs)
			t.Logf("%s %s: %d paths, %d files, %d bytes, %d symlinks, %d hard links",
				res.Package, res.Version, len(want), res.Files, res.Bytes, res.Symlinks, res.HardLinks)

			// status.d holds the control file and md5sums verbatim.
			ctl := filepath.Join(dir, "control")
			if out, err := exec.Command("dpkg-deb", "-e", debPath, ctl).CombinedOutput(); err != nil {
				t.Fatalf("dpkg-deb -e: %v\n%s", err, out)
			}
			sameFile(t, filepath.Join(ours, StatusDir, pkg), filepath.Join(ctl, "control"))
			sameFile(t, filepath.Join(ours, StatusDir, pkg+".md5sums"), filepath.Join(ctl, "md5sums"))
			got = withoutStatus(got, want, pkg)

			// dpkg-deb -x leaves directory times at the time of extraction;
			// ours are the archive's, checked against dpkg-deb -c below.
			compareTrees(t, clearDirTimes(got), clearDirTimes(want))
			checkMD5Sums(t, ours, filepath.Join(ctl, "md5sums"))
			compareListing(t, debPath, ours)
		})
	}
}

// withoutStatus drops the status.d records (dpkg-deb -x writes none) and
// the directories made only to hold them.
func withoutStatus(ents, want []entry, pkg string) []entry {
	var out []entry
	for _, e := range ents {
		switch e.Path {
		case StatusDir + "/" + pkg, StatusDir + "/" + pkg + ".md5sums", StatusDir:
			continue
		case "var", "var/lib", "var/lib/dpkg":
			if find(want, e.Path) == nil {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

func clearDirTimes(ents []entry) []entry {
	out := append([]entry(nil), ents...)
	for i := range out {
		if out[i].Mode.IsDir() {
			out[i].MTime = 0
		}
	}
	return out
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err1 := os.ReadFile(a)
	y, err2 := os.ReadFile(b)
	if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
		t.Errorf("%s differs from %s (%v, %v)", a, b, err1, err2)
	}
}

// compareTrees compares everything but inode numbers, and hard-link
// structure through them.
func compareTrees(t *testing.T, got, want []entry) {
	t.Helper()
	gi, wi := map[uint64]string{}, map[uint64]string{}
	byPath := map[string]entry{}
	for _, e := range got {
		byPath[e.Path] = e
	}
	for _, w := range want {
		g, ok := byPath[w.Path]
		if !ok {
			t.Errorf("%s: missing", w.Path)
			continue
		}
		delete(byPath, w.Path)
		gIno, wIno := g.Ino, w.Ino
		g.Ino, w.Ino = 0, 0
		if g != w {
			t.Errorf("%s:\n got %+v\nwant %+v", w.Path, g, w)
		}
		if !w.Mode.IsRegular() {
			continue
		}
		// The first path seen of each inode names the group.
		if _, ok := wi[wIno]; !ok {
			wi[wIno] = w.Path
		}
		if _, ok := gi[gIno]; !ok {
			gi[gIno] = w.Path
		}
		if wi[wIno] != gi[gIno] {
			t.Errorf("%s: hard link to %s, want to %s", w.Path, gi[gIno], wi[wIno])
		}
	}
	for p := range byPath {
		t.Errorf("%s: extra", p)
	}
}

func checkMD5Sums(t *testing.T, root, md5sums string) {
	t.Helper()
	b, err := os.ReadFile(md5sums)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := ParseMD5Sums(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sums {
		data, err := os.ReadFile(filepath.Join(root, s.Path))
		if err != nil {
			t.Errorf("md5sums names %s: %v", s.Path, err)
			continue
		}
		if md5.Sum(data) != s.Sum {
			t.Errorf("%s: md5 mismatch", s.Path)
		}
	}
}

// compareListing checks the unpacked tree against "dpkg-deb -c": every
// listed path with its mode string, owner names, size, and link target.
func compareListing(t *testing.T, debPath, root string) {
	t.Helper()
	cmd := exec.Command("dpkg-deb", "-c", debPath)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v", err)
	}
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		// drwxr-xr-x root/root         0 2023-06-02 11:32 ./usr/
		f := strings.Fields(line)
		if len(f) < 6 {
			t.Fatalf("dpkg-deb -c line %q", line)
		}
		mode, owner, size := f[0], f[1], f[2]
		rest := line[strings.Index(line, f[4])+len(f[4])+1:]
		name, target := rest, ""
		switch mode[0] {
		case 'l':
			name, target, _ = strings.Cut(rest, " -> ")
		case 'h':
			name, target, _ = strings.Cut(rest, " link to ")
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(name, "./"), "/")
		if rel == "" {
			continue
		}
		n++
		p := filepath.Join(root, rel)
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s listed by dpkg-deb -c: %v", rel, err)
			continue
		}
		st := statOf(fi)
		if got := lsMode(fi.Mode()); mode[0] == 'h' {
			// A hard link: same file as its target.
			tfi, err := os.Lstat(filepath.Join(root, strings.TrimPrefix(target, "./")))
			if err != nil || !os.SameFile(fi, tfi) || got[1:] != mode[1:] {
				t.Errorf("%s: not a hard link to %s with mode %s (%s, %v)", rel, target, mode, got, err)
			}
			continue
		} else if got != mode {
			t.Errorf("%s: mode %s, dpkg-deb -c says %s", rel, got, mode)
		}
		if got := userName(st.uid) + "/" + groupName(st.gid); got != owner {
			t.Errorf("%s: owner %s, dpkg-deb -c says %s", rel, got, owner)
		}
		if got := fi.ModTime().UTC().Format("2006-01-02 15:04"); got != f[3]+" "+f[4] {
			t.Errorf("%s: mtime %s, dpkg-deb -c says %s %s", rel, got, f[3], f[4])
		}
		if fi.Mode().IsRegular() && strconv.FormatInt(fi.Size(), 10) != size {
			t.Errorf("%s: size %d, dpkg-deb -c says %s", rel, fi.Size(), size)
		}
		if mode[0] == 'l' {
			if l, _ := os.Readlink(p); l != target {
				t.Errorf("%s: link to %q, dpkg-deb -c says %q", rel, l, target)
			}
		}
	}
	if n == 0 {
		t.Fatal("dpkg-deb -c listed nothing")
	}
}

type ids struct{ uid, gid int }

func statOf(fi fs.FileInfo) ids {
	st := fi.Sys().(*syscall.Stat_t)
	return ids{int(st.Uid), int(st.Gid)}
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return u.Username
	}
	return strconv.Itoa(uid)
}

func groupName(gid int) string {
	if g, err := user.LookupGroupId(strconv.Itoa(gid)); err == nil {
		return g.Name
	}
	return strconv.Itoa(gid)
}

// lsMode formats a mode as ls and tar listings do.
func lsMode(m fs.FileMode) string {
	b := []byte("-rwxrwxrwx")
	switch {
	case m.IsDir():
		b[0] = 'd'
	case m&fs.ModeSymlink != 0:
		b[0] = 'l'
	}
	for i := 0; i < 9; i++ {
		if m&(1<<(8-i)) == 0 {
			b[i+1] = '-'
		}
	}
	special := func(bit fs.FileMode, i int, set, unset byte) {
		if m&bit != 0 {
			if b[i] == '-' {
				b[i] = unset
			} else {
				b[i] = set
			}
		}
	}
	special(fs.ModeSetuid, 3, 's', 'S')
	special(fs.ModeSetgid, 6, 's', 'S')
	special(fs.ModeSticky, 9, 't', 'T')
	return string(b)
}

func TestLsMode(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0o644:                               "-rw-r--r--",
		fs.ModeDir | 0o755:                  "drwxr-xr-x",
		fs.ModeSymlink | 0o777:              "lrwxrwxrwx",
		fs.ModeSetuid | 0o755:               "-rwsr-xr-x",
		fs.ModeDir | fs.ModeSetgid | 0o775:  "drwxrwsr-x",
		fs.ModeDir | fs.ModeSticky | 0o1777: "drwxrwxrwt",
		fs.ModeSetgid | 0o644:               "-rw-r-Sr--",
	} {
		if got := lsMode(m); got != want {
			t.Errorf("lsMode(%v) = %s, want %s", m, got, want)
		}
	}
}

// TestRealEpoch unpacks a real package with a SOURCE_DATE_EPOCH: no time is
// later.
func TestRealEpoch(t *testing.T) {
	debPath := realDeb(t, "base-files")
	root := t.TempDir()
	epoch := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	unpackFile(t, debPath, root, Options{Epoch: epoch, NoChown: !isRoot()})
	clamped := 0
	for _, e := range listTree(t, root) {
		if e.MTime > epoch.Unix() {
			t.Errorf("%s: mtime %s after the epoch", e.Path, time.Unix(e.MTime, 0).UTC())
		}
		if e.MTime == epoch.Unix() {
			clamped++
		}
	}
	// base-files carries licence texts from the 1990s: those keep their time.
	if clamped == 0 {
		t.Error("nothing clamped")
	}
}

// TestRealSharedRoot unpacks several real packages into one root, as a
// single-layer image would, and checks the union against dpkg-deb -x.
func TestRealSharedRoot(t *testing.T) {
	if !isRoot() {
		t.Skip("needs root")
	}
	dir := t.TempDir()
	ours, theirs := filepath.Join(dir, "ours"), filepath.Join(dir, "dpkg")
	if err := os.Mkdir(ours, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, pkg := range realPackages {
		debPath := realDeb(t, pkg)
		unpackFile(t, debPath, ours, Options{})
		if out, err := exec.Command("dpkg-deb", "-x", debPath, theirs).CombinedOutput(); err != nil {
			t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
		}
	}
	got, want := listTree(t, ours), listTree(t, theirs)
	var g []entry
	for _, e := range got {
		if e.Path == StatusDir || strings.HasPrefix(e.Path, StatusDir+"/") {
			continue
		}
		e.MTime = 0 // directories shared between packages differ: tar resets them, we leave them
		g = append(g, e)
	}
	for i := range want {
		want[i].MTime = 0
	}
	compareTrees(t, g, want)
	ents, _ := os.ReadDir(filepath.Join(ours, StatusDir))
	if len(ents) != 2*len(realPackages) {
		t.Errorf("status.d holds %d records, want %d", len(ents), 2*len(realPackages))
	}
}

// BenchmarkUnpackTzdata unpacks the real tzdata package (about 900 files,
// data.tar.xz); the sub-benchmarks repack its data archive to compare the
// cost of each compression, and run dpkg-deb -x for reference.
func BenchmarkUnpackTzdata(b *testing.B) {
	debPath := realDeb(b, "tzdata")
	raw, err := os.ReadFile(debPath)
	if err != nil {
		b.Fatal(err)
	}
	dataTar := dataTarOf(b, raw)
	variants := []struct {
		name string
		deb  []byte
	}{{"xz(as shipped)", raw}}
	for _, ext := range []string{"", "gz", "zst"} {
		variants = append(variants, struct {
			name string
			deb  []byte
		}{"data.tar." + map[string]string{"": "none"}[ext] + ext, repack(b, raw, ext, dataTar)})
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(dataTar)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				root, err := os.MkdirTemp("", "bench-root-")
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := Unpack(bytes.NewReader(v.deb), root, Options{NoChown: !isRoot()}); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := os.RemoveAll(root); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
	b.Run("dpkg-deb -x", func(b *testing.B) {
		b.SetBytes(int64(len(dataTar)))
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			root, err := os.MkdirTemp("", "bench-root-")
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if out, err := exec.Command("dpkg-deb", "-x", debPath, root).CombinedOutput(); err != nil {
				b.Fatalf("%v\n%s", err, out)
			}
			b.StopTimer()
			if err := os.RemoveAll(root); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	})
}

// dataTarOf returns the decompressed data.tar of a .deb.
func dataTarOf(tb testing.TB, raw []byte) []byte {
	tb.Helper()
	a, err := Open(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	defer a.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(a.raw); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// repack rebuilds a .deb with its data archive compressed as ext.
func repack(tb testing.TB, raw []byte, ext string, dataTar []byte) []byte {
	tb.Helper()
	ar := NewArReader(bytes.NewReader(raw))
	var members []arMember
	for {
		h, err := ar.Next()
		if err != nil {
			break
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(ar); err != nil {
			tb.Fatal(err)
		}
		if strings.HasPrefix(h.Name, "data.tar") {
			name := "data.tar"
			if ext != "" {
				name += "." + ext
			}
			members = append(members, arMember{name, compressBytes(tb, ext, dataTar)})
			continue
		}
		members = append(members, arMember{h.Name, buf.Bytes()})
	}
	return arBytes(members...)
}

// BenchmarkDecodeTzdata only reads the real tzdata package, discarding the
// data archive: the decompressor's share of BenchmarkUnpackTzdata.
func BenchmarkDecodeTzdata(b *testing.B) {
	raw, err := os.ReadFile(realDeb(b, "tzdata"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(dataTarOf(b, raw))))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		a, err := Open(bytes.NewReader(raw))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, a.raw); err != nil {
			b.Fatal(err)
		}
		if err := a.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
