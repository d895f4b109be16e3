package bkserver

import (
	"context"
	"fmt"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	ctdsnapshot "github.com/containerd/containerd/v2/core/snapshots"
	"github.com/containerd/containerd/v2/plugins/snapshots/native"
	"github.com/containerd/containerd/v2/plugins/snapshots/overlay"
	"github.com/containerd/containerd/v2/plugins/snapshots/overlay/overlayutils"
	"github.com/containerd/platforms"
	"github.com/distill-build/distill/helper"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/cmd/buildkitd/config"
	"github.com/moby/buildkit/executor/oci"
	"github.com/moby/buildkit/util/archutil"
	"github.com/moby/buildkit/util/bklog"
	"github.com/moby/buildkit/util/disk"
	"github.com/moby/buildkit/util/network/cniprovider"
	"github.com/moby/buildkit/util/network/netproviders"
	"github.com/moby/buildkit/worker/base"
	"github.com/moby/buildkit/worker/runc"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// newWorker is the OCI worker buildkitd runs by default: runc executes the
// build's processes, containerd's content store and metadata live under
// root, and snapshots in root/runc-<snapshotter>/snapshots, the layout
// buildkitd's own --root has (docs/buildkitd.md: the clean-up after a crash
// relies on it).
func newWorker(ctx context.Context, root string, hosts docker.RegistryHosts, v client.BuildkitVersion) (*base.Worker, error) {
	net := netproviders.Opt{
		// Builds run with network none unless a step asks for the host's,
		// as under a buildkitd without CNI configuration.
		Mode: "host",
		CNI:  cniprovider.Opt{Root: root},
	}
	opt, err := runc.NewWorkerOpt(root, snapshotter(root), false, oci.ProcessSandbox, nil, nil, net,
		nil, "", "", false, nil, "", "", nil)
	if err != nil {
		return nil, fmt.Errorf("the runc worker under %s: %w", root, err)
	}
	opt.GCPolicy = gcPolicy(root)
	opt.BuildkitVersion = v
	opt.RegistryHosts = hosts
	// The platforms this machine runs, emulated ones (binfmt) included: a
	// foreign package build needs them, as on buildkitd.
	var ps []ocispecs.Platform
	for _, p := range archutil.SupportedPlatforms(false) {
		ps = append(ps, platforms.Normalize(p))
	}
	opt.Platforms = ps
	// This binary is distill's: builds may take it as the in-build helper
	// from here rather than from the client (helper.SourceScheme). Without
	// a build ID (linked with an empty one) the client uploads it instead.
	buildID, idErr := helper.BuildID(selfExe)
	if idErr == nil {
		opt.Labels[helper.WorkerLabel] = buildID
	} else {
		bklog.L.Warnf("builds will upload the distill helper: %v", idErr)
	}
	w, err := base.NewWorker(ctx, opt)
	if err != nil {
		return nil, fmt.Errorf("the runc worker under %s: %w", root, err)
	}
	if idErr == nil {
		w.SourceManager.Register(&helperSource{cm: w.CacheMgr, buildID: buildID})
	}
	return w, nil
}

// snapshotter is overlayfs where root's file system can hold overlay
// mounts, else native (copies, slower): buildkitd's "auto", less
// fuse-overlayfs, which needs a helper binary.
func snapshotter(root string) runc.SnapshotterFactory {
	if err := overlayutils.Supported(root); err != nil {
		bklog.L.Warnf("overlayfs is not available under %s, using the native snapshotter: %v", root, err)
		return runc.SnapshotterFactory{Name: "native", New: native.NewSnapshotter}
	}
	return runc.SnapshotterFactory{Name: "overlayfs", New: func(dir string) (ctdsnapshot.Snapshotter, error) {
		return overlay.NewSnapshotter(dir, overlay.AsynchronousRemove)
	}}
}

// gcPolicy is buildkitd's default garbage collection: the build cache kept
// under a share of root's disk, sources and cache mounts dropped first.
func gcPolicy(root string) []client.PruneInfo {
	dstat, err := disk.GetDiskStat(root)
	if err != nil {
		// Without the disk's size, the caps given as shares of it are
		// none: the caps in bytes and the age limits still apply.
		bklog.L.Warnf("the size of the disk under %s: %v", root, err)
	}
	var out []client.PruneInfo
	for _, p := range config.DefaultGCPolicy(config.GCConfig{}, dstat) {
		out = append(out, client.PruneInfo{
			Filter:        p.Filters,
			All:           p.All,
			KeepDuration:  p.KeepDuration.Duration,
			ReservedSpace: p.ReservedSpace.AsBytes(dstat),
			MaxUsedSpace:  p.MaxUsedSpace.AsBytes(dstat),
			MinFreeSpace:  p.MinFreeSpace.AsBytes(dstat),
		})
	}
	return out
}
