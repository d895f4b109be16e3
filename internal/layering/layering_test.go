// Package layering holds a test that keeps docs/architecture.md true: each
// package imports only the packages of ours its row allows, and the
// gateway and LLB stay where they belong.
package layering

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/distill-build/distill/"

// allowed lists, per package, the packages of ours it may import, as
// docs/architecture.md's table does. Packages not listed may import any.
var allowed = map[string][]string{
	"definition":                 nil,
	"debian/control":             nil,
	"debian/version":             nil,
	"debian/arch":                nil,
	"debian/compress":            nil,
	"debian/archive":             {"debian/control", "debian/version", "debian/compress"},
	"debian/resolve":             {"debian/archive", "debian/version", "debian/arch"},
	"debian/deb":                 {"debian/control", "debian/compress"},
	"lockfile":                   {"debian/resolve", "debian/version"},
	"plan":                       {"definition", "debian/arch", "debian/archive", "debian/resolve", "debian/version", "lockfile"},
	"helper":                     {"debian/deb"},
	"distill2llb":                {"definition", "plan", "helper", "debian/arch", "lockfile"},
	"sbom":                       {"definition", "plan", "debian/arch", "debian/control"},
	"frontend/linter":            {"definition", "lockfile"},
	"internal/aptsources":        {"debian/control"},
	"internal/buildkitd":         nil,
	"internal/bkserver":          {"helper"},
	"cmd/distill":                {"internal/cli"},
	"internal/cli":               {"frontend", "frontend/linter", "plan", "definition", "lockfile", "helper", "sbom", "debian/arch", "debian/control", "debian/deb", "debian/compress", "internal/aptsources", "internal/buildkitd", "internal/bkserver"},
	"cmd/distill-frontend":       {"frontend", "helper"},
	"debian/archive/archivetest": {"debian/archive"},
}

// Below the frontend nothing may know the gateway; the model, Debian and the
// lockfile know no LLB either. BuildKit's daemon (its controller, workers
// and solver) is assembled in internal/bkserver alone, which serves the
// gateway rather than talking to it.
var (
	gateway = []string{"github.com/moby/buildkit/frontend/gateway", "github.com/moby/buildkit/frontend/dockerui"}
	llb     = "github.com/moby/buildkit/client/llb"
	noLLB   = []string{"definition", "debian/", "lockfile", "plan", "helper", "frontend/linter", "sbom"}
	daemon  = []string{"github.com/moby/buildkit/control", "github.com/moby/buildkit/worker", "github.com/moby/buildkit/worker/base", "github.com/moby/buildkit/worker/runc", "github.com/moby/buildkit/solver", "github.com/moby/buildkit/solver/llbsolver"}
)

const server = "internal/bkserver"

func TestLayering(t *testing.T) {
	cmd := exec.Command("go", "list", "-json", module+"...")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(p.ImportPath, module)
		for _, imp := range p.Imports {
			if ours, ok := strings.CutPrefix(imp, module); ok {
				if allow, listed := allowed[name]; listed && !slices.Contains(allow, ours) {
					t.Errorf("%s imports %s, which docs/architecture.md does not allow", name, ours)
				}
				continue
			}
			if name != server && slices.Contains(daemon, imp) {
				t.Errorf("%s imports %s: only %s assembles BuildKit's daemon", name, imp, server)
			}
			if name != "frontend" && name != server && !strings.HasPrefix(name, "internal/cli") && !strings.HasPrefix(name, "cmd/") && !strings.HasPrefix(name, "integration") {
				for _, g := range gateway {
					if strings.HasPrefix(imp, g) {
						t.Errorf("%s imports %s: only the frontend talks to the gateway", name, imp)
					}
				}
			}
			if imp == llb && slices.ContainsFunc(noLLB, func(prefix string) bool { return strings.HasPrefix(name, prefix) }) {
				t.Errorf("%s imports BuildKit's llb: it must not know LLB", name)
			}
		}
		seen++
	}
	if seen < 15 {
		t.Errorf("go list named %d packages", seen)
	}
}
