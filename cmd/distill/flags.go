package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

type buildOptions struct {
	file      string
	context   string
	target    string
	platforms []string
	buildArgs []string
	outputs   []string
	addr      string
	progress  string
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func parseBuildFlags(args []string) (*buildOptions, error) {
	o := &buildOptions{}
	fs := flag.NewFlagSet("distill build", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.file, "f", "", "")
	fs.StringVar(&o.file, "file", "", "")
	fs.StringVar(&o.context, "context", "", "")
	fs.StringVar(&o.target, "target", "", "")
	fs.StringVar(&o.addr, "addr", "", "")
	fs.StringVar(&o.progress, "progress", "auto", "")
	fs.Var((*listFlag)(&o.platforms), "platform", "")
	fs.Var((*listFlag)(&o.buildArgs), "build-arg", "")
	fs.Var((*listFlag)(&o.outputs), "o", "")
	fs.Var((*listFlag)(&o.outputs), "output", "")
	// Go's flag package stops at the first positional argument; accept
	// flags after it too, as docker buildx does.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w\n%s", err, usage)
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(positional) > 1:
		return nil, fmt.Errorf("one definition at a time, got %s", strings.Join(positional, " "))
	case len(positional) == 1 && o.file != "":
		return nil, fmt.Errorf("give the definition either as -f or as an argument, not both")
	case len(positional) == 1:
		o.file = positional[0]
	case o.file == "":
		o.file = "distill.hcl"
	}
	if o.context == "" {
		o.context = filepath.Dir(o.file)
	}
	for _, a := range o.buildArgs {
		if !strings.Contains(a, "=") {
			return nil, fmt.Errorf("--build-arg %q: want NAME=VALUE", a)
		}
	}
	return o, nil
}
