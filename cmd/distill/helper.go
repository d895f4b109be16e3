package main

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/tonistiigi/fsutil"
)

// helperLocal is the local through which the CLI uploads its own binary: it
// is the in-build helper when the frontend runs in-process.
const helperLocal = "distill-helper"

// selfAsHelper returns the local mount and frontend option that make this
// binary the in-build helper. The binary runs in an empty rootfs, so it must
// be static (CGO_ENABLED=0); otherwise builds with packages fail and say so.
func selfAsHelper() (fsutil.FS, string, error) {
	if runtime.GOOS != "linux" {
		return nil, "", fmt.Errorf("builds run the in-build helper on Linux: this distill is for %s; build through the frontend image with docker buildx instead", runtime.GOOS)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		return nil, "", err
	}
	f, err := elf.Open(exe)
	if err != nil {
		return nil, "", fmt.Errorf("reading %s: %w", exe, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return nil, "", fmt.Errorf("%s is dynamically linked: build distill with CGO_ENABLED=0 so builds can run it to unpack packages", exe)
		}
	}
	fs, err := fsutil.NewFS(filepath.Dir(exe))
	if err != nil {
		return nil, "", err
	}
	return fs, helperLocal + "/" + filepath.Base(exe), nil
}
