package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/distill-build/distill/internal/buildkitd"
)

// Bed is the environment every integration test shares.
type Bed struct {
	Registry         string // "127.0.0.1:PORT", plain HTTP
	FrontendImage    string // the distill frontend, pushed to Registry
	FrontendBinaries string // dir/<os>/<arch>/distill-frontend
	BuildkitAddr     string // "unix:///…"
	RepoRoot         string
	Tools            Tools

	dir          string   // everything the bed writes: sockets, state, logs
	dockerConfig string   // DOCKER_CONFIG for buildx
	buildx       []string // ["docker", "buildx"] or [standalone buildx]
	registry     *process
	buildkitd    *buildkitd.Daemon
	buildkitdLog *os.File
	stopOnce     sync.Once
	stopErr      error
	cli          struct { // the CLI binary, built by the first test that needs it
		once sync.Once
		path string
		err  error
	}
}

// bed is owned by TestMain: set up before the tests, torn down after them.
var bed struct {
	b   *Bed
	err error // set-up failure, reported by every test that needs the bed
}

// setUpTimeout bounds set-up; a cold tools build dominates it (see
// coldTimeout).
const setUpTimeout = 50 * time.Minute

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Fprintln(os.Stderr, "integration: -short: not starting buildkitd, registry or buildx; tests that need them skip")
		os.Exit(m.Run())
	}
	start := time.Now()
	// Interrupted set-up cancels ctx, and setUp tears down what it started.
	sigCtx, stopSignals := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(sigCtx, setUpTimeout)
	bed.b, bed.err = setUp(ctx, logf)
	cancel()
	interrupted := sigCtx.Err() != nil
	stopSignals()
	if interrupted {
		fmt.Fprintln(os.Stderr, "integration: interrupted during test bed set-up")
		if bed.b != nil {
			if err := bed.b.tearDown(); err != nil {
				fmt.Fprintf(os.Stderr, "integration: tear-down: %v\n", err)
			}
		}
		os.Exit(1)
	}
	if bed.err != nil {
		fmt.Fprintf(os.Stderr, "integration: test bed set-up failed after %s: %v\n", time.Since(start).Round(time.Millisecond), bed.err)
	} else {
		logf("ready in %s: registry %s, buildkitd %s, frontend %s", time.Since(start).Round(time.Millisecond), bed.b.Registry, bed.b.BuildkitAddr, bed.b.FrontendImage)
	}
	if bed.b != nil {
		// Ctrl-C or a kill: still stop the daemons and remove the temp dir.
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
		go func() {
			s := <-sig
			fmt.Fprintf(os.Stderr, "integration: %v: tearing the test bed down\n", s)
			if err := bed.b.tearDown(); err != nil {
				fmt.Fprintf(os.Stderr, "integration: tear-down: %v\n", err)
			}
			os.Exit(1)
		}()
	}
	code := m.Run()
	if bed.b != nil {
		if err := bed.b.tearDown(); err != nil {
			fmt.Fprintf(os.Stderr, "integration: tear-down: %v\n", err)
			code = max(code, 1)
		}
	}
	os.Exit(code)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bed: "+format+"\n", args...)
}

// needBed returns the shared bed: it skips under -short and fails the test
// if set-up failed.
func needBed(t testing.TB) *Bed {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs buildkitd, a registry and buildx (skipped under -short)")
	}
	if bed.err != nil {
		t.Fatalf("test bed set-up failed: %v", bed.err)
	}
	return bed.b
}
