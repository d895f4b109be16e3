package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/moby/buildkit/client"
	buildctl "github.com/moby/buildkit/cmd/buildctl/build"
)

// output is one export, parsed by buildctl's own ParseOutput.
//
// ParseOutput creates a file destination as it parses (buildctl writes the
// image straight into it). To never leave a half-written image, a file export
// is written to a temporary file beside the destination and renamed over it
// when the build succeeds; a failed build removes both.
type output struct {
	entry client.ExportEntry
	dest  string      // the file ParseOutput created; "" for other exports
	mode  fs.FileMode // the mode ParseOutput's file was created with
	tmp   *os.File
}

// parseOutputs parses the -o specs. On an error it removes what the specs
// before the bad one created.
func parseOutputs(specs []string) ([]*output, error) {
	var outs []*output
	for _, spec := range specs {
		// One spec at a time: ParseOutput returns nothing on an error, so
		// the files it made for earlier specs would go unnoticed.
		entries, err := buildctl.ParseOutput([]string{spec})
		if err == nil {
			var o *output
			o, err = newOutput(entries[0])
			outs = append(outs, o)
		}
		if err != nil {
			_ = finishOutputs(outs, false) // best effort: report the bad spec
			return nil, fmt.Errorf("--output %q: %w", spec, err)
		}
	}
	return outs, nil
}

func newOutput(e client.ExportEntry) (*output, error) {
	o := &output{entry: e}
	if e.Output == nil {
		return o, nil
	}
	// ParseOutput's writer is the *os.File it created, or standard output
	// for dest=- (written as it comes: there is nothing to rename).
	w, err := e.Output(nil)
	if err != nil {
		return nil, err
	}
	f, ok := w.(*os.File)
	if !ok || f == os.Stdout {
		return o, nil
	}
	o.dest = f.Name()
	fi, err := f.Stat()
	if err == nil {
		o.mode = fi.Mode().Perm()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(o.dest) // best effort: the error below is the one to report
		return nil, fmt.Errorf("the output file: %w", err)
	}
	o.entry.Output = o.create
	return o, nil
}

func (o *output) create(map[string]string) (io.WriteCloser, error) {
	f, err := os.CreateTemp(filepath.Dir(o.dest), "."+filepath.Base(o.dest)+".*")
	if err != nil {
		return nil, fmt.Errorf("creating the output file: %w", err)
	}
	o.tmp = f
	return f, nil
}

// finish moves a written file into place, or, when the build failed,
// removes it and the empty destination ParseOutput created.
func (o *output) finish(ok bool) error {
	if o.dest == "" {
		return nil
	}
	if o.tmp == nil {
		if ok {
			return nil // the exporter wrote nothing: keep ParseOutput's file
		}
		return os.Remove(o.dest)
	}
	name := o.tmp.Name()
	// BuildKit closed the writer, checking the error, when the export
	// ended; this second Close is only a safeguard.
	_ = o.tmp.Close()
	if !ok {
		return errors.Join(os.Remove(name), os.Remove(o.dest))
	}
	if err := os.Chmod(name, o.mode); err != nil {
		return err
	}
	return os.Rename(name, o.dest)
}

// finishOutputs finishes every output, returning the first error.
func finishOutputs(outs []*output, ok bool) error {
	var first error
	for _, o := range outs {
		if err := o.finish(ok); err != nil && first == nil {
			first = fmt.Errorf("writing %s: %w", o.dest, err)
		}
	}
	return first
}

// String says where the image went.
func (o *output) String() string {
	e := o.entry
	switch {
	case o.dest != "":
		return fmt.Sprintf("%s image written to %s", e.Type, o.dest)
	case e.OutputDir != "":
		return fmt.Sprintf("%s image written to %s", e.Type, e.OutputDir)
	case e.Output != nil:
		return fmt.Sprintf("%s image written to standard output", e.Type)
	case e.Attrs["name"] != "":
		verb := "stored in BuildKit as"
		if push, _ := strconv.ParseBool(e.Attrs["push"]); push {
			verb = "pushed to"
		}
		return fmt.Sprintf("image %s %s", verb, e.Attrs["name"])
	}
	return e.Type + " export done"
}
