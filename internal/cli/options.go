package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/definition"

	"github.com/spf13/pflag"
)

// defaultDefinition is the definition a command reads when given none.
const defaultDefinition = "distill.hcl"

// commonOptions are what build and lock both read: which definition, with
// which variables, for which platforms, on which BuildKit.
type commonOptions struct {
	file      string
	platforms []string
	buildArgs []string
	addr      string
	progress  string
}

// addFlags declares the common options' flags. Lists are string arrays, not
// slices: a build argument's value may hold a comma.
func (o *commonOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.file, "file", "f", defaultDefinition, "read the definition from `FILE`, or - for standard input (or give it as the argument)")
	fs.StringArrayVar(&o.platforms, "platform", nil, "target `PLATFORMS`, comma separated or repeated (default: each image's own)")
	fs.StringArrayVar(&o.buildArgs, "build-arg", nil, "set a definition variable: `NAME=VALUE` (repeatable)")
	fs.StringVar(&o.addr, "addr", "", "the BuildKit daemon's `ADDRESS` (default: $BUILDKIT_HOST, else the local buildkitd, started on first use and shared)")
	fs.StringVar(&o.progress, "progress", "auto", "progress output `MODE`: auto, plain, tty, quiet or rawjson")
}

// resolve takes the definition from the one positional argument when -f is
// not given, and checks what flag parsing cannot.
func (o *commonOptions) resolve(fs *pflag.FlagSet, args []string) error {
	switch {
	case len(args) > 1:
		return fmt.Errorf("one definition at a time, got %s", strings.Join(args, " "))
	case len(args) == 1 && fs.Changed("file"):
		return fmt.Errorf("give the definition either as -f or as an argument, not both")
	case len(args) == 1:
		o.file = args[0]
	}
	file, err := inDirectory(o.file)
	if err != nil {
		return err
	}
	o.file = file
	for _, a := range o.buildArgs {
		if !strings.Contains(a, "=") {
			return fmt.Errorf("--build-arg %q: want NAME=VALUE", a)
		}
	}
	plats, err := checkPlatforms(o.platforms)
	if err != nil {
		return err
	}
	o.platforms = plats
	return nil
}

// inDirectory is the definition a path names: the path itself, or a
// directory's distill.hcl, as docker buildx build finds a directory's
// Dockerfile.
func inDirectory(path string) (string, error) {
	fi, err := os.Stat(path)
	if path == stdinName || err != nil || !fi.IsDir() {
		// A missing file is reported when it is read, with its context.
		return path, nil
	}
	file := filepath.Join(path, defaultDefinition)
	if _, err := os.Stat(file); err != nil {
		return "", fmt.Errorf("%s is a directory without a %s: give the definition's file, e.g. %s: %w", path, defaultDefinition, filepath.Join(path, "NAME.hcl"), err)
	}
	return file, nil
}

// checkPlatforms splits the --platform values at commas, checks each as the
// frontend would (before a buildkitd starts), and drops repeats.
func checkPlatforms(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for s := range strings.SplitSeq(v, ",") {
			p, err := definition.ParsePlatform(strings.TrimSpace(s))
			if err != nil {
				return nil, fmt.Errorf("--platform: %w", err)
			}
			if f := platforms.FormatAll(p); !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// buildArgMap is the --build-arg values by name; a later one wins.
func (o *commonOptions) buildArgMap() map[string]string {
	args := map[string]string{}
	for _, a := range o.buildArgs {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	return args
}
