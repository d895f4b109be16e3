package cli

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/helper"
	"github.com/spf13/cobra"
	"github.com/tonistiigi/fsutil"
)

// helperCmds are the in-build helper's subcommands. When the CLI runs the
// frontend in-process, builds run this very binary (see selfAsHelper) to
// unpack .debs and write CA bundles. They are hidden, and hand their words
// to the helper unparsed: its flags are its own.
func helperCmds() []*cobra.Command {
	var cmds []*cobra.Command
	for _, name := range helper.Names() {
		cmds = append(cmds, &cobra.Command{
			Use:                name,
			Short:              "The in-build helper's " + name + " (run by builds, not by hand)",
			Hidden:             true,
			DisableFlagParsing: true,
			RunE: func(_ *cobra.Command, args []string) error {
				return helper.Main(append([]string{name}, args...))
			},
		})
	}
	return cmds
}

// helperLocal is the local through which the CLI uploads its own binary: it
// is the in-build helper when the frontend runs in-process.
const helperLocal = "distill-helper"

// selfHelper is this binary as the in-build helper: the local that uploads
// it, the frontend options naming it there and its build ID (with which a
// daemon built into distill serves the same binary without the upload).
type selfHelper struct {
	fs    fsutil.FS
	attrs map[string]string
}

// selfAsHelper makes this binary the in-build helper. The binary runs in
// an empty rootfs, so it must be static (CGO_ENABLED=0); otherwise builds
// with packages fail and say so.
func selfAsHelper() (*selfHelper, error) {
	if runtime.GOOS != "linux" {
		return nil, fmt.Errorf("builds run the in-build helper on Linux: this distill is for %s; build through the frontend image with docker buildx instead", runtime.GOOS)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("finding this binary to serve as the in-build helper: %w", err)
	}
	exe, err = filepath.EvalSymlinks(exe)
	if err != nil {
		return nil, fmt.Errorf("finding this binary to serve as the in-build helper: %w", err)
	}
	f, err := elf.Open(exe)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", exe, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return nil, fmt.Errorf("%s is dynamically linked: build distill with CGO_ENABLED=0 so builds can run it to unpack packages", exe)
		}
	}
	fs, err := fsutil.NewFS(filepath.Dir(exe))
	if err != nil {
		return nil, fmt.Errorf("sharing %s with the build: %w", exe, err)
	}
	attrs := map[string]string{
		frontend.HelperOpt:         helperLocal + "/" + filepath.Base(exe),
		frontend.HelperPlatformOpt: "linux/" + runtime.GOARCH,
	}
	if id, err := helper.ELFBuildID(f); err == nil { // none: always uploaded
		attrs[frontend.HelperBuildIDOpt] = id
	}
	return &selfHelper{fs: fs, attrs: attrs}, nil
}
