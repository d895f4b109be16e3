// Command distill builds distill definitions with BuildKit. It runs the
// frontend in-process against a BuildKit daemon: the one BUILDKIT_HOST or
// --addr names, or a local one it starts for the build. The commands live in
// internal/cli.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/distill-build/distill/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal cancels the command; a second one, with the default
	// handling back, ends the process even if something ignores ctx.
	context.AfterFunc(ctx, stop)
	err := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		cli.PrintError(os.Stderr, err)
		os.Exit(cli.ExitCode(err))
	}
}
