package cli

import (
	"fmt"
	"io"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/frontend/linter"
	"github.com/distill-build/distill/plan"
	bklinter "github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/spf13/cobra"
)

// checkArg is the build argument that configures the rules, as dockerui
// reads it for Dockerfiles and buildx --check.
const checkArg = "BUILDKIT_DOCKERFILE_CHECK"

type checkOptions struct {
	commonOptions
	target string
}

func checkCmd() *cobra.Command {
	var o checkOptions
	cmd := &cobra.Command{
		Use:   "check [flags] [DEFINITION]",
		Short: "Run the lint rules over a definition",
		Long: `Check decodes DEFINITION (default distill.hcl) and runs the lint rules that
docker buildx build --check runs, over every image or the --target image. Each
warning is printed with its file and line, the rule's name and the page that
explains it. A '# check=' line after '# syntax=' configures the rules (skip=,
error=true), or --build-arg BUILDKIT_DOCKERFILE_CHECK=..., which wins.

Check exits 1 when the definition has errors, or when a rule fires and the
configuration says error=true; warnings alone exit 0.`,
		Example: `  distill check
  distill check --target static examples/distroless-debian12/distill.hcl
  distill check --build-arg BUILDKIT_DOCKERFILE_CHECK=error=true`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(cmd.Flags(), args); err != nil {
				return usage(err)
			}
			return runCheck(&o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", defaultDefinition, "read the definition from `FILE` (or give it as the argument)")
	fs.StringArrayVar(&o.buildArgs, "build-arg", nil, "set a definition variable, or BUILDKIT_DOCKERFILE_CHECK: `NAME=VALUE` (repeatable)")
	fs.StringVar(&o.target, "target", "", "lint only the `IMAGE` (default: every image)")
	return cmd
}

func runCheck(o *checkOptions, stdout, stderr io.Writer) error {
	l, err := loadDefinition(o.file, o.buildArgMap())
	if err != nil {
		return err
	}
	cfg, err := checkConfig(l, o.buildArgMap())
	if err != nil {
		return err
	}
	images := l.def.Images
	if o.target != "" {
		img, err := plan.Target(l.def, o.target)
		if err != nil {
			return err
		}
		images = []*definition.Image{img}
	}
	// Rules that look at closures read the lockfile beside the definition;
	// without one they are silent.
	lock, _, err := l.lock()
	if err != nil {
		return err
	}
	lt := linter.New(cfg)
	warnings := lt.Check(l.def, images, linter.LockClosures(lock))
	for _, w := range warnings {
		if _, err := fmt.Fprintf(stdout, "%s:%d: %s: %s\n  %s (see %s)\n", w.Range.Filename, w.Range.Start.Line,
			w.Rule.Name, w.Message, w.Rule.Description, w.Rule.URL); err != nil {
			return err
		}
	}
	fmt.Fprintf(stderr, "%s: %d warning(s)\n", l.file, len(warnings))
	return lt.Error(warnings)
}

// checkConfig is the rules' configuration as the frontend takes it: the
// build argument's, else the file's '# check=' line.
func checkConfig(l *loaded, args map[string]string) (*bklinter.Config, error) {
	if v, ok := args[checkArg]; ok {
		cfg, err := bklinter.ParseLintOptions(v)
		if err != nil {
			return nil, usage(fmt.Errorf("--build-arg %s=%s: %w", checkArg, v, err))
		}
		return cfg, nil
	}
	return linter.ConfigFor(nil, l.file, l.src)
}
