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
	"strings"

	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/lockfile"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// lockOptions are the common options and what lock alone takes. Lock
// solves every image (so no --target), reads no build context (so no
// --context) and exports nothing (so no --output).
type lockOptions struct {
	commonOptions
	check  bool
	update []string
}

func (o *lockOptions) addFlags(fs *pflag.FlagSet) {
	o.commonOptions.addFlags(fs)
	fs.BoolVar(&o.check, "check", false, "write nothing; exit 1 when the archive has newer versions of locked packages (security updates listed first) or the lock is out of date, 0 when nothing changed")
	fs.StringSliceVar(&o.update, "update", nil, "update only the named `PACKAGES` (comma separated or repeated); every other package keeps its locked version")
}

func (o *lockOptions) resolve(fs *pflag.FlagSet, args []string) error {
	if err := o.commonOptions.resolve(fs, args); err != nil {
		return err
	}
	if o.check && len(o.update) > 0 {
		return errors.New("--check writes nothing and --update writes the lockfile: give one of them")
	}
	for _, name := range o.update {
		if name == "" || strings.ContainsAny(name, " =:") {
			return fmt.Errorf("--update %q: want package names, e.g. --update libssl3,openssl", name)
		}
	}
	return nil
}

func lockCmd() *cobra.Command {
	var o lockOptions
	cmd := &cobra.Command{
		Use:   "lock [flags] [DEFINITION|DIR]",
		Short: "Solve every image's packages and write the definition's lockfile",
		Long: `Lock solves every image's packages of DEFINITION (default distill.hcl; a
directory DIR names its distill.hcl) against the verified archive indexes, for
each image's platforms (or --platform), and writes the lockfile next to it
(distill.hcl: distill.lock.json), printing what changed package by package and
image by image. Builds then use the lockfile and fetch no index.

--check writes nothing and exits 1 when there is something to pick up: the
command a nightly job runs to rebuild only then. --update moves only the named
packages.`,
		Example: `  # Lock distill.hcl in the current directory
  distill lock .

  # Is there anything newer in the archive? (exit status 1 if so)
  distill lock --check .

  # Take only the new libssl3 and openssl
  distill lock --update libssl3,openssl .

  # Refresh a definition's lock against a given mirror
  distill lock --build-arg MIRROR=http://mirror.internal/debian examples/distroless-debian12/distill.hcl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(cmd.Flags(), args); err != nil {
				return usage(err)
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
func runLock(ctx context.Context, o *lockOptions, stderr io.Writer) error {
	if o.file == stdinName {
		return usage(errors.New("-f -: lock writes the lockfile next to the definition, so give it the definition's file"))
	}
	def, err := readDefinition(ctx, &o.commonOptions, "", nil, stderr)
	if err != nil {
		return err
	}
	defer def.remove()
	if def.staged {
		return fmt.Errorf("%s is not a regular file: lock writes the lockfile next to the definition, so give it the definition's file", o.file)
	}
	file := def.path
	path := lockPath(file)
	old, prev, err := readOldLock(path, stderr)
	if err != nil {
		return err
	}
	attrs := map[string]string{frontend.LockOpt: "true"}
	if len(o.update) > 0 {
		if prev == nil {
			return fmt.Errorf("--update: there is no %s yet: run distill lock first", path)
		}
		if unknown := old.Unknown(o.update); len(unknown) > 0 {
			return fmt.Errorf("--update: %s locks no package %s: name packages it lists (distill lock --check shows what has updates)", path, strings.Join(unknown, ", "))
		}
		attrs[frontend.LockUpdateOpt] = strings.Join(o.update, ",")
	}
	res, err := runFrontend(ctx, &o.commonOptions, frontendRun{
		file: file,
		// Lock reads no context; the definition's directory stands in, as
		// it does for a build given no --context.
		contextDir: filepath.Dir(file),
		attrs:      attrs,
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
	changes := lockfile.Diff(old, fresh)
	images := lockfile.ImageChanges(old, fresh, def.parents)
	sources := lockfile.SourceChanges(old, fresh)
	if o.check {
		return reportCheck(stderr, path, lockfile.Updates(changes, old, fresh), changes, append(images, sources...))
	}
	if unasked := lockfile.Unasked(changes, o.update); len(o.update) > 0 && len(unasked) > 0 {
		return fmt.Errorf("%w; %s is unchanged", lockfile.UnaskedError(unasked, o.update), path)
	}
	if prev != nil {
		data = keepLockTime(old, fresh, prev, data)
	}
	if err := writeAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("writing the lockfile: %w", err)
	}
	if len(changes) > 0 {
		fmt.Fprint(stderr, lockfile.FormatChanges(changes))
	}
	for _, line := range append(images, sources...) {
		fmt.Fprintln(stderr, line)
	}
	if len(changes)+len(images)+len(sources) == 0 {
		fmt.Fprintln(stderr, "no changes")
	}
	fmt.Fprintln(stderr, "lockfile written to", path)
	return nil
}

// readOldLock reads the lockfile there is (its bytes nil when there is
// none, or when it is unreadable and will be replaced whole).
func readOldLock(path string, stderr io.Writer) (*lockfile.Lockfile, []byte, error) {
	prev, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return lockfile.New(), nil, nil
	case err != nil:
		return nil, nil, fmt.Errorf("reading the old lockfile: %w", err)
	}
	old, err := lockfile.Parse(prev)
	if err != nil {
		// An older format, say: lock replaces it; --check reports it all.
		fmt.Fprintf(stderr, "replacing %s: %v\n", path, err)
		return lockfile.New(), nil, nil
	}
	return old, prev, nil
}

// errCheck is distill lock --check finding something to pick up: exit
// status 1, the report already printed.
type errCheck struct {
	path              string
	updates, security int
}

func (e *errCheck) Error() string {
	if e.updates == 0 {
		return fmt.Sprintf("%s is out of date: run distill lock to refresh it", e.path)
	}
	return fmt.Sprintf("the archive has newer versions of %d locked packages (%d from the security suite): run distill lock to take them all, or distill lock --update PKG… for some", e.updates, e.security)
}

// reportCheck prints what --check found and fails when it found anything.
func reportCheck(stderr io.Writer, path string, updates []lockfile.Update, changes []lockfile.Change, images []string) error {
	if len(changes)+len(images) == 0 {
		fmt.Fprintln(stderr, "no changes:", path, "is up to date")
		return nil
	}
	fmt.Fprint(stderr, lockfile.FormatCheck(updates, changes, images))
	e := &errCheck{path: path, updates: len(updates)}
	for _, u := range updates {
		if u.Security {
			e.security++
		}
	}
	return e
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

// writeAtomic replaces path with data, never leaving a partial file; the
// file gets mode perm.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
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
	if err := os.Chmod(f.Name(), perm); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
