// Command distill-bench measures distill's speed targets and prints them as
// a table: solving from a full archive index, the frontend's planning time
// with a lockfile, a warm unchanged build through the CLI and through
// docker buildx in the same run, and cold and warm builds of the python3
// image against a fresh local daemon (the CLI's embedded BuildKit, or
// $DISTILL_BUILDKITD), next to mmdebstrap --variant=extract of the same
// packages.
//
// Cold builds and mmdebstrap run -runs times each, interleaved so that all
// three see the same machine, and the table shows their medians.
//
//	go run ./cmd/distill-bench [-runs N]   # from the repository root, as root
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/distill-build/distill/debian/archive"
	"github.com/distill-build/distill/debian/resolve"
	"github.com/distill-build/distill/internal/aptsources"
	"github.com/distill-build/distill/internal/buildkitd"
	"github.com/distill-build/distill/lockfile"
)

const example = "examples/distroless-debian12"

type row struct {
	what, target, measured string
}

func main() {
	runs := flag.Int("runs", 3, "cold builds and mmdebstrap runs to take the median of")
	flag.Parse()
	if *runs < 1 {
		*runs = 1
	}
	ctx := context.Background()
	rows, err := run(ctx, *runs)
	fmt.Println("| measurement | target | measured |")
	fmt.Println("|---|---|---|")
	for _, r := range rows {
		fmt.Printf("| %s | %s | %s |\n", r.what, r.target, r.measured)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "distill-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, runs int) ([]row, error) {
	var rows []row
	mirrors := aptsources.Mirrors("/")
	if mirrors["debian"] == "" {
		return rows, fmt.Errorf("apt's sources name no Debian mirror")
	}

	idx, err := fetchIndex(ctx, mirrors["debian"], "bookworm", "amd64")
	if err != nil {
		return rows, err
	}
	solve := median(5, func() error {
		ix, err := archive.ParsePackages(strings.NewReader(idx))
		if err != nil {
			return err
		}
		_, err = resolve.Resolve(ix, []resolve.Request{{Name: "python3"}}, resolve.Options{Arch: "amd64"})
		return err
	})
	rows = append(rows, row{"parse bookworm main amd64 Packages + resolve python3", "< 0.5 s", solve.String()})
	apt := median(3, func() error {
		return exec.Command("apt-get", "-s", "-o", "Dir::State::status=/dev/null", "install", "--no-install-recommends", "python3").Run()
	})
	rows = append(rows, row{"apt-get -s install python3 (empty status), for reference", "", apt.String()})

	// The frontend's planning is a Go benchmark of distill2llb.
	out, err := exec.Command("go", "test", "./distill2llb", "-run", "XXX", "-bench", "PlanPython3", "-benchtime", "20x").CombinedOutput()
	if err != nil {
		return rows, fmt.Errorf("go test -bench PlanPython3: %w\n%s", err, out)
	}
	rows = append(rows, row{"frontend planning of python3 with the lockfile (definition → LLB, 2 platforms)", "< 100 ms", parseBench(string(out))["PlanPython3"].String()})

	// Warm rebuilds through the CLI and through buildx, in the same run:
	// an integration benchmark, since buildx needs the test bed's registry
	// and frontend image.
	out, err = exec.Command("go", "test", "./integration", "-run", "XXX", "-bench", "WarmRebuild", "-benchtime", "10x").CombinedOutput()
	if err != nil {
		return rows, fmt.Errorf("go test -bench WarmRebuild: %w\n%s", err, out)
	}
	warmRebuild := parseBench(string(out))
	rows = append(rows,
		row{"warm distill build of static, unchanged, daemon running (the CLI's shared daemon)", "< 1 s", warmRebuild["WarmRebuild/cli"].String()},
		row{"warm docker buildx build of the same definition, same run", "", warmRebuild["WarmRebuild/buildx"].String()})

	var cold, coldDir, warm, mm []time.Duration
	var mmErr error
	for range runs {
		c, w, err := builds(ctx, mirrors, "type=oci,dest=%s/python3.tar")
		if err != nil {
			return rows, err
		}
		cold, warm = append(cold, c), append(warm, w)
		// mmdebstrap writes a directory: the like-for-like export is type=local.
		if c, _, err = builds(ctx, mirrors, "type=local,dest=%s/rootfs"); err != nil {
			return rows, err
		}
		coldDir = append(coldDir, c)
		if mmErr == nil {
			var d time.Duration
			d, mmErr = mmdebstrap(ctx, mirrors["debian"])
			mm = append(mm, d)
		}
	}
	rows = append(rows,
		row{"cold build of python3 to an OCI tarball (amd64, downloads included, fresh local daemon)", "faster than mmdebstrap", middle(cold)},
		row{"warm rebuild of python3", "< 1 s", middle(warm)},
		row{"cold build of python3 to a directory (type=local, as mmdebstrap writes)", "faster than mmdebstrap", middle(coldDir)})
	if mmErr != nil {
		rows = append(rows, row{"mmdebstrap --variant=extract of the same packages", "", "not measured: " + mmErr.Error()})
	} else {
		rows = append(rows, row{"mmdebstrap --variant=extract of the same packages", "about 10 s", middle(mm)})
	}
	return rows, nil
}

// parseBench reads each benchmark's ns/op from `go test -bench` output, by
// name without "Benchmark" and the GOMAXPROCS suffix.
func parseBench(out string) map[string]time.Duration {
	res := map[string]time.Duration{}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := strings.TrimPrefix(f[0], "Benchmark")
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i]
		}
		for i := 1; i < len(f); i++ {
			if f[i] == "ns/op" {
				d, _ := time.ParseDuration(f[i-1] + "ns")
				res[name] = d.Round(100 * time.Microsecond)
			}
		}
	}
	return res
}

// middle prints the median of durations, with the range when there are
// several.
func middle(ds []time.Duration) string {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	m := mid(ds).String()
	if len(ds) > 1 {
		m += fmt.Sprintf(" (%d runs: %s–%s)", len(ds), ds[0], ds[len(ds)-1])
	}
	return m
}

// median runs fn n times and returns the median wall time.
func median(n int, fn func() error) time.Duration {
	var ds []time.Duration
	for range n {
		start := time.Now()
		if err := fn(); err != nil {
			fmt.Fprintln(os.Stderr, "distill-bench:", err)
			return 0
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return mid(ds).Round(time.Millisecond)
}

// mid is the middle of sorted durations.
func mid(ds []time.Duration) time.Duration { return ds[len(ds)/2] }

// builds times a cold and a warm build of the python3 image with the CLI
// against a daemon with an empty root, exporting to output (a format
// taking the scratch directory).
func builds(ctx context.Context, mirrors map[string]string, output string) (cold, warm time.Duration, err error) {
	tmp, err := os.MkdirTemp("", "distill-bench-")
	if err != nil {
		return 0, 0, err
	}
	defer os.RemoveAll(tmp)
	cli := filepath.Join(tmp, "distill")
	cmd := exec.Command("go", "build", "-o", cli, "./cmd/distill")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("building the CLI: %w\n%s", err, out)
	}
	// The daemon users get by default, BuildKit in the CLI's binary, unless
	// DISTILL_BUILDKITD names a buildkitd, as for the CLI.
	daemon := buildkitd.Config{Binary: cli, Embedded: true}
	if bin := os.Getenv("DISTILL_BUILDKITD"); bin != "" {
		daemon = buildkitd.Config{Binary: bin}
	}
	daemon.Root, daemon.Socket, daemon.Log = filepath.Join(tmp, "root"), filepath.Join(tmp, "bk.sock"), io.Discard
	d, err := buildkitd.Start(ctx, daemon)
	if err != nil {
		return 0, 0, err
	}
	defer d.Stop()
	build := func() (time.Duration, error) {
		start := time.Now()
		cmd := exec.CommandContext(ctx, cli, "build", "--addr", d.Addr(), "--progress", "quiet", "--target", "python3",
			"--platform", "linux/amd64", "--build-arg", "MIRROR="+mirrors["debian"], "--build-arg", "SECURITY_MIRROR="+mirrors["debian-security"],
			"-o", fmt.Sprintf(output, tmp), filepath.Join(example, "distill.hcl"))
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("distill build: %w\n%s", err, out)
		}
		return time.Since(start).Round(time.Millisecond), nil
	}
	if cold, err = build(); err != nil {
		return 0, 0, err
	}
	warm, err = build()
	return cold, warm, err
}

// mmdebstrap extracts the python3 image's amd64 packages from the lockfile
// with mmdebstrap, the closest existing tool.
func mmdebstrap(ctx context.Context, mirror string) (time.Duration, error) {
	if _, err := exec.LookPath("mmdebstrap"); err != nil {
		return 0, fmt.Errorf("mmdebstrap is not installed (apt-get install mmdebstrap)")
	}
	data, err := os.ReadFile(filepath.Join(example, "distill.lock.json"))
	if err != nil {
		return 0, err
	}
	lock, err := lockfile.Parse(data)
	if err != nil {
		return 0, err
	}
	pkgs, err := lock.Closure("amd64", []string{"python3", "base-files", "netbase", "tzdata", "media-types", "libc6", "libssl3"})
	if err != nil {
		return 0, err
	}
	var names []string
	for _, p := range pkgs {
		if p.Name != "dpkg" {
			names = append(names, p.Name)
		}
	}
	tmp, err := os.MkdirTemp("", "distill-mmdebstrap-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(tmp)
	start := time.Now()
	cmd := exec.CommandContext(ctx, "mmdebstrap", "--variant=extract", "--include="+strings.Join(names, ","),
		"--skip=cleanup/apt", "bookworm", filepath.Join(tmp, "root"), mirror)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%w\n%s", err, out)
	}
	return time.Since(start).Round(time.Millisecond), nil
}
