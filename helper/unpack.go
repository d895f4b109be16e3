package helper

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/distill-build/distill/debian/deb"
)

const unpackUsage = `usage: unpack --deb <file|-> --root <dir> [--name <pkg>] [--deb … --root … [--name …]]…
              [--epoch N] [--no-chown] [--no-status] [-v]

Writes the data archive of a .deb below <dir> (created if missing) without
running maintainer scripts, then var/lib/dpkg/status.d/<pkg> (the control file
verbatim) and <pkg>.md5sums. Given several times, --deb, --root and --name pair
up in order, and the packages are unpacked concurrently, each into its root.

  --deb FILE    the package ("-" reads standard input)
  --root DIR    the root filesystem to write into
  --epoch N     clamp modification times to N seconds since 1970
                (default: $SOURCE_DATE_EPOCH when set)
  --name PKG    name of the status.d records (default: the Package field)
  --no-chown    do not set owners (for unprivileged use)
  --no-status   do not write status.d records
  -v            print a summary to standard error
`

// Unpack unpacks .debs the distroless way (deb.Unpack): no maintainer
// script runs, and each package is recorded in status.d.
type Unpack struct {
	// Epoch clamps every modification time. Zero: $SOURCE_DATE_EPOCH when
	// set, else the times in the archive.
	Epoch time.Time
	Debs  []UnpackDeb
	// NoChown keeps the extracting user as owner (for unprivileged use).
	NoChown bool
	// NoStatus writes no status.d records.
	NoStatus bool
	// Verbose prints a summary of each package to stderr.
	Verbose bool
}

// UnpackDeb is one package of an Unpack.
type UnpackDeb struct {
	Deb  string // the .deb; "-" reads standard input
	Root string // the directory it is unpacked into, created if missing
	Name string // the status.d records' name; "" for the Package field
}

// Args writes --epoch first, then a --deb, --root, --name triple per
// package, --name even when empty, as builds have always run it.
func (u Unpack) Args() []string {
	args := []string{UnpackCommand}
	if !u.Epoch.IsZero() {
		args = append(args, "--epoch", formatEpoch(u.Epoch))
	}
	for _, d := range u.Debs {
		args = append(args, "--deb", d.Deb, "--root", d.Root, "--name", d.Name)
	}
	if u.NoChown {
		args = append(args, "--no-chown")
	}
	if u.NoStatus {
		args = append(args, "--no-status")
	}
	if u.Verbose {
		args = append(args, "-v")
	}
	return args
}

// ParseUnpack reads the flags of an unpack command line (the words after
// "unpack") and checks that they describe packages to unpack.
func ParseUnpack(flags []string) (Unpack, error) {
	var u Unpack
	fs := newFlagSet(UnpackCommand)
	var debs, roots, names []string
	appendTo := func(list *[]string) func(string) error {
		return func(v string) error { *list = append(*list, v); return nil }
	}
	fs.Func("deb", "", appendTo(&debs))
	fs.Func("root", "", appendTo(&roots))
	fs.Func("name", "", appendTo(&names))
	epochVar(fs, &u.Epoch)
	fs.BoolVar(&u.NoChown, "no-chown", false, "")
	fs.BoolVar(&u.NoStatus, "no-status", false, "")
	fs.BoolVar(&u.Verbose, "v", false, "")
	if err := fs.Parse(flags); err != nil {
		return Unpack{}, fmt.Errorf("unpack: %w", err)
	}
	if fs.NArg() > 0 {
		return Unpack{}, fmt.Errorf("unpack: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case len(debs) == 0:
		return Unpack{}, errors.New("unpack: --deb is required")
	case len(roots) == 0:
		return Unpack{}, errors.New("unpack: --root is required")
	case len(roots) != len(debs):
		return Unpack{}, fmt.Errorf("unpack: %d --deb but %d --root: give one root per package", len(debs), len(roots))
	case len(names) != 0 && len(names) != len(debs):
		return Unpack{}, fmt.Errorf("unpack: %d --deb but %d --name: name every package or none", len(debs), len(names))
	case len(debs) > 1 && slices.Contains(debs, "-"):
		return Unpack{}, errors.New("unpack: --deb - (standard input) takes one package")
	}
	u.Debs = make([]UnpackDeb, len(debs))
	for i := range debs {
		u.Debs[i] = UnpackDeb{Deb: debs[i], Root: roots[i]}
		if len(names) > 0 && names[i] != "" { // "": the Package field
			if err := deb.CheckPackageName(names[i]); err != nil {
				return Unpack{}, fmt.Errorf("unpack: --name: %w", err)
			}
			u.Debs[i].Name = names[i]
		}
	}
	return u, nil
}

// Run unpacks the packages. Packages in separate roots unpack side by
// side: one package's decompression overlaps another's file system work.
// Packages sharing a root unpack in turn, as separate calls would. The
// first failure in argument order is reported.
func (u Unpack) Run(stderr io.Writer) error {
	epoch, err := epochOrEnv(u.Epoch)
	if err != nil {
		return fmt.Errorf("unpack: %w", err)
	}
	opt := deb.Options{Epoch: epoch, NoChown: u.NoChown, NoStatus: u.NoStatus}
	results := make([]*deb.Result, len(u.Debs))
	errs := make([]error, len(u.Debs))
	roots := make([]string, len(u.Debs))
	for i, d := range u.Debs {
		roots[i] = d.Root
	}
	parallel := runtime.GOMAXPROCS(0) + 1
	if overlapping(roots) {
		parallel = 1
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	for i, d := range u.Debs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			o := opt
			o.Name = d.Name
			results[i], errs[i] = unpackOne(d, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if u.Verbose {
		for _, res := range results {
			fmt.Fprintf(stderr, "unpacked %s %s (%s) from %s: %d files, %d bytes, %d dirs, %d symlinks, %d hard links\n",
				res.Package, res.Version, res.Architecture, res.DataMember,
				res.Files, res.Bytes, res.Dirs, res.Symlinks, res.HardLinks)
		}
	}
	return nil
}

// overlapping says whether two roots are the same directory or one lies
// inside the other.
func overlapping(roots []string) bool {
	clean := make([]string, len(roots))
	for i, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return true
		}
		clean[i] = abs
	}
	slices.Sort(clean)
	for i := 1; i < len(clean); i++ {
		prev := clean[i-1]
		if clean[i] == prev || strings.HasPrefix(clean[i], strings.TrimSuffix(prev, "/")+"/") {
			return true
		}
	}
	return false
}

func unpackOne(d UnpackDeb, opt deb.Options) (*deb.Result, error) {
	var in io.Reader
	if d.Deb == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(d.Deb)
		if err != nil {
			return nil, fmt.Errorf("unpack: %w", err)
		}
		defer f.Close()
		in = f
	}
	if err := os.MkdirAll(d.Root, 0o755); err != nil {
		return nil, fmt.Errorf("unpack: root: %w", err)
	}
	res, err := deb.Unpack(bufio.NewReaderSize(in, 1<<16), d.Root, opt)
	if err != nil {
		return nil, fmt.Errorf("unpack %s: %w", d.Deb, err)
	}
	return res, nil
}
