// Package helper is the in-build helper: the subcommands that builds run
// inside BuildKit execs, because no LLB operation can open a .deb. The
// frontend binary runs them from the frontend image; the CLI, running the
// frontend in-process, uploads its own binary.
//
// Each subcommand is one type that writes its command line (Args, which
// distill2llb puts in the exec) and reads it back (Parse, inside the build),
// so the two sides cannot drift apart. The words Args writes, and their
// order, are part of the exec's cache key and so of image digests: change
// them only on purpose.
//
// Nothing here writes to standard output: in the frontend binary, that is
// BuildKit's gRPC pipe when it runs as the frontend.
package helper

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The subcommand names: the first word after the program name.
const (
	UnpackCommand  = "unpack"
	CACertsCommand = "cacerts"
)

// Command is the parsed command line of one subcommand.
type Command interface {
	// Args is the command line after the program name: the subcommand's
	// name, then its flags.
	Args() []string
	// Run does the work, with diagnostics and summaries on stderr.
	Run(stderr io.Writer) error
}

// subcommand ties a name to its usage and parser.
type subcommand struct {
	name, usage string
	parse       func(flags []string) (Command, error)
}

// subcommands lists the helper's subcommands: the one list that Parse,
// IsCommand and the usage read.
func subcommands() []subcommand {
	return []subcommand{
		{UnpackCommand, unpackUsage, func(f []string) (Command, error) { return ParseUnpack(f) }},
		{CACertsCommand, cacertsUsage, func(f []string) (Command, error) { return ParseCACerts(f) }},
	}
}

func lookup(name string) (subcommand, bool) {
	all := subcommands()
	i := slices.IndexFunc(all, func(s subcommand) bool { return s.name == name })
	if i < 0 {
		return subcommand{}, false
	}
	return all[i], true
}

// Names lists the subcommands, for a CLI that registers each as a command.
func Names() []string {
	var out []string
	for _, s := range subcommands() {
		out = append(out, s.name)
	}
	return out
}

// IsCommand says whether name is a helper subcommand: the mains hand such
// command lines to Main.
func IsCommand(name string) bool {
	_, ok := lookup(name)
	return ok
}

// wanted names the subcommands for error messages: "unpack or cacerts".
func wanted() string {
	var names []string
	for _, s := range subcommands() {
		names = append(names, s.name)
	}
	return strings.Join(names, " or ")
}

// Parse reads a helper command line: args are the words after the program
// name, starting with the subcommand. An error wrapping flag.ErrHelp means
// the subcommand was asked for its usage.
func Parse(args []string) (Command, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("helper: missing subcommand (want %s)", wanted())
	}
	s, ok := lookup(args[0])
	if !ok {
		return nil, fmt.Errorf("helper: unknown subcommand %q (want %s)", args[0], wanted())
	}
	return s.parse(args[1:])
}

// Main runs the helper. args are the words after the program name: a
// subcommand and its flags. It returns an error that names what failed.
func Main(args []string) error {
	return run(args, os.Stderr)
}

func run(args []string, stderr io.Writer) error {
	if len(args) > 0 && slices.Contains([]string{"help", "-h", "-help", "--help"}, args[0]) {
		for _, s := range subcommands() {
			fmt.Fprint(stderr, s.usage)
		}
		return nil
	}
	cmd, err := Parse(args)
	if err != nil {
		if len(args) > 0 {
			if s, ok := lookup(args[0]); ok {
				fmt.Fprint(stderr, s.usage)
				if errors.Is(err, flag.ErrHelp) {
					return nil
				}
			}
		}
		return err
	}
	return cmd.Run(stderr)
}

// newFlagSet is a flag set that prints nothing: errors are returned, and
// run prints the usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// epochVar defines --epoch, parsed as ParseEpoch does, into t.
func epochVar(fs *flag.FlagSet, t *time.Time) {
	fs.Func("epoch", "", func(s string) error {
		v, err := ParseEpoch(s)
		if err != nil {
			return err
		}
		*t = v
		return nil
	})
}

// ParseEpoch reads a time as SOURCE_DATE_EPOCH gives it: whole seconds
// since 1970, not negative.
func ParseEpoch(s string) (time.Time, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, errors.New("not a whole number of seconds since 1970")
	}
	return time.Unix(n, 0).UTC(), nil
}

// formatEpoch writes t as --epoch takes it.
func formatEpoch(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// epochOrEnv is t, or when t is zero (no --epoch) $SOURCE_DATE_EPOCH, or
// the zero time when that is unset too.
func epochOrEnv(t time.Time) (time.Time, error) {
	if !t.IsZero() {
		return t, nil
	}
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Time{}, nil
	}
	t, err := ParseEpoch(v)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", v, err)
	}
	return t, nil
}
