package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	"github.com/hashicorp/hcl/v2"
)

// loaded is a definition read by a command that does not build: as
// written, and lowered as the frontend lowers it.
type loaded struct {
	file    string // as the user gave it: diagnostics name it so
	src     []byte
	written *definition.Definition
	def     *definition.Definition
}

// loadDefinition reads, decodes and lowers file with the build arguments
// args (see decode). Errors in the definition come back as a diagError.
func loadDefinition(file string, args map[string]string) (*loaded, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading the definition: %w", err)
	}
	l, diags := decode(file, src, args)
	if diags.HasErrors() {
		return nil, l.diagError(diags)
	}
	return l, nil
}

// decode decodes src, read from file, with the build arguments args, and
// lowers it as the frontend does; mirror variables left empty are filled
// from apt's sources, as for a build. With errors, written is nil when src
// does not decode, and def when it does not lower.
func decode(file string, src []byte, args map[string]string) (*loaded, hcl.Diagnostics) {
	l := &loaded{file: file, src: src}
	written, diags := definition.Parse(file, src, definition.Options{Args: args, Defaults: aptMirrors()})
	if diags.HasErrors() {
		return l, diags
	}
	l.written = written
	def, diags := plan.Lower(written)
	if diags.HasErrors() {
		return l, diags
	}
	l.def = def
	return l, nil
}

// lockPath is the lockfile beside the definition file.
func lockPath(file string) string {
	return filepath.Join(filepath.Dir(file), lockfile.Name(filepath.Base(file)))
}

// lock reads the lockfile next to the definition: nil, with its path,
// when there is none.
func (l *loaded) lock() (*lockfile.Lockfile, string, error) {
	path := lockPath(l.file)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, path, nil
	}
	if err != nil {
		return nil, path, fmt.Errorf("reading the lockfile: %w", err)
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		return nil, path, fmt.Errorf("%s: %w; run distill lock %s to write it again", path, err, l.file)
	}
	return lock, path, nil
}

// located shows err with the definition's line when it is a diagnostic
// (plan's errors about a range of the definition).
func (l *loaded) located(err error) error {
	var d *hcl.Diagnostic
	if errors.As(err, &d) {
		return l.diagError(hcl.Diagnostics{d})
	}
	var ds hcl.Diagnostics
	if errors.As(err, &ds) {
		return l.diagError(ds)
	}
	return err
}

// diagError is a definition's diagnostics, printed with their lines.
type diagError struct {
	text  string
	count int
}

func (e *diagError) Error() string {
	return fmt.Sprintf("the definition has %d error(s):\n%s", e.count, e.text)
}

// diagError renders diags as FILE:LINE:COLUMN: summary: detail, each with
// its line of the definition, so editors and people both find it.
func (l *loaded) diagError(diags hcl.Diagnostics) error {
	lines := strings.Split(string(l.src), "\n")
	var b strings.Builder
	for i, d := range diags {
		if i > 0 {
			b.WriteString("\n")
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		if d.Subject == nil {
			fmt.Fprintf(&b, "%s: %s", l.file, msg)
			continue
		}
		r := d.Subject
		fmt.Fprintf(&b, "%s:%d:%d: %s", r.Filename, r.Start.Line, r.Start.Column, msg)
		if n := r.Start.Line; n >= 1 && n <= len(lines) {
			fmt.Fprintf(&b, "\n  %4d | %s", n, strings.TrimRight(lines[n-1], "\r"))
		}
	}
	return &diagError{text: b.String(), count: len(diags.Errs())}
}
