package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client"
)

// output is one export. File exports are written to a temporary file next to
// the destination and renamed into place only when the build succeeds, so a
// failed build never leaves a half-written image behind.
type output struct {
	entry client.ExportEntry
	dest  string
	tmp   *os.File
}

// parseOutput reads an export spec as buildctl and buildx take it:
// "type=oci,dest=img.tar", "type=image,name=…,push=true", "type=local,dest=dir".
func parseOutput(spec string) (*output, error) {
	fields, err := csv.NewReader(strings.NewReader(spec)).Read()
	if err != nil {
		return nil, fmt.Errorf("--output %q: %w", spec, err)
	}
	o := &output{entry: client.ExportEntry{Attrs: map[string]string{}}}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("--output %q: %q is not KEY=VALUE", spec, f)
		}
		switch k = strings.ToLower(strings.TrimSpace(k)); k {
		case "type":
			o.entry.Type = v
		case "dest":
			o.dest = v
		default:
			o.entry.Attrs[k] = v
		}
	}
	switch o.entry.Type {
	case client.ExporterOCI, client.ExporterDocker, client.ExporterTar:
		if tar, err := strconv.ParseBool(o.entry.Attrs["tar"]); err == nil && !tar {
			return o.dir(spec)
		}
		if o.dest == "" {
			return nil, fmt.Errorf("--output %q: dest=FILE is required", spec)
		}
		if fi, err := os.Stat(o.dest); err == nil && fi.IsDir() {
			return nil, fmt.Errorf("--output %q: %s is a directory", spec, o.dest)
		}
		o.entry.Output = o.create
	case client.ExporterLocal:
		return o.dir(spec)
	case client.ExporterImage:
		if o.dest != "" {
			return nil, fmt.Errorf("--output %q: the image exporter takes name=, not dest=", spec)
		}
	case "":
		return nil, fmt.Errorf("--output %q: type= is required", spec)
	default:
		return nil, fmt.Errorf("--output %q: unknown type %q", spec, o.entry.Type)
	}
	return o, nil
}

func (o *output) dir(spec string) (*output, error) {
	if o.dest == "" {
		return nil, fmt.Errorf("--output %q: dest=DIR is required", spec)
	}
	o.entry.OutputDir = o.dest
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

// finish moves a written file into place, or removes it if the build failed.
func (o *output) finish(ok bool) error {
	if o.tmp == nil {
		return nil
	}
	name := o.tmp.Name()
	o.tmp.Close()
	if !ok {
		return os.Remove(name)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		return err
	}
	return os.Rename(name, o.dest)
}

// String says where the image went.
func (o *output) String() string {
	switch {
	case o.dest != "":
		return fmt.Sprintf("%s image written to %s", o.entry.Type, o.dest)
	case o.entry.Attrs["name"] != "":
		verb := "stored in BuildKit as"
		if push, _ := strconv.ParseBool(o.entry.Attrs["push"]); push {
			verb = "pushed to"
		}
		return fmt.Sprintf("image %s %s", verb, o.entry.Attrs["name"])
	}
	return o.entry.Type + " export done"
}
