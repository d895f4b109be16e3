// Command distill builds distill definitions with BuildKit. It runs the
// frontend in-process against a BuildKit daemon: the one BUILDKIT_HOST or
// --addr names, or a local one it starts for the build.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/distill-build/distill/helper"
	"github.com/moby/buildkit/solver/errdefs"
)

const usage = `usage: distill build [flags] [DEFINITION]
       distill lock [flags] [DEFINITION]

build builds an image of DEFINITION (default distill.hcl) with BuildKit.
lock solves every image's packages against the verified archive indexes and
writes DEFINITION's lockfile (distill.hcl: distill.lock.json), printing what
changed; builds then use it and fetch no index.

Flags:
  -f, --file FILE          the definition (instead of the positional argument)
      --context DIR        the build context (default: the definition's directory)
      --target NAME        the image to build (default: the last one)
      --platform LIST      platforms, comma separated (default: the image's platforms)
      --build-arg K=V      set a variable (repeatable)
  -o, --output SPEC        export, as buildctl takes it (default: type=oci,dest=<target>.oci.tar)
      --addr ADDR          BuildKit address (default: $BUILDKIT_HOST, else start a local buildkitd)
      --progress MODE      auto, plain, tty, quiet or rawjson (default: auto)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		printError(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return errors.New("no command given")
		}
		return nil
	}
	if helper.IsCommand(args[0]) {
		// The in-build helper: when the CLI runs the frontend in-process,
		// builds run this very binary to unpack .debs.
		return helper.Main(args)
	}
	switch args[0] {
	case "build":
		opts, err := parseBuildFlags(args[1:])
		if err != nil {
			return err
		}
		return build(ctx, opts, stderr)
	case "lock":
		opts, err := parseBuildFlags(args[1:])
		if err != nil {
			return err
		}
		return lock(ctx, opts, stderr)
	case "version", "--version":
		fmt.Fprintln(stderr, "distill", version())
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}

// printError prints the error and, for errors tied to the definition, the
// offending lines, as buildx does.
func printError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %v\n", err)
	for _, src := range errdefs.Sources(err) {
		src.Print(w)
	}
}
