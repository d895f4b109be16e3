package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/internal/aptsources"
	"github.com/distill-build/distill/plan"
)

// stdinName is what -f takes to read the definition from standard input,
// as buildx's -f does.
const stdinName = "-"

// defFile is the definition a command builds.
type defFile struct {
	// path is the file the frontend reads, absolute: the definition itself,
	// or a copy in a temporary directory when it is not a regular file
	// (standard input, a FIFO), which BuildKit's file transfer cannot send.
	path   string
	staged bool
	// img is the image to build (lowered), read ahead for the default
	// output name and platforms; nil when the definition does not decode or
	// names no such image: the frontend reports that, with the offending
	// lines.
	img *definition.Image
	// parents maps each image to the images it is built on, for messages
	// about what a change reaches; nil when the definition does not lower.
	parents map[string][]string
}

// remove removes a staged copy.
func (d *defFile) remove() {
	if d.staged {
		_ = os.RemoveAll(filepath.Dir(d.path)) // a temporary directory: nothing to report
	}
}

// readDefinition reads and decodes the definition, once. Mirror variables
// the definition leaves empty are filled from apt's sources and passed on as
// build arguments. The caller removes the result.
func readDefinition(ctx context.Context, o *commonOptions, target string, stdin io.Reader, stderr io.Writer) (*defFile, error) {
	d := &defFile{}
	name := o.file
	var src []byte
	var err error
	if name == stdinName {
		name = defaultDefinition
		src, err = readAll(ctx, func() (io.ReadCloser, error) { return io.NopCloser(stdin), nil })
		if err != nil {
			return nil, fmt.Errorf("reading the definition from standard input: %w", err)
		}
	} else {
		if name, err = filepath.Abs(name); err != nil {
			return nil, fmt.Errorf("the definition's path: %w", err)
		}
		if src, err = readAll(ctx, func() (io.ReadCloser, error) { return os.Open(name) }); err != nil {
			return nil, fmt.Errorf("reading the definition: %w", err)
		}
	}
	d.path = name
	if fi, err := os.Stat(name); o.file == stdinName || (err == nil && !fi.Mode().IsRegular()) {
		if d.path, err = stage(filepath.Base(name), src); err != nil {
			return nil, err
		}
		d.staged = true
	}

	// The frontend reports the definition's errors, with their lines.
	l, _ := decode(filepath.Base(name), src, o.buildArgMap())
	if l.written == nil {
		return d, nil
	}
	for _, v := range l.written.Variables {
		if v.Filled {
			o.buildArgs = append(o.buildArgs, v.Name+"="+v.Value.AsString())
			fmt.Fprintf(stderr, "%s=%s (from apt's sources)\n", v.Name, v.Value.AsString())
		}
	}
	if l.def == nil {
		return d, nil
	}
	d.parents = map[string][]string{}
	for _, img := range l.def.Images {
		d.parents[img.Name] = img.From
	}
	if img, err := plan.Target(l.def, target); err == nil {
		d.img = img
	}
	return d, nil
}

// readAll reads what open opens, at most definition.MaxSize bytes, and
// returns when ctx ends even if open or read blocks (a FIFO no one writes):
// a signal must stop the CLI in every phase. A blocked read is left behind,
// which ends with the process.
func readAll(ctx context.Context, open func() (io.ReadCloser, error)) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		f, err := open()
		if err != nil {
			done <- result{err: err}
			return
		}
		defer f.Close()
		// One byte more than allowed tells a file at the limit from a larger one.
		data, err := io.ReadAll(io.LimitReader(f, definition.MaxSize+1))
		if err == nil && len(data) > definition.MaxSize {
			err = fmt.Errorf("%s: more than %d bytes (4 MiB), the most a definition may hold: is it the right file?", nameOf(f), definition.MaxSize)
		}
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("interrupted: %w", context.Cause(ctx))
	}
}

// nameOf names what a reader reads from.
func nameOf(r io.Reader) string {
	if f, ok := r.(interface{ Name() string }); ok {
		return f.Name()
	}
	return "standard input"
}

// stage writes a definition read from a pipe into a temporary directory,
// under its own name, for the frontend to read.
func stage(name string, src []byte) (string, error) {
	dir, err := os.MkdirTemp("", "distill-definition-")
	if err != nil {
		return "", fmt.Errorf("staging the definition: %w", err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, src, 0o644); err != nil {
		return "", errors.Join(fmt.Errorf("staging the definition: %w", err), os.RemoveAll(dir))
	}
	return path, nil
}

// aptMirrors are the values the CLI gives variables a definition declares
// with an empty default, by the archive each names, from this machine's apt
// sources: the mirror is configuration, as apt's is.
func aptMirrors() map[string]string {
	mirrors := aptsources.Mirrors("/")
	out := map[string]string{}
	for name, archive := range map[string]string{"MIRROR": "debian", "SECURITY_MIRROR": "debian-security"} {
		if url := mirrors[archive]; url != "" {
			out[name] = url
		}
	}
	return out
}
