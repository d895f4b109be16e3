package cli

import (
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
)

// TestPrintErrorCutsLongLines: a definition line of 200 KB is shown cut
// around the error, not whole.
func TestPrintErrorCutsLongLines(t *testing.T) {
	long := `  labels = { a = "` + strings.Repeat("x", 200<<10) + `", b = NOPE }`
	col := strings.Index(long, "NOPE") // 0-based, as BuildKit's ranges are
	data := "image \"x\" {\n" + long + "\n  user = \"" + strings.Repeat("y", 500) + "\"\n}\n"
	for _, tc := range []struct {
		name  string
		char  int32
		shown string // what of line 2 the snippet shows
	}{
		// The window ends with the line: the error is near its end.
		{"error far in", int32(col), "…" + strings.Repeat("x", maxSnippetLine-13) + `", b = NOPE }`},
		{"error at the start", 2, `  labels = { a = "` + strings.Repeat("x", maxSnippetLine-18) + "…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := errdefs.WithSource(errors.New("distill.hcl:2: Unknown variable"), &errdefs.Source{
				Info:   &pb.SourceInfo{Filename: "distill.hcl", Data: []byte(data)},
				Ranges: []*pb.Range{{Start: &pb.Position{Line: 2, Character: tc.char}, End: &pb.Position{Line: 2, Character: tc.char + 4}}},
			})
			var b strings.Builder
			PrintError(&b, err)
			out := b.String()
			if len(out) > 1000 {
				t.Errorf("printed %d bytes", len(out))
			}
			if !strings.Contains(out, "   2 | >>> "+tc.shown+"\n") {
				t.Errorf("output lacks line 2 as %q:\n%s", tc.shown, out)
			}
			if !strings.Contains(out, `  user = "`+strings.Repeat("y", maxSnippetLine-10)+"…\n") {
				t.Errorf("line 3 not cut:\n%s", out)
			}
		})
	}
}
