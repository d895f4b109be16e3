package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/lockfile"
	"github.com/spf13/cobra"
)

// lockCmd takes only the common options: lock solves every image (so no
// --target), reads no build context (so no --context) and exports nothing
// (so no --output).
func lockCmd() *cobra.Command {
	var o commonOptions
	cmd := &cobra.Command{
		Use:   "lock [flags] [DEFINITION|DIR]",
		Short: "Solve every image's packages and write the definition's lockfile",
		Long: `Lock solves every image's packages of DEFINITION (default distill.hcl; a
directory DIR names its distill.hcl) against the verified archive indexes, for
each image's platforms (or --platform), and writes the lockfile next to it (distill.hcl: distill.lock.json), printing what
changed package by package. Builds then use the lockfile and fetch no index.`,
		Example: `  # Lock distill.hcl in the current directory
  distill lock

  # Refresh a definition's lock against a given mirror
  distill lock --build-arg MIRROR=http://mirror.internal/debian examples/distroless-debian12/distill.hcl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(cmd.Flags(), args); err != nil {
				return err
			}
			return runLock(cmd.Context(), &o, cmd.ErrOrStderr())
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

// runLock solves every image of the definition against the verified indexes
// and writes the lockfile next to it, printing what changed package by
// package, so a refresh is one reviewed diff.
func runLock(ctx context.Context, o *commonOptions, stderr io.Writer) error {
	if o.file == stdinName {
		return errors.New("-f -: lock writes the lockfile next to the definition, so give it the definition's file")
	}
	def, err := readDefinition(ctx, o, "", nil, stderr)
	if err != nil {
		return err
	}
	defer def.remove()
	if def.staged {
		return fmt.Errorf("%s is not a regular file: lock writes the lockfile next to the definition, so give it the definition's file", o.file)
	}
	file := def.path
	res, err := runFrontend(ctx, o, frontendRun{
		file: file,
		// Lock reads no context; the definition's directory stands in, as
		// it does for a build given no --context.
		contextDir: filepath.Dir(file),
		attrs:      map[string]string{frontend.LockOpt: "true"},
	}, stderr)
	if err != nil {
		return err
	}
	data, ok := res.meta[frontend.LockfileKey]
	if !ok {
		return errors.New("the frontend returned no lockfile")
	}
	fresh, err := lockfile.Parse(data)
	if err != nil {
		return fmt.Errorf("the frontend's lockfile: %w", err)
	}
	path := filepath.Join(filepath.Dir(file), lockfile.Name(filepath.Base(file)))
	old := lockfile.New()
	switch prev, err := os.ReadFile(path); {
	case err == nil:
		// An unreadable old lock (an older format, say) is replaced whole.
		if o, err := lockfile.Parse(prev); err != nil {
			fmt.Fprintf(stderr, "replacing %s: %v\n", path, err)
		} else {
			old = o
			data = keepLockTime(old, fresh, prev, data)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("reading the old lockfile: %w", err)
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("writing the lockfile: %w", err)
	}
	changes := lockfile.Diff(old, fresh)
	images := lockfile.ImageChanges(old, fresh)
	if len(changes) > 0 {
		fmt.Fprint(stderr, lockfile.FormatChanges(changes))
	}
	for _, line := range images {
		fmt.Fprintln(stderr, line)
	}
	if len(changes)+len(images) == 0 {
		fmt.Fprintln(stderr, "no changes")
	}
	fmt.Fprintln(stderr, "lockfile written to", path)
	return nil
}

// keepLockTime is the lockfile to write: the old bytes when nothing but
// the time changed, so that a refresh that finds nothing new leaves no
// diff; the locked files were in the archive at the old time too, so a
// snapshot still finds them by it.
func keepLockTime(old, fresh *lockfile.Lockfile, prev, data []byte) []byte {
	if old.LockedAt.IsZero() {
		return data
	}
	same := *fresh
	same.LockedAt = old.LockedAt
	if dt, err := same.Marshal(); err == nil && bytes.Equal(dt, prev) {
		return prev
	}
	return data
}

// writeAtomic replaces path with data, never leaving a partial file.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		_ = f.Close() // the write's error is the one to report
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
