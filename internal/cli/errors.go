package cli

import (
	"fmt"
	"io"

	"github.com/moby/buildkit/solver/errdefs"
)

// PrintError prints the error and, for errors tied to the definition, the
// offending lines, as buildx does.
func PrintError(w io.Writer, err error) {
	fmt.Fprintf(w, "error: %v\n", err)
	for _, src := range errdefs.Sources(err) {
		src.Print(w)
	}
}
