package cli

import (
	"context"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/frontend"
	"github.com/docker/cli/cli/config"
	"github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"
)

// frontendResult is what a run of the frontend returns: the frontend's
// result metadata and the exporter's response (containerimage.digest…).
type frontendResult struct {
	meta     map[string][]byte
	exporter map[string]string
}

// frontendRun is one in-process run of the frontend.
type frontendRun struct {
	file       string // the definition, absolute
	contextDir string // the build context
	target     string
	// img is the image built, when known: an image that needs the archive
	// cannot build without this binary as the in-build helper.
	img     *definition.Image
	exports []client.ExportEntry
	attrs   map[string]string // frontend options besides those from flags
	// locals are more directories to transfer, by local name: named
	// contexts (--build-context NAME=DIR).
	locals map[string]string
	// ociStores are OCI layouts shared with the build, by store ID: named
	// contexts (--build-context NAME=oci-layout://DIR).
	ociStores          map[string]content.Store
	cacheTo, cacheFrom []client.CacheOptionsEntry
}

// runFrontend runs the frontend in-process against BuildKit (--addr,
// BUILDKIT_HOST, or a local buildkitd started for the call) with the
// definition's directory and the context as locals, and returns the
// frontend's result metadata and the exporter's response.
func runFrontend(ctx context.Context, o *commonOptions, r frontendRun, stderr io.Writer) (*frontendResult, error) {
	// Before anything starts: a mistyped --progress should not cost a
	// buildkitd start.
	display, err := progressui.NewDisplay(stderr, progressui.DisplayMode(o.progress))
	if err != nil {
		return nil, fmt.Errorf("--progress: %w", err)
	}
	ctxFS, err := fsutil.NewFS(r.contextDir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	defFS, err := fsutil.NewFS(filepath.Dir(r.file))
	if err != nil {
		return nil, fmt.Errorf("definition directory: %w", err)
	}
	attrs := map[string]string{"filename": filepath.Base(r.file)}
	if r.target != "" {
		attrs["target"] = r.target
	}
	if len(o.platforms) > 0 {
		attrs["platform"] = strings.Join(o.platforms, ",")
	}
	for k, v := range o.buildArgMap() {
		attrs["build-arg:"+k] = v
	}
	maps.Copy(attrs, r.attrs)

	mounts := map[string]fsutil.FS{"context": ctxFS, "dockerfile": defFS}
	for name, dir := range r.locals {
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("build context %s: %w", strings.TrimPrefix(name, localContextPrefix), err)
		}
		mounts[name] = fs
	}
	if h, err := selfAsHelper(); err == nil {
		mounts[helperLocal] = h.fs
		maps.Copy(attrs, h.attrs)
	} else if r.img != nil && r.img.NeedsArchive() {
		return nil, err
	}

	c, release, err := buildkitClient(ctx, o.addr, stderr)
	if err != nil {
		return nil, err
	}
	defer release()

	solveOpt := client.SolveOpt{
		Exports:       r.exports,
		CacheExports:  r.cacheTo,
		CacheImports:  r.cacheFrom,
		LocalMounts:   mounts,
		OCIStores:     r.ociStores,
		FrontendAttrs: attrs,
		Session: []session.Attachable{authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
			AuthConfigProvider: authprovider.LoadAuthConfig(config.LoadDefaultConfigFile(stderr)),
		})},
	}
	out := &frontendResult{}
	ch := make(chan *client.SolveStatus)
	eg, ectx := errgroup.WithContext(ctx)
	eg.Go(func() error {
		resp, err := c.Build(ectx, solveOpt, "distill", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
			res, err := frontend.Build(ctx, gc)
			if res != nil {
				out.meta = res.Metadata
			}
			return res, err
		}, ch)
		if resp != nil {
			out.exporter = resp.ExporterResponse
		}
		return err
	})
	var warnings []client.VertexWarning
	eg.Go(func() error {
		var err error
		warnings, err = display.UpdateFrom(context.WithoutCancel(ectx), ch)
		return err
	})
	err = eg.Wait()
	// The display leaves warnings to its caller, as buildx prints them:
	// after the progress, whether or not the build failed.
	printWarnings(stderr, warnings)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// buildkitClient connects to the daemon --addr (flag) or $BUILDKIT_HOST
// names, once it has answered, else to the user's shared local daemon,
// started if none runs; release ends the command's use of it.
func buildkitClient(ctx context.Context, flag string, stderr io.Writer) (c *client.Client, release func(), err error) {
	if addr, from := namedDaemon(flag); addr != "" {
		c, _, err := dialDaemon(ctx, addr)
		if err != nil {
			return nil, nil, fmt.Errorf("BuildKit at %s (from %s) does not answer: is buildkitd running and listening there? %w", addr, from, err)
		}
		return c, func() { _ = c.Close() }, nil
	}
	addr, done, err := useLocalBuildkit(ctx, stderr)
	if err != nil {
		return nil, nil, err
	}
	// Not asked again: useLocalBuildkit has seen it list its workers.
	if c, err = client.New(ctx, addr); err != nil {
		done()
		return nil, nil, fmt.Errorf("connecting to the local buildkitd at %s: %w", addr, err)
	}
	return c, func() { _ = c.Close(); done() }, nil
}

// printWarnings lists the build's warnings (lint rules, the planner's,
// undeclared build arguments) as buildx does.
func printWarnings(stderr io.Writer, warnings []client.VertexWarning) {
	if len(warnings) == 0 {
		return
	}
	noun := "warnings"
	if len(warnings) == 1 {
		noun = "warning"
	}
	fmt.Fprintf(stderr, "%d %s found:\n", len(warnings), noun)
	for _, w := range warnings {
		fmt.Fprintf(stderr, " - %s\n", w.Short)
	}
}
