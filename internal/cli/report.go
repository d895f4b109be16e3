package cli

import (
	"bytes"
	"fmt"
	"io"
	"text/tabwriter"
)

// report is a command's output built in memory, where writes cannot fail,
// in columns aligned as docker's tables are, then written at once.
type report struct {
	buf bytes.Buffer
	tw  *tabwriter.Writer
}

func newReport() *report {
	r := &report{}
	r.tw = tabwriter.NewWriter(&r.buf, 0, 0, 2, ' ', 0)
	return r
}

// printf adds to the report; tabs separate columns.
func (r *report) printf(format string, args ...any) {
	_, _ = fmt.Fprintf(r.tw, format, args...) // into memory
}

// writeTo writes the report to w.
func (r *report) writeTo(w io.Writer) error {
	if err := r.tw.Flush(); err != nil {
		return err
	}
	_, err := w.Write(r.buf.Bytes())
	return err
}
