package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/frontend"
	"github.com/moby/buildkit/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type buildOptions struct {
	commonOptions
	context    string
	target     string
	outputs    []string
	noCache    bool
	sbom       string
	provenance string
	inputs     buildInputs
}

func (o *buildOptions) addFlags(fs *pflag.FlagSet) {
	o.commonOptions.addFlags(fs)
	fs.StringVar(&o.context, "context", "", "the build context `DIR` (default: the definition's directory)")
	fs.StringVar(&o.target, "target", "", "the `IMAGE` to build, or package.NAME for a package's .deb (default: the definition's last image)")
	fs.StringVar(&o.sbom, "sbom", "", "attach an SBOM attestation, as buildx's --sbom: `true` for distill's own SPDX document of every package")
	fs.Lookup("sbom").NoOptDefVal = "true"
	fs.StringVar(&o.provenance, "provenance", "", "attach a provenance attestation, as buildx's --provenance: `true`, mode=min or mode=max")
	fs.Lookup("provenance").NoOptDefVal = "true"
	o.inputs.addFlags(fs)
	fs.BoolVar(&o.noCache, "no-cache", false, "do not use the cache: run every step again and fetch every file again, as buildx's --no-cache")
	fs.StringArrayVarP(&o.outputs, "output", "o", nil, "export to `SPEC`, as buildctl's --output: type=oci|docker|tar,dest=FILE, type=local,dest=DIR or type=image,name=REF,push=true (repeatable; default: type=oci,dest=IMAGE.oci.tar)")
}

func (o *buildOptions) resolve(fs *pflag.FlagSet, args []string) error {
	if err := o.commonOptions.resolve(fs, args); err != nil {
		return err
	}
	if o.context == "" {
		o.context = filepath.Dir(o.file)
	}
	return nil
}

func buildCmd() *cobra.Command {
	var o buildOptions
	cmd := &cobra.Command{
		Use:   "build [flags] [DEFINITION|DIR]",
		Short: "Build an image of a definition",
		Long: `Build builds one image of DEFINITION (default distill.hcl; a directory DIR
names its distill.hcl) for each of its platforms, and exports it: by default
to IMAGE.oci.tar in the current directory.
Builds use the definition's lockfile (distill.lock.json next to distill.hcl)
when there is one, and then fetch no archive index.`,
		Example: `  # The definition's last image, for its own platforms, to <image>.oci.tar
  distill build .

  # One image for one platform, with the mirror set
  distill build --target static --platform linux/arm64 \
    --build-arg MIRROR=http://mirror.internal/debian examples/distroless-debian12/distill.hcl

  # Push to a registry with a running buildkitd
  distill build --addr unix:///run/buildkit/buildkitd.sock -o type=image,name=REGISTRY/app:1,push=true`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(cmd.Flags(), args); err != nil {
				return usage(err)
			}
			return runBuild(cmd.Context(), &o, cmd.InOrStdin(), cmd.ErrOrStderr())
		},
	}
	o.addFlags(cmd.Flags())
	return cmd
}

func runBuild(ctx context.Context, o *buildOptions, stdin io.Reader, stderr io.Writer) (err error) {
	start := time.Now()
	def, err := readDefinition(ctx, &o.commonOptions, o.target, stdin, stderr)
	if err != nil {
		return err
	}
	defer def.remove()
	img := def.img
	name := "image" // when the frontend is left to report a bad definition
	if img != nil {
		name = img.Name
	}
	specs := o.outputs
	if len(specs) == 0 {
		specs = []string{"type=oci,dest=" + name + ".oci.tar"}
		if strings.HasPrefix(o.target, "package.") {
			// A package target is a .deb: into the current directory, as
			// apt-get download puts them.
			specs = []string{"type=local,dest=."}
		}
	}
	// Ask for the image's own platforms explicitly: BuildKit warns when a
	// result's platforms differ from the requested ones.
	if len(o.platforms) == 0 && img != nil {
		for _, p := range img.Platforms {
			o.platforms = append(o.platforms, platforms.FormatAll(p))
		}
	}
	outs, err := parseOutputs(specs)
	if err != nil {
		return err
	}
	var res *frontendResult
	defer func() {
		if ferr := finishOutputs(outs, err == nil); ferr != nil && err == nil {
			err = ferr
		}
		if err != nil {
			return
		}
		for _, out := range outs {
			fmt.Fprintln(stderr, out)
		}
		if s := newSummary(name, res, outs, time.Since(start)); s != nil {
			err = s.write(stderr)
		}
	}()
	var exports []client.ExportEntry
	for _, out := range outs {
		exports = append(exports, out.entry)
	}
	attrs, err := attestAttrs(o.sbom, o.provenance)
	if err != nil {
		return err
	}
	setup, err := o.inputs.setup(o.noCache)
	if err != nil {
		return err
	}
	maps.Copy(attrs, setup.attrs)
	// Messages about files the context lacks name its directory.
	attrs[frontend.ContextNameOpt] = absOr(o.context)
	res, err = runFrontend(ctx, &o.commonOptions, frontendRun{
		file:       def.path,
		contextDir: o.context,
		target:     o.target,
		img:        img,
		exports:    exports,
		attrs:      attrs,
		locals:     setup.locals,
		ociStores:  setup.ociStores,
		cacheTo:    setup.cacheTo,
		cacheFrom:  setup.cacheFrom,
	}, stderr)
	return err
}

// attestAttrs are the frontend options buildx sends for --sbom and
// --provenance: attest:TYPE set to the value's parameters, absent for
// false.
func attestAttrs(sbom, provenance string) (map[string]string, error) {
	attrs := map[string]string{}
	for _, a := range []struct{ flag, value string }{{"sbom", sbom}, {"provenance", provenance}} {
		switch b, err := strconv.ParseBool(a.value); {
		case a.value == "":
		case err == nil && !b:
		case err == nil:
			attrs["attest:"+a.flag] = ""
		case strings.Contains(a.value, "="):
			attrs["attest:"+a.flag] = a.value
		default:
			return nil, fmt.Errorf("--%s=%s: want true, false or KEY=VALUE parameters, as buildx takes", a.flag, a.value)
		}
	}
	return attrs, nil
}

// absOr is path made absolute, or path as it is when that fails.
func absOr(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
