package cli

import (
	"fmt"
	"io"

	"github.com/moby/buildkit/solver/errdefs"
)

// PrintError prints the error and, for errors tied to the definition, the
// offending lines, as buildx does.
func PrintError(stderr io.Writer, err error) {
	fmt.Fprintf(stderr, "error: %v\n", err)
	for _, src := range errdefs.Sources(err) {
		_ = src.Print(stderr) // a failed write to stderr has nowhere to go
	}
}
