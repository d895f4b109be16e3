package deb

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const usage = `usage: unpack --deb <file|-> --root <dir> [--name <pkg>] [--deb … --root … [--name …]]…
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

// Main runs the in-build helper. args are the words after the program name:
// a subcommand ("unpack") and its flags. It writes nothing to standard output
// and returns an error that names what failed.
func Main(args []string) error {
	return run(args, os.Stderr)
}

func run(args []string, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("deb: missing subcommand (want unpack)")
	}
	switch args[0] {
	case "unpack":
		return runUnpack(args[1:], stderr)
	case "cacerts":
		return runCACerts(args[1:], stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stderr, usage)
		return nil
	}
	return fmt.Errorf("deb: unknown subcommand %q (want unpack)", args[0])
}

// unpackJob is one --deb with its --root and --name.
type unpackJob struct{ deb, root, name string }

func runUnpack(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("unpack", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var debs, roots, names []string
	appendTo := func(list *[]string) func(string) error {
		return func(v string) error { *list = append(*list, v); return nil }
	}
	fs.Func("deb", "", appendTo(&debs))
	fs.Func("root", "", appendTo(&roots))
	fs.Func("name", "", appendTo(&names))
	var (
		epochArg = fs.String("epoch", "", "")
		noChown  = fs.Bool("no-chown", false, "")
		noStatus = fs.Bool("no-status", false, "")
		verbose  = fs.Bool("v", false, "")
	)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stderr, usage)
			return nil
		}
		return fmt.Errorf("unpack: %w", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unpack: unexpected argument %q", fs.Arg(0))
	}
	switch {
	case len(debs) == 0:
		return errors.New("unpack: --deb is required")
	case len(roots) == 0:
		return errors.New("unpack: --root is required")
	case len(roots) != len(debs):
		return fmt.Errorf("unpack: %d --deb but %d --root: give one root per package", len(debs), len(roots))
	case len(names) != 0 && len(names) != len(debs):
		return fmt.Errorf("unpack: %d --deb but %d --name: name every package or none", len(debs), len(names))
	case len(debs) > 1 && slices.Contains(debs, "-"):
		return errors.New("unpack: --deb - (standard input) takes one package")
	}
	jobs := make([]unpackJob, len(debs))
	for i := range debs {
		jobs[i] = unpackJob{deb: debs[i], root: roots[i]}
		if len(names) > 0 && names[i] != "" { // "": the Package field
			if err := checkPackageName(names[i]); err != nil {
				return fmt.Errorf("unpack: --name: %w", err)
			}
			jobs[i].name = names[i]
		}
	}
	opt := Options{NoChown: *noChown, NoStatus: *noStatus}
	epoch, src := *epochArg, "--epoch"
	if epoch == "" {
		epoch, src = os.Getenv("SOURCE_DATE_EPOCH"), "SOURCE_DATE_EPOCH"
	}
	if epoch != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(epoch), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("unpack: %s %q is not a number of seconds since 1970", src, epoch)
		}
		opt.Epoch = time.Unix(n, 0).UTC()
	}

	// Packages in separate roots unpack side by side: one package's
	// decompression overlaps another's file system work. Packages sharing
	// a root unpack in turn, as separate calls would. The first failure in
	// argument order is reported.
	results := make([]*Result, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	parallel := runtime.GOMAXPROCS(0) + 1
	if overlapping(roots) {
		parallel = 1
	}
	sem := make(chan struct{}, parallel)
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			o := opt
			o.Name = j.name
			results[i], errs[i] = unpackOne(j, o)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	if *verbose {
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

func unpackOne(j unpackJob, opt Options) (*Result, error) {
	var in io.Reader
	if j.deb == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(j.deb)
		if err != nil {
			return nil, fmt.Errorf("unpack: %w", err)
		}
		defer f.Close()
		in = f
	}
	if err := os.MkdirAll(j.root, 0o755); err != nil {
		return nil, fmt.Errorf("unpack: root: %w", err)
	}
	res, err := Unpack(bufio.NewReaderSize(in, 1<<16), j.root, opt)
	if err != nil {
		return nil, fmt.Errorf("unpack %s: %w", j.deb, err)
	}
	return res, nil
}
