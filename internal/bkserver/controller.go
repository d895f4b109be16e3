package bkserver

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/moby/buildkit/cache/remotecache"
	inlineremotecache "github.com/moby/buildkit/cache/remotecache/inline"
	localremotecache "github.com/moby/buildkit/cache/remotecache/local"
	registryremotecache "github.com/moby/buildkit/cache/remotecache/registry"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/control"
	"github.com/moby/buildkit/frontend"
	"github.com/moby/buildkit/frontend/gateway"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/solver"
	"github.com/moby/buildkit/solver/bboltcachestorage"
	"github.com/moby/buildkit/util/db/boltutil"
	"github.com/moby/buildkit/util/resolver"
	"github.com/moby/buildkit/worker"
	bolt "go.etcd.io/bbolt"
)

// newController assembles BuildKit's control API over one runc worker, as
// buildkitd does with its default configuration: the gateway frontend,
// whose clients bring their own frontend (distill's CLI runs it
// in-process; buildx names an image); the solver's cache keys and the build
// history in root; remote caches of the local, registry and inline kinds.
// stop is closed when the server begins to stop.
func newController(ctx context.Context, root string, v client.BuildkitVersion, stop <-chan struct{}) (_ *control.Controller, err error) {
	sm, err := session.NewManager()
	if err != nil {
		return nil, fmt.Errorf("the session manager: %w", err)
	}
	// No buildkitd.toml: registries are configured as by an empty one
	// (a loopback registry is reached over HTTP when HTTPS fails).
	hosts := resolver.NewRegistryConfig(nil)
	w, err := newWorker(ctx, root, hosts, v)
	if err != nil {
		return nil, err
	}
	wc := &worker.Controller{}
	if err := wc.Add(w); err != nil {
		return nil, errors.Join(fmt.Errorf("adding the runc worker: %w", err), w.Close())
	}
	var closers []func() error
	defer func() {
		if err != nil {
			for _, c := range closers {
				err = errors.Join(err, c())
			}
		}
	}()
	closers = append(closers, wc.Close)

	gw, err := gateway.NewGatewayFrontend(wc.Infos(), nil)
	if err != nil {
		return nil, fmt.Errorf("the gateway frontend: %w", err)
	}
	cacheKeys, err := bboltcachestorage.NewStore(filepath.Join(root, "cache.db"))
	if err != nil {
		return nil, fmt.Errorf("the cache key store: %w", err)
	}
	closers = append(closers, cacheKeys.Close)
	history, err := boltutil.SafeOpen(filepath.Join(root, "history.db"), 0o600, &bolt.Options{
		FreelistType:   bolt.FreelistMapType,
		NoFreelistSync: true, // as buildkitd: the history is rebuilt if it is lost
	})
	if err != nil {
		return nil, fmt.Errorf("the build history: %w", err)
	}
	closers = append(closers, history.Close)

	c, err := control.NewController(control.Opt{
		SessionManager:   sm,
		WorkerController: wc,
		Frontends:        map[string]frontend.Frontend{"gateway.v0": gw},
		ResolveCacheExporterFuncs: map[string]remotecache.ResolveCacheExporterFunc{
			"local":    localremotecache.ResolveCacheExporterFunc(sm),
			"registry": registryremotecache.ResolveCacheExporterFunc(sm, hosts),
			"inline":   inlineremotecache.ResolveCacheExporterFunc(),
		},
		ResolveCacheImporterFuncs: map[string]remotecache.ResolveCacheImporterFunc{
			"local":    localremotecache.ResolveCacheImporterFunc(sm),
			"registry": registryremotecache.ResolveCacheImporterFunc(sm, w.ContentStore(), hosts),
		},
		CacheManager:   solver.NewCacheManager(ctx, "local", cacheKeys, worker.NewCacheResultStorage(wc)),
		HistoryDB:      history,
		CacheStore:     cacheKeys,
		LeaseManager:   w.LeaseManager(),
		ContentStore:   w.ContentStore(),
		GarbageCollect: w.GarbageCollect,
		GracefulStop:   stop,
	})
	if err != nil {
		return nil, fmt.Errorf("BuildKit's controller: %w", err)
	}
	return c, nil
}
