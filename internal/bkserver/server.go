// Package bkserver is BuildKit's daemon in-process: the control API that
// buildkitd serves, assembled from BuildKit's own packages at the version
// go.mod pins, with the one worker distill needs (runc, overlayfs). The CLI
// runs it as `distill buildkitd`, so a user needs runc and nothing else.
//
// It keeps buildkitd's defaults where they decide what a build produces
// (umask 0, the snapshotter, the platforms, the solver's cache), so that an
// image's digest does not depend on which daemon built it.
package bkserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/containerd/containerd/v2/defaults"
	"github.com/moby/buildkit/util/bklog"
	"github.com/moby/buildkit/util/grpcerrors"
	_ "github.com/moby/buildkit/util/grpcutil/encoding/proto" // the codec buildkitd's clients expect
	fscopy "github.com/tonistiigi/fsutil/copy"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthv1 "google.golang.org/grpc/health/grpc_health_v1"
)

// Config says where the daemon keeps its state and where it listens.
type Config struct {
	Root  string   // state directory, as buildkitd's --root; created if missing
	Addrs []string // unix:///path or tcp://host:port, as buildkitd's --addr
}

// stopGrace is how long running builds get to finish once ctx ends. It is
// shorter than the grace internal/buildkitd gives the process, so that the
// databases are closed before anyone kills it.
const stopGrace = 5 * time.Second

// Serve runs the daemon until ctx ends, then stops it: running builds are
// cancelled after stopGrace, and the state under Root is closed cleanly.
// It changes the process's umask, so it is meant to own its process.
func Serve(ctx context.Context, cfg Config) error {
	if cfg.Root == "" || len(cfg.Addrs) == 0 {
		return errors.New("the embedded buildkitd needs a root directory and an address")
	}
	if os.Geteuid() != 0 {
		return errors.New("the embedded buildkitd runs as root (rootless BuildKit is not supported: point BUILDKIT_HOST at a rootless buildkitd)")
	}
	// As buildkitd: file operations create modes exactly as the build
	// says, which an image's digest depends on.
	syscall.Umask(0)
	fscopy.UmaskIsZero = true

	root, err := filepath.Abs(cfg.Root)
	if err != nil {
		return fmt.Errorf("the embedded buildkitd's root: %w", err)
	}
	if err := os.MkdirAll(root, 0o700); err != nil {
		return fmt.Errorf("the embedded buildkitd's root: %w", err)
	}
	lock, err := lockRoot(root)
	if err != nil {
		return err
	}
	defer lock.Close() // drops the lock

	// Listen first: a client that finds the socket then waits for the
	// controller instead of failing to connect.
	var ls []net.Listener
	for _, a := range cfg.Addrs {
		l, err := listen(a)
		if err != nil {
			for _, l := range ls {
				_ = l.Close() // the error that matters is err
			}
			return err
		}
		ls = append(ls, l)
	}

	v := buildkitVersion()
	stampVersion(v)
	stop := make(chan struct{})
	c, err := newController(ctx, root, v, stop)
	if err != nil {
		for _, l := range ls {
			_ = l.Close() // the error that matters is err
		}
		return err
	}
	server := grpc.NewServer(
		grpc.ChainUnaryInterceptor(logErrors, grpcerrors.UnaryServerInterceptor),
		grpc.StreamInterceptor(grpcerrors.StreamServerInterceptor),
		grpc.MaxRecvMsgSize(defaults.DefaultMaxRecvMsgSize),
		grpc.MaxSendMsgSize(defaults.DefaultMaxSendMsgSize),
	)
	healthv1.RegisterHealthServer(server, health.NewServer())
	c.Register(server)

	var g errgroup.Group
	for _, l := range ls {
		g.Go(func() error { return server.Serve(l) })
	}
	bklog.L.Infof("BuildKit %s serving %s on %s", v.Version, root, strings.Join(cfg.Addrs, ", "))
	served := make(chan error, 1)
	go func() { served <- g.Wait() }()
	select {
	case err = <-served:
		err = fmt.Errorf("serving BuildKit: %w", err)
	case <-ctx.Done():
	}

	close(stop)
	stopServer(server)
	if cerr := c.Close(); cerr != nil {
		err = errors.Join(err, fmt.Errorf("closing BuildKit's state under %s: %w", root, cerr))
	}
	return err
}

// stopServer lets running calls end for stopGrace, then cuts them.
func stopServer(s *grpc.Server) {
	done := make(chan struct{})
	go func() {
		s.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopGrace):
		s.Stop()
		<-done
	}
}

// lockRoot takes root's lock, as buildkitd does (the same file), so two
// daemons never share one root.
func lockRoot(root string) (*os.File, error) {
	path := filepath.Join(root, "buildkitd.lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("the embedded buildkitd's lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("locking %s (does another buildkitd use this root?): %w", path, err)
	}
	return f, nil
}

// logErrors writes failed calls to the daemon's log, as buildkitd does:
// the client sees the error, the log says when and which call.
func logErrors(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		bklog.G(ctx).Errorf("%s returned error: %v", info.FullMethod, err)
	}
	return resp, err
}
