package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Tools are the binaries the bed runs, built from the versions go.mod pins.
type Tools struct {
	Buildkitd, Buildctl, Buildx, Registry string
	// Syft and Trivy are the oracles of the frontend's own SBOM: Anchore's
	// and Aqua's scanners, which list what an image holds without knowing
	// how it was made.
	Syft, Trivy string
}

// toolExperiments are the GOEXPERIMENTs a tool needs to build: such a tool
// is built on its own, so the others are built as their modules intend.
var toolExperiments = map[string]string{
	"github.com/aquasecurity/trivy/cmd/trivy": "jsonv2", // trivy uses encoding/json/v2
}

// goMod is the part of go.mod that decides which tool binaries to build.
type goMod struct {
	tools    []string          // package paths from tool directives
	requires map[string]string // module path → version
	replaces map[string]string // module path → "new [version]"
}

// parseGoMod reads tool, require and replace directives, single-line or in
// blocks; it is enough for a go.mod that `go mod` wrote.
func parseGoMod(data []byte) (goMod, error) {
	m := goMod{requires: map[string]string{}, replaces: map[string]string{}}
	block := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
			continue
		case len(f) == 1 && f[0] == ")":
			block = ""
			continue
		case len(f) == 2 && f[1] == "(":
			block = f[0]
			continue
		}
		verb := block
		if verb == "" {
			verb, f = f[0], f[1:]
		}
		switch verb {
		case "tool":
			if len(f) != 1 {
				return goMod{}, fmt.Errorf("go.mod:%d: malformed tool directive", n)
			}
			m.tools = append(m.tools, f[0])
		case "require":
			if len(f) != 2 {
				return goMod{}, fmt.Errorf("go.mod:%d: malformed require directive", n)
			}
			m.requires[f[0]] = f[1]
		case "replace":
			old, repl, ok := strings.Cut(strings.Join(f, " "), "=>")
			if !ok {
				return goMod{}, fmt.Errorf("go.mod:%d: malformed replace directive", n)
			}
			m.replaces[strings.Fields(old)[0]] = strings.TrimSpace(repl)
		}
	}
	return m, sc.Err()
}

// moduleOf is the required module that provides package pkg (longest match).
func (m goMod) moduleOf(pkg string) (string, bool) {
	best := ""
	for mod := range m.requires {
		if (pkg == mod || strings.HasPrefix(pkg, mod+"/")) && len(mod) > len(best) {
			best = mod
		}
	}
	return best, best != ""
}

// toolKey names a tool build: it changes when a tool module's version or
// replacement, the tool list or the Go toolchain changes, and not when
// unrelated dependencies do.
func (m goMod) toolKey() (string, error) {
	if len(m.tools) == 0 {
		return "", errors.New("go.mod has no tool directives")
	}
	lines := []string{runtime.Version(), runtime.GOOS + "/" + runtime.GOARCH}
	for _, pkg := range m.tools {
		mod, ok := m.moduleOf(pkg)
		if !ok {
			return "", fmt.Errorf("go.mod requires no module for tool %s", pkg)
		}
		lines = append(lines, fmt.Sprintf("%s %s@%s %s", pkg, mod, m.requires[mod], m.replaces[mod]))
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:8]), nil
}

// coldTimeout is a go test -timeout that set-up with a cold Go build cache
// fits in on a busy two-core machine (measured: 28 minutes before trivy
// joined the tools; trivy, the largest, adds several minutes).
const coldTimeout = 75 * time.Minute

var majorSuffix = regexp.MustCompile(`^v[0-9]+$`)

// binaryName is the file name `go build -o dir/` gives a main package.
func binaryName(pkg string) string {
	base := path.Base(pkg)
	if majorSuffix.MatchString(base) {
		base = path.Base(path.Dir(pkg))
	}
	return base
}

// toolsCacheDir is $DISTILL_TOOLS_CACHE or ~/.cache/distill/tools.
func toolsCacheDir() (string, error) {
	if d := os.Getenv("DISTILL_TOOLS_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("tools cache: set DISTILL_TOOLS_CACHE: %w", err)
	}
	return filepath.Join(d, "distill", "tools"), nil
}

// ensureTools returns the tool binaries for go.mod's versions, building them
// first if the cache doesn't have them. A warm cache runs no go command.
func ensureTools(ctx context.Context, repo string, logf func(string, ...any)) (Tools, error) {
	data, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		return Tools{}, err
	}
	mod, err := parseGoMod(data)
	if err != nil {
		return Tools{}, err
	}
	key, err := mod.toolKey()
	if err != nil {
		return Tools{}, err
	}
	cache, err := toolsCacheDir()
	if err != nil {
		return Tools{}, err
	}
	dir := filepath.Join(cache, key)
	bins := map[string]string{}
	for _, pkg := range mod.tools {
		bins[binaryName(pkg)] = filepath.Join(dir, binaryName(pkg))
	}
	tools := Tools{Buildkitd: bins["buildkitd"], Buildctl: bins["buildctl"], Buildx: bins["buildx"], Registry: bins["registry"],
		Syft: bins["syft"], Trivy: bins["trivy"]}
	if slices.Contains([]string{tools.Buildkitd, tools.Buildctl, tools.Buildx, tools.Registry, tools.Syft, tools.Trivy}, "") {
		return Tools{}, fmt.Errorf("go.mod's tool directives %q lack one of buildkitd, buildctl, buildx, registry, syft, trivy", mod.tools)
	}
	if _, err := os.Stat(dir); err == nil {
		logf("tools: cached in %s", dir)
		return tools, nil
	}

	logf("tools: building %d tools into %s (minutes when the Go build cache is cold)", len(mod.tools), dir)
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 0 && d < coldTimeout {
			logf("tools: go test -timeout is %s, which a cold build may exceed (it counts set-up); use -timeout %s or more", d, coldTimeout)
		}
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return Tools{}, err
	}
	// Build into a staging directory and rename, so an interrupted build
	// never looks like a cached one.
	stage, err := os.MkdirTemp(cache, key+".tmp-")
	if err != nil {
		return Tools{}, err
	}
	defer os.RemoveAll(stage)
	builds := map[string][]string{} // GOEXPERIMENT → tools
	for _, pkg := range mod.tools {
		builds[toolExperiments[pkg]] = append(builds[toolExperiments[pkg]], pkg)
	}
	for _, exp := range slices.Sorted(maps.Keys(builds)) {
		cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", stage + "/"}, builds[exp]...)...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GOEXPERIMENT="+exp)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM} // don't outlive a killed test
		if out, err := cmd.CombinedOutput(); err != nil {
			return Tools{}, fmt.Errorf("go build %s (GOEXPERIMENT=%s): %w\n%s", strings.Join(builds[exp], " "), exp, err, out)
		}
	}
	if err := os.Rename(stage, dir); err != nil {
		if _, serr := os.Stat(dir); serr != nil { // not a concurrent run that won
			return Tools{}, fmt.Errorf("install tools: %w", err)
		}
	}
	return tools, nil
}

// repoRoot walks up from the working directory to the directory with go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
