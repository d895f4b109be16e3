package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/helper"
	"github.com/distill-build/distill/plan"
	"github.com/distill-build/distill/sbom"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

type sbomOptions struct {
	commonOptions
	target string
}

func sbomCmd() *cobra.Command {
	var o sbomOptions
	cmd := &cobra.Command{
		Use:   "sbom [flags] [DEFINITION]",
		Short: "Print the SPDX SBOM of an image, from the definition and its lockfile",
		Long: `Sbom prints the SPDX 2.3 JSON document that a build with --sbom=true attaches
to the --target image (default: the definition's last image) for one platform:
every Debian package with the .deb it comes from, and every package built from
source with its sources and build sandbox. It is computed from DEFINITION
(default distill.hcl) and its lockfile without building and without the
network, so the definition needs a lockfile: run distill lock first.

Two things need the built image and are left out here: licenses, read from the
image's copyright files, are NOASSERTION, and the files distill generates from
ca-certificates are not listed. Builds from source plan for this machine's
platform as the build platform, as a local BuildKit would.`,
		Example: `  distill sbom --target static examples/distroless-debian12/distill.hcl
  distill sbom --target python3 --platform linux/arm64 examples/distroless-debian12/distill.hcl > python3.spdx.json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(cmd.Flags(), args); err != nil {
				return usage(err)
			}
			if len(o.platforms) > 1 || strings.Contains(strings.Join(o.platforms, ""), ",") {
				return usage(fmt.Errorf("--platform %s: one platform at a time: the document describes one image", strings.Join(o.platforms, ",")))
			}
			return runSBOM(cmd.Context(), &o, cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", defaultDefinition, "read the definition from `FILE` (or give it as the argument)")
	fs.StringArrayVar(&o.buildArgs, "build-arg", nil, "set a definition variable, or SOURCE_DATE_EPOCH (the document's date): `NAME=VALUE` (repeatable)")
	fs.StringVar(&o.target, "target", "", "the `IMAGE` (default: the definition's last image)")
	fs.StringArrayVar(&o.platforms, "platform", nil, "the image's `PLATFORM` (default: its only one, else this machine's)")
	return cmd
}

func runSBOM(ctx context.Context, o *sbomOptions, stdout io.Writer) error {
	// As the frontend dates builds: SOURCE_DATE_EPOCH, else 1970.
	epoch := time.Unix(0, 0).UTC()
	if v := o.buildArgMap()["SOURCE_DATE_EPOCH"]; v != "" {
		var err error
		if epoch, err = helper.ParseEpoch(v); err != nil {
			return usage(fmt.Errorf("--build-arg SOURCE_DATE_EPOCH=%s: %w", v, err))
		}
	}
	l, err := loadDefinition(o.file, o.buildArgMap())
	if err != nil {
		return err
	}
	img, err := plan.Target(l.def, o.target)
	if err != nil {
		return err
	}
	host := platforms.Normalize(platforms.DefaultSpec())
	p, err := onePlatform(img.Name, img.Platforms, o.platforms, host)
	if err != nil {
		return err
	}
	plats, err := plan.Platforms(img, []ocispecs.Platform{p}, host)
	if err != nil {
		return l.located(err)
	}
	lock, lockPath, err := l.lock()
	if err != nil {
		return err
	}
	if lock == nil && img.NeedsArchive() {
		return fmt.Errorf("no lockfile next to %s (%s): run distill lock %s first; distill sbom lists the locked packages and fetches nothing", l.file, lockPath, l.file)
	}
	pkgs, err := plan.Packages(ctx, l.def, img, plats, lock, plan.Options{BuildPlatform: host})
	if err != nil {
		return l.located(fmt.Errorf("planning %s from %s: %w", img.Name, lockPath, err))
	}
	doc, err := sbom.Document(sbom.Input{Image: img.Name, Platform: p, Created: epoch, Tool: "distill-" + frontend.Version,
		Repositories: l.def.Repositories, Debs: pkgs[arch.ForPlatform(p)]})
	if err != nil {
		return fmt.Errorf("the SBOM of %s for %s: %w", img.Name, platforms.FormatAll(p), err)
	}
	_, err = stdout.Write(append(doc, '\n'))
	return err
}

// onePlatform is the platform a document describes: the one asked for,
// else the image's only one, else this machine's when the image is built
// for it.
func onePlatform(image string, declared []ocispecs.Platform, requested []string, host ocispecs.Platform) (ocispecs.Platform, error) {
	switch {
	case len(requested) == 1:
		p, err := platforms.Parse(requested[0])
		if err != nil {
			return p, usage(fmt.Errorf("--platform %s: %w", requested[0], err))
		}
		return platforms.Normalize(p), nil
	case len(declared) == 0:
		return host, nil
	case len(declared) == 1:
		return declared[0], nil
	}
	var names []string
	for _, d := range declared {
		if platforms.NewMatcher(host).Match(d) {
			return d, nil
		}
		names = append(names, platforms.FormatAll(d))
	}
	return ocispecs.Platform{}, usage(fmt.Errorf("image %q is built for %s: choose one with --platform", image, strings.Join(names, ", ")))
}
