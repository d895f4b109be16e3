package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:                   "version",
		Short:                 "Print distill's version",
		Long:                  "Print distill's version: the module version it was built at, or dev for a build from a source tree.",
		Example:               "  distill version",
		Args:                  usageArgs(cobra.NoArgs),
		DisableFlagsInUseLine: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), "distill", version())
			return err
		},
	}
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
