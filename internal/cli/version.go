package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/internal/bkserver"
	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
)

func versionCmd() *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "version [flags]",
		Short: "Print the versions of distill, its frontend and BuildKit",
		Long: `Print distill's version (the module version it was built at, or dev for a build
from a source tree), the version of the frontend it runs in-process, the
BuildKit client it links, and the version of the BuildKit daemon: the one
--addr or $BUILDKIT_HOST names, else the user's shared local daemon
(docs/buildkitd.md; by default BuildKit built into distill) if it runs.
version does not start the local daemon.`,
		Example: `  distill version
  distill version --addr unix:///run/buildkit/buildkitd.sock`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			addr, _ = namedDaemon(addr)
			return runVersion(cmd.Context(), addr, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "ask the BuildKit daemon at `ADDRESS` for its version (default: $BUILDKIT_HOST)")
	return cmd
}

func runVersion(ctx context.Context, addr string, stdout io.Writer) error {
	r := newReport()
	r.printf("distill\t%s\n", version())
	r.printf("frontend\t%s\n", frontend.Version)
	r.printf("buildkit client\t%s\n", moduleVersion("github.com/moby/buildkit"))
	if addr == "" {
		return localDaemonVersion(ctx, r, stdout)
	}
	info, err := daemonInfo(ctx, addr)
	if err != nil {
		// What is known locally is still worth printing.
		if werr := r.writeTo(stdout); werr != nil {
			return werr
		}
		return fmt.Errorf("asking BuildKit at %s for its version: %w; check --addr or BUILDKIT_HOST, and that buildkitd runs", addr, err)
	}
	printDaemon(r, info, addr)
	return r.writeTo(stdout)
}

// localDaemonVersion asks the user's shared local daemon, if one answers
// on its socket; that none runs is no error.
func localDaemonVersion(ctx context.Context, r *report, stdout io.Writer) error {
	s, err := localBuildkit()
	if err == nil {
		if _, serr := os.Stat(s.Socket()); serr == nil {
			if info, ierr := daemonInfo(ctx, s.Addr()); ierr == nil {
				printDaemon(r, info, s.Addr())
				return r.writeTo(stdout)
			}
		}
	}
	r.printf("buildkit daemon\tnone running locally (distill build starts one; or give --addr or set BUILDKIT_HOST)\n")
	return r.writeTo(stdout)
}

func printDaemon(r *report, info *client.Info, addr string) {
	v := info.BuildkitVersion
	rev := ""
	if v.Revision != "" { // a buildkitd built without ldflags has none
		rev = " (revision " + v.Revision + ")"
	}
	r.printf("buildkit daemon\t%s %s%s at %s\n", v.Package, v.Version, rev, addr)
}

// daemonInfo asks the daemon at addr for its Info.
func daemonInfo(ctx context.Context, addr string) (*client.Info, error) {
	c, info, err := dialDaemon(ctx, addr)
	if err != nil {
		return nil, err
	}
	_ = c.Close() // asked and answered: nothing to report of closing it
	return info, nil
}

// version is the main module's version, as go install records it; a build
// in a source tree without VCS stamping records "(devel)".
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return "dev"
	}
	return info.Main.Version
}

// moduleVersion is the version of a module linked into the binary, as the
// embedded daemon reports it.
func moduleVersion(path string) string {
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := bkserver.ModuleVersion(info, path); v != "" {
			return v
		}
	}
	return "unknown"
}
