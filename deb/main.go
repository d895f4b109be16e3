package deb

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

const usage = `usage: unpack --deb <file|-> --root <dir> [--epoch N] [--name <pkg>] [--no-chown] [--no-status] [-v]

Writes the data archive of a .deb below <dir> (created if missing) without
running maintainer scripts, then var/lib/dpkg/status.d/<pkg> (the control file
verbatim) and <pkg>.md5sums.

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

func runUnpack(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("unpack", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		debPath  = fs.String("deb", "", "")
		root     = fs.String("root", "", "")
		epochArg = fs.String("epoch", "", "")
		name     = fs.String("name", "", "")
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
	if *debPath == "" {
		return errors.New("unpack: --deb is required")
	}
	if *root == "" {
		return errors.New("unpack: --root is required")
	}
	opt := Options{Name: *name, NoChown: *noChown, NoStatus: *noStatus}
	if *name != "" {
		if err := checkPackageName(*name); err != nil {
			return fmt.Errorf("unpack: --name: %w", err)
		}
	}
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

	var in io.Reader
	if *debPath == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(*debPath)
		if err != nil {
			return fmt.Errorf("unpack: %w", err)
		}
		defer f.Close()
		in = f
	}
	if err := os.MkdirAll(*root, 0o755); err != nil {
		return fmt.Errorf("unpack: root: %w", err)
	}
	res, err := Unpack(bufio.NewReaderSize(in, 1<<16), *root, opt)
	if err != nil {
		return fmt.Errorf("unpack %s: %w", *debPath, err)
	}
	if *verbose {
		fmt.Fprintf(stderr, "unpacked %s %s (%s) from %s: %d files, %d bytes, %d dirs, %d symlinks, %d hard links\n",
			res.Package, res.Version, res.Architecture, res.DataMember,
			res.Files, res.Bytes, res.Dirs, res.Symlinks, res.HardLinks)
	}
	return nil
}
