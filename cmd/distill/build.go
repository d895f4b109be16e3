package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/frontend"
	"github.com/distill-build/distill/internal/aptsources"
	"github.com/docker/cli/cli/config"
	"github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/sync/errgroup"
)

func build(ctx context.Context, o *buildOptions, stderr io.Writer) (err error) {
	file, img, err := readDefinition(o, stderr)
	if err != nil {
		return err
	}
	if len(o.outputs) == 0 {
		name := "image"
		if img != nil {
			name = img.Name
		}
		o.outputs = []string{"type=oci,dest=" + name + ".oci.tar"}
	}
	// Ask for the image's own platforms explicitly: BuildKit warns when a
	// result's platforms differ from the requested ones.
	if len(o.platforms) == 0 && img != nil {
		for _, p := range img.Platforms {
			o.platforms = append(o.platforms, platforms.FormatAll(p))
		}
	}
	var outputs []*output
	var exports []client.ExportEntry
	for _, s := range o.outputs {
		out, err := parseOutput(s)
		if err != nil {
			return err
		}
		outputs = append(outputs, out)
		exports = append(exports, out.entry)
	}
	defer func() {
		for _, out := range outputs {
			if ferr := out.finish(err == nil); ferr != nil && err == nil {
				err = fmt.Errorf("writing %s: %w", out.dest, ferr)
			}
		}
		if err == nil {
			for _, out := range outputs {
				fmt.Fprintln(stderr, out)
			}
		}
	}()

	if _, err := runFrontend(ctx, o, file, img, exports, nil, stderr); err != nil {
		return err
	}
	return nil
}

// runFrontend runs the frontend in-process against BuildKit (BUILDKIT_HOST,
// --addr, or a local buildkitd started for the call) with the definition's
// directory and the context as locals, and returns the frontend's result
// metadata.
func runFrontend(ctx context.Context, o *buildOptions, file string, img *definition.Image, exports []client.ExportEntry, extra map[string]string, stderr io.Writer) (map[string][]byte, error) {
	ctxFS, err := fsutil.NewFS(o.context)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	defFS, err := fsutil.NewFS(filepath.Dir(file))
	if err != nil {
		return nil, fmt.Errorf("definition directory: %w", err)
	}
	attrs := map[string]string{"filename": filepath.Base(file)}
	if o.target != "" {
		attrs["target"] = o.target
	}
	if len(o.platforms) > 0 {
		attrs["platform"] = strings.Join(o.platforms, ",")
	}
	for k, v := range buildArgs(o) {
		attrs["build-arg:"+k] = v
	}
	maps.Copy(attrs, extra)

	addr := o.addr
	if addr == "" {
		addr = os.Getenv("BUILDKIT_HOST")
	}
	if addr == "" {
		local, stop, err := startLocalBuildkit(ctx, stderr)
		if err != nil {
			return nil, err
		}
		defer stop()
		addr = local
	}
	c, err := client.New(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("connecting to BuildKit at %s: %w", addr, err)
	}
	defer c.Close()

	mounts := map[string]fsutil.FS{"context": ctxFS, "dockerfile": defFS}
	if fs, opt, err := selfAsHelper(); err == nil {
		mounts[helperLocal] = fs
		attrs[frontend.HelperOpt] = opt
		attrs[frontend.HelperPlatformOpt] = "linux/" + runtime.GOARCH
	} else if img != nil && img.NeedsArchive() {
		return nil, err
	}
	solveOpt := client.SolveOpt{
		Exports:       exports,
		LocalMounts:   mounts,
		FrontendAttrs: attrs,
		Session: []session.Attachable{authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
			AuthConfigProvider: authprovider.LoadAuthConfig(config.LoadDefaultConfigFile(stderr)),
		})},
	}
	display, err := progressui.NewDisplay(stderr, progressui.DisplayMode(o.progress))
	if err != nil {
		return nil, fmt.Errorf("--progress: %w", err)
	}
	var meta map[string][]byte
	ch := make(chan *client.SolveStatus)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		_, err := c.Build(ectx, solveOpt, "distill", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
			res, err := frontend.Build(ctx, gc)
			if res != nil {
				meta = res.Metadata
			}
			return res, err
		}, ch)
		return err
	})
	eg.Go(func() error {
		_, err := display.UpdateFrom(context.WithoutCancel(ectx), ch)
		return err
	})
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return meta, nil
}

// readDefinition reads the definition once: its absolute path, and the
// image the build makes (read ahead for the default output name and
// platforms; nil when the definition does not decode: the frontend reports
// that, with the offending lines). It also fills the mirror variables from
// apt's sources.
func readDefinition(o *buildOptions, stderr io.Writer) (string, *definition.Image, error) {
	file, err := filepath.Abs(o.file)
	if err != nil {
		return "", nil, err
	}
	src, err := os.ReadFile(file)
	if err != nil {
		return "", nil, fmt.Errorf("reading the definition: %w", err)
	}
	name := filepath.Base(file)
	defaultMirrors(name, src, o, stderr)
	def, diags := definition.Parse(name, src, definition.Options{Args: buildArgs(o)})
	switch {
	case diags.HasErrors():
		return file, nil, nil
	case o.target != "":
		return file, def.Image(o.target), nil
	}
	return file, def.Images[len(def.Images)-1], nil
}

// buildArgs are the --build-arg values by name.
func buildArgs(o *buildOptions) map[string]string {
	args := map[string]string{}
	for _, a := range o.buildArgs {
		k, v, _ := strings.Cut(a, "=")
		args[k] = v
	}
	return args
}

// mirrorVariables are the variables the CLI fills from this machine's apt
// sources when a definition declares them without a value and no build
// argument sets them: the mirror is configuration, as apt's is.
var mirrorVariables = map[string]string{"MIRROR": "debian", "SECURITY_MIRROR": "debian-security"}

func defaultMirrors(name string, src []byte, o *buildOptions, stderr io.Writer) {
	vars, diags := definition.ParseVariables(name, src, definition.Options{})
	if diags.HasErrors() {
		return
	}
	var mirrors map[string]string
	for _, v := range vars {
		archive, ok := mirrorVariables[v.Name]
		if !ok || hasBuildArg(o, v.Name) || v.Default.Type() != cty.String || v.Default.IsNull() || v.Default.AsString() != "" {
			continue
		}
		if mirrors == nil {
			mirrors = aptsources.Mirrors("/")
		}
		if url := mirrors[archive]; url != "" {
			o.buildArgs = append(o.buildArgs, v.Name+"="+url)
			fmt.Fprintf(stderr, "%s=%s (from apt's sources)\n", v.Name, url)
		}
	}
}

func hasBuildArg(o *buildOptions, name string) bool {
	for _, a := range o.buildArgs {
		if k, _, _ := strings.Cut(a, "="); k == name {
			return true
		}
	}
	return false
}
