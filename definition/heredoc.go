package definition

import (
	"bytes"
	"fmt"
	"regexp"

	"github.com/hashicorp/hcl/v2"
)

// heredocOpener matches a heredoc's opening marker, as HCL's scanner does.
var heredocOpener = regexp.MustCompile(`<<(-?)([A-Za-z_][A-Za-z0-9_-]*)\r?\n`)

// placeHeredocErrors moves HCL's "Unterminated template string", which it
// reports at the end of the file, to the heredoc that never closes: that
// is the line to fix.
func placeHeredocErrors(filename string, src []byte, diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Summary != "Unterminated template string" || d.Subject == nil || d.Subject.Start.Byte < len(bytes.TrimRight(src, " \t\r\n")) {
			continue
		}
		if rng, marker, ok := unclosedHeredoc(filename, src); ok {
			d.Summary = "Unterminated heredoc"
			d.Detail = fmt.Sprintf("The heredoc opened here has no line holding only %s to close it.", marker)
			d.Subject = &rng
		}
	}
}

// unclosedHeredoc finds the first heredoc with no closing line.
func unclosedHeredoc(filename string, src []byte) (hcl.Range, string, bool) {
	for _, m := range heredocOpener.FindAllSubmatchIndex(src, -1) {
		marker := string(src[m[4]:m[5]])
		closed := false
		for line := range bytes.SplitSeq(src[m[1]:], []byte("\n")) {
			if string(bytes.TrimSpace(line)) == marker {
				closed = true
				break
			}
		}
		if !closed {
			return hcl.Range{Filename: filename, Start: position(src, m[0]), End: position(src, m[5])}, marker, true
		}
	}
	return hcl.Range{}, "", false
}

// position is the line and column (in characters) of a byte offset.
func position(src []byte, offset int) hcl.Pos {
	line := bytes.Count(src[:offset], []byte("\n")) + 1
	start := bytes.LastIndexByte(src[:offset], '\n') + 1
	return hcl.Pos{Line: line, Column: len([]rune(string(src[start:offset]))) + 1, Byte: offset}
}
