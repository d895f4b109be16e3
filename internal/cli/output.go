package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containerd/console"
	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/go-csvvalue"
)

// output is one export, parsed as buildctl parses -o (same syntax, same
// errors). buildctl's ParseOutput cannot be used as it is: it creates and
// truncates a file destination while parsing, so a failed build would lose
// the image already there. Here a file is never written in place: it goes
// to a temporary file beside the destination, made before the build so that
// a destination that cannot be written fails at once, and renamed over the
// destination only when the build succeeds.
type output struct {
	entry client.ExportEntry
	dest  string   // the destination file; "" for other exports
	tmp   *os.File // where the exporter writes dest
}

// parseOutputs parses the -o specs. On an error it removes the temporary
// files of the specs before the bad one.
func parseOutputs(specs []string) ([]*output, error) {
	var outs []*output
	for _, spec := range specs {
		typ, attrs, err := parseSpec(spec)
		var o *output
		if err == nil {
			o, err = newOutput(typ, attrs)
		}
		if err != nil {
			_ = finishOutputs(outs, false) // temporary files only: nothing to report
			return nil, fmt.Errorf("--output %q: %w", spec, err)
		}
		outs = append(outs, o)
	}
	return outs, nil
}

// parseSpec splits a -o spec into its type and attributes, dest included.
func parseSpec(spec string) (typ string, attrs map[string]string, err error) {
	fields, err := csvvalue.Fields(spec, nil)
	if err != nil {
		return "", nil, err
	}
	attrs = map[string]string{}
	for _, field := range fields {
		key, value, ok := strings.Cut(field, "=")
		if !ok {
			return "", nil, fmt.Errorf("invalid value %s", field)
		}
		if key = strings.ToLower(key); key == "type" {
			typ = value
		} else {
			attrs[key] = value
		}
	}
	if typ == "" {
		return "", nil, errors.New("--output requires type=<type>")
	}
	if v, ok := attrs["output"]; ok {
		return "", nil, fmt.Errorf("output=%s not supported for --output, you meant dest=%s?", v, v)
	}
	return typ, attrs, nil
}

// newOutput decides where an export goes, as buildctl does: a file, a
// directory, standard output or nowhere (an image store or a registry).
func newOutput(typ string, attrs map[string]string) (*output, error) {
	dest := attrs["dest"]
	o := &output{entry: client.ExportEntry{Type: typ, Attrs: attrs}}
	file, dir := false, false
	switch typ {
	case client.ExporterLocal:
		dir = true
	case client.ExporterTar:
		file = true
	case client.ExporterOCI, client.ExporterDocker:
		tar, err := strconv.ParseBool(attrs["tar"])
		file = err != nil || tar
		dir = !file
	}
	switch {
	case dir:
		if dest == "" {
			return nil, fmt.Errorf("output directory is required for %s exporter", typ)
		}
		o.entry.OutputDir = dest
	case file && (dest == "" || dest == "-"):
		if _, err := console.ConsoleFromFile(os.Stdout); err == nil {
			return nil, fmt.Errorf("output file is required for %s exporter. refusing to write to console", typ)
		}
		o.entry.Output = func(map[string]string) (io.WriteCloser, error) { return os.Stdout, nil }
	case file:
		if fi, err := os.Stat(dest); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("dest %s: destination file is a directory", dest)
		}
		tmp, err := createBeside(dest)
		if err != nil {
			return nil, fmt.Errorf("dest %s: %w", dest, err)
		}
		o.dest, o.tmp = dest, tmp
		o.entry.Output = func(map[string]string) (io.WriteCloser, error) { return tmp, nil }
	case dest != "":
		return nil, fmt.Errorf("output %s is not supported by %s exporter", dest, typ)
	}
	if o.entry.Output != nil || o.entry.OutputDir != "" {
		delete(attrs, "dest")
	}
	return o, nil
}

// createBeside creates a new file in dest's directory with the mode a plain
// create would give dest (0666 less the umask), so the rename needs no chmod.
func createBeside(dest string) (*os.File, error) {
	for {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		name := filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+"."+hex.EncodeToString(b[:]))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
}

// finish moves a written file into place or, when the build failed, removes
// it; the destination is touched only by a successful rename.
func (o *output) finish(ok bool) error {
	if o.tmp == nil {
		return nil
	}
	name := o.tmp.Name()
	err := o.tmp.Close()
	if !ok || err != nil {
		return errors.Join(err, os.Remove(name))
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
