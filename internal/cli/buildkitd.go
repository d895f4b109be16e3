package cli

import (
	"github.com/distill-build/distill/internal/bkserver"
	"github.com/distill-build/distill/internal/buildkitd"
	"github.com/spf13/cobra"
)

// embeddedBuildkitdCmd serves BuildKit from this binary (internal/bkserver),
// with buildkitd's --root and --addr. Hidden: the local daemon's
// supervisor runs it (docs/buildkitd.md).
func embeddedBuildkitdCmd() *cobra.Command {
	var cfg bkserver.Config
	cmd := &cobra.Command{
		Use:    buildkitd.EmbeddedCmd + " --root DIR --addr unix:///PATH",
		Short:  "Serve BuildKit in-process (run by distill's local daemon's supervisor)",
		Hidden: true,
		Args:   usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bkserver.Serve(cmd.Context(), cfg)
		},
	}
	cmd.Flags().StringVar(&cfg.Root, "root", "", "the daemon's state `DIR`")
	cmd.Flags().StringArrayVar(&cfg.Addrs, "addr", nil, "listen on `ADDRESS`: unix:///path or tcp://host:port (no TLS); repeatable")
	_ = cmd.MarkFlagRequired("root") // the flags exist: no error
	_ = cmd.MarkFlagRequired("addr")
	return cmd
}
