// Command distill-frontend is the BuildKit gateway frontend for distill
// definitions. BuildKit runs it from the frontend image named on a
// definition's "# syntax=" line; stdout is the gRPC pipe to BuildKit, so
// nothing here may print to it.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/helper"
	"github.com/moby/buildkit/frontend/gateway/grpcclient"
	"github.com/moby/buildkit/util/appcontext"
	"github.com/moby/buildkit/util/bklog"
)

func main() {
	if len(os.Args) > 1 {
		switch arg := os.Args[1]; {
		case arg == "-version" || arg == "--version":
			fmt.Fprintln(os.Stderr, "distill-frontend", frontend.Version)
			return
		case helper.IsCommand(arg):
			// The in-build helper: builds run this binary from the frontend
			// image to unpack .debs.
			if err := helper.Main(os.Args[1:]); err != nil {
				fmt.Fprintln(os.Stderr, "distill-frontend:", err)
				os.Exit(1)
			}
			return
		}
	}
	ctx := appcontext.Context()
	if err := run(ctx); err != nil {
		bklog.L.Errorf("fatal error: %+v", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	return grpcclient.RunFromEnvironment(ctx, frontend.Build)
}
