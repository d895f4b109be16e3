package cli

import (
	"fmt"

	"github.com/hexops/gotextdiff"
	"github.com/hexops/gotextdiff/myers"
	"github.com/hexops/gotextdiff/span"
)

// unifiedDiff is the unified diff from a to b, labelled as gofmt -d labels
// it (NAME.orig, NAME); "" when they are equal.
func unifiedDiff(name string, a, b []byte) string {
	edits := myers.ComputeEdits(span.URIFromPath(name), string(a), string(b))
	if len(edits) == 0 {
		return ""
	}
	return fmt.Sprint(gotextdiff.ToUnified(name+".orig", name, string(a), edits))
}
