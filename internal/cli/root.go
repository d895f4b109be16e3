// Package cli is the distill command line: one file per command, on cobra,
// as docker buildx lays out its commands. Commands are built by functions so
// that nothing in the package holds state between runs.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Run runs the command line args (without the program name), writing help
// and version to stdout and progress and messages to stderr. The caller
// prints the returned error, with PrintError.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := rootCmd()
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	return cmd.ExecuteContext(ctx)
}

func rootCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "distill",
		Short: "Build distroless images from a distill definition with BuildKit",
		Long: `distill compiles a definition (distill.hcl) of Debian archives, packages built
from source and images into a BuildKit build, and runs it: against the BuildKit
daemon that --addr or $BUILDKIT_HOST names, else against the user's local
buildkitd, started on first use and left running until it has been idle for
10 minutes.`,
		Example: `  distill build --target static distill.hcl
  distill lock distill.hcl`,
		Version: version(),
		// A word that names no command is a usage error (exit 2), as is
		// an unknown flag.
		Args: usageArgs(func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return nil
		}),
		// With no command, show what there is and fail, as a mistyped script
		// line should.
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmd.Help(); err != nil {
				return err
			}
			return usage(errors.New("no command given: see the commands above"))
		},
		// main prints errors, with the definition's offending lines; a usage
		// dump would bury them.
		SilenceErrors:     true,
		SilenceUsage:      true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
	}
	cmd.SetVersionTemplate("distill {{.Version}}\n")
	cmd.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		//nolint:staticcheck // ST1005: the last line the user sees, ending as docker's does
		return usage(fmt.Errorf("%w\nSee '%s --help'.", err, cmd.CommandPath()))
	})
	cmd.AddCommand(buildCmd(), lockCmd(), checkCmd(), fmtCmd(), graphCmd(), inspectCmd(), sbomCmd(), versionCmd())
	cmd.AddCommand(helperCmds()...)
	cmd.AddCommand(supervisorCommand(), embeddedBuildkitdCmd())
	return cmd
}
