package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// exampleWithLock is example with the example's committed lockfile beside
// the definition, so the build takes exactly what it pins.
func exampleWithLock(t testing.TB, b *Bed, name string) string {
	t.Helper()
	dir := example(t, b, name)
	lock, err := os.ReadFile(filepath.Join(mustRepoRoot(t), "examples", name, "distill.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "distill.lock.json"), lock, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestReproducibleOnFreshDaemon builds, from their committed lockfiles,
// Debian 12's python3 (with its CA bundle) for amd64 and arm64, java (with
// its trust store) and GNU hello built from source, once through buildx on the bed's daemon and once
// through the CLI on a fresh buildkitd that shares no cache with it, and
// expects the same image digests.
func TestReproducibleOnFreshDaemon(t *testing.T) {
	b := needBed(t)
	cli := cliBinary(t)
	fresh := freshBuildkitd(t, b, "")
	for _, tc := range []struct{ example, target, platforms string }{
		{"distroless-debian12", "python3", "linux/amd64,linux/arm64"},
		{"distroless-debian12", "java", "linux/amd64"}, // with its Java trust store
		{"hello", "hello", "linux/amd64"},
	} {
		t.Run(tc.example+"/"+tc.target, func(t *testing.T) {
			src := exampleWithLock(t, b, tc.example)
			viaBuildx := filepath.Join(t.TempDir(), "buildx.tar")
			args := append([]string{"build", "-f", "distill.hcl", "--target", tc.target, "--platform", tc.platforms,
				"-o", "type=oci,dest=" + viaBuildx}, mirrorArgs(t)...)
			if _, stderr, err := b.Buildx(t, src, append(args, ".")...); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			viaCLI := filepath.Join(t.TempDir(), "cli.tar")
			cmd := exec.CommandContext(t.Context(), cli, append([]string{"build", "--addr", fresh.Addr(), "--progress", "plain",
				"--target", tc.target, "--platform", tc.platforms, "-o", "type=oci,dest=" + viaCLI}, append(mirrorArgs(t), filepath.Join(src, "distill.hcl"))...)...)
			if _, stderr, err := run(t, cmd); err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			want, err := ReadOCILayout(viaBuildx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadOCILayout(viaCLI)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := manifestDigests(t, got), manifestDigests(t, want); g != w {
				t.Errorf("the CLI on a fresh daemon built %s, buildx on the bed's %s", g, w)
				diffLayers(t, got, want, tc.platforms)
			}
		})
	}
}

// diffLayers reports, for each platform, the layers two builds disagree on
// and the entries that differ in them.
func diffLayers(t *testing.T, got, want *OCILayout, plats string) {
	t.Helper()
	for _, p := range strings.Split(plats, ",") {
		g, err1 := got.Image(p)
		w, err2 := want.Image(p)
		if err1 != nil || err2 != nil {
			t.Errorf("%s: %v %v", p, err1, err2)
			continue
		}
		if len(g.Layers) != len(w.Layers) {
			t.Errorf("%s: %d layers against %d", p, len(g.Layers), len(w.Layers))
			continue
		}
		for i := range g.Layers {
			if g.Layers[i].Descriptor.Digest == w.Layers[i].Descriptor.Digest {
				continue
			}
			t.Errorf("%s: layer %d (%s) differs", p, i, w.Config.History[min(i, len(w.Config.History)-1)].CreatedBy)
			entries := map[string]TarEntry{}
			for _, e := range w.Layers[i].Entries {
				entries[e.Header.Name] = e
			}
			for _, e := range g.Layers[i].Entries {
				o, ok := entries[e.Header.Name]
				switch {
				case !ok:
					t.Errorf("  only the CLI's has %s", e.Header.Name)
				case !bytes.Equal(o.Data, e.Data) || o.Header.Mode != e.Header.Mode || !o.Header.ModTime.Equal(e.Header.ModTime) ||
					o.Header.Uid != e.Header.Uid || o.Header.Linkname != e.Header.Linkname:
					t.Errorf("  %s differs: mode %o/%o mtime %v/%v size %d/%d", e.Header.Name, e.Header.Mode, o.Header.Mode, e.Header.ModTime, o.Header.ModTime, len(e.Data), len(o.Data))
				}
			}
		}
	}
}
