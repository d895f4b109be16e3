package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
)

// maxSnippetLine is the most of one definition line an error shows: a
// generated line of 200 KB would bury the message.
const maxSnippetLine = 160

// PrintError prints the error and, for errors tied to the definition, the
// offending lines, as buildx does, each cut to a screen's width around
// where the error is.
func PrintError(stderr io.Writer, err error) {
	fmt.Fprintf(stderr, "error: %v\n", err)
	for _, src := range errdefs.Sources(err) {
		if src.Info != nil {
			info := &pb.SourceInfo{Filename: src.Info.Filename, Language: src.Info.Language, Definition: src.Info.Definition,
				Data: cutLines(src.Info.Data, src.Ranges)}
			src = &errdefs.Source{Info: info, Ranges: src.Ranges}
		}
		_ = src.Print(stderr) // a failed write to stderr has nowhere to go
	}
}

// cutLines shortens lines longer than maxSnippetLine to that many
// characters, around the column a range starts at on that line, marking
// what was cut with "…".
func cutLines(data []byte, ranges []*pb.Range) []byte {
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		r := []rune(line)
		if len(r) <= maxSnippetLine {
			continue
		}
		start := 0
		for _, rg := range ranges {
			if rg.Start != nil && int(rg.Start.Line) == i+1 {
				start = max(0, int(rg.Start.Character)-maxSnippetLine/4)
			}
		}
		start = min(start, len(r)-maxSnippetLine)
		out := string(r[start : start+maxSnippetLine])
		if start > 0 {
			out = "…" + out
		}
		if start+maxSnippetLine < len(r) {
			out += "…"
		}
		lines[i] = out
	}
	return []byte(strings.Join(lines, "\n"))
}
