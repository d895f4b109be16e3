package integration

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const twoImages = `
variable "NAME" {
  default     = "demo"
  description = "written into /etc/name"
}
variable "UNUSED" { default = "x" }

image "base" {
  description = "the base image"
  user        = "0" # root, said: ImplicitRootUser stays quiet
  file "/etc/name" { content = NAME }
}

image "app" {
  description = "the app image"
  platforms   = ["linux/amd64"]
  user        = "0"
  file "/etc/name" { content = "${NAME}-app" }
}
`

// TestBuildxSubrequests checks --call targets, --call outline and --check,
// which buildx would otherwise send to the Dockerfile frontend.
func TestBuildxSubrequests(t *testing.T) {
	b := needBed(t)
	dir := definition(t, b, twoImages, nil)
	for _, tc := range []struct {
		call string
		want []string
	}{
		{"targets", []string{"base", "the base image", "app (default)", "the app image"}},
		{"outline", []string{"TARGET:      app", "NAME", "demo", "written into /etc/name", "UNUSED",
			"LAYERS linux/amd64: 1 layer (budget 100)", "1       files   files of image app"}},
	} {
		stdout, stderr, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--call", tc.call, ".")
		if err != nil {
			t.Fatalf("--call %s: %v", tc.call, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("--call %s: output lacks %q:\n%s\n%s", tc.call, w, stdout, stderr)
			}
		}
	}
	outlineLayers(t, b)

	stdout, stderr, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--check", ".")
	all := stdout + stderr
	if err == nil {
		t.Errorf("--check with a warning succeeded:\n%s", all)
	}
	for _, w := range []string{"UnusedVariable", `Variable "UNUSED" is declared but never used`, "distill.hcl:7"} {
		if !strings.Contains(all, w) {
			t.Errorf("--check output lacks %q:\n%s", w, all)
		}
	}
}

// overBudget asks for four packages in three layers: the outline must
// show two of them merged.
const overBudget = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "tight" {
  platforms    = ["linux/amd64", "linux/arm64"]
  packages     = ["base-files", "netbase", "tzdata", "media-types"]
  exclude      = ["mawk", "debconf"]
  layer_budget = 3
}
`

// outlineJSON is what `--call outline,format=json` prints: BuildKit's
// outline and distill's layers.
type outlineJSON struct {
	Name   string                  `json:"name"`
	Args   []struct{ Name string } `json:"args"`
	Layers []struct {
		Platform string `json:"platform"`
		Budget   int    `json:"budget"`
		Layers   []struct {
			Kind     string `json:"kind"`
			Packages []struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"packages"`
			CreatedBy string `json:"created_by"`
		} `json:"layers"`
	} `json:"layers"`
}

// callOutline runs `--call outline,format=json` in dir with args before
// the context and decodes what buildx prints.
func callOutline(t *testing.T, b *Bed, dir string, args ...string) outlineJSON {
	t.Helper()
	stdout, stderr, err := b.Buildx(t, dir, append(append([]string{"build", "-f", "distill.hcl", "--call", "outline,format=json"}, args...), ".")...)
	if err != nil {
		t.Fatalf("--call outline,format=json: %v", err)
	}
	var o outlineJSON
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		t.Fatalf("--call outline,format=json printed no outline: %v\n%s\n%s", err, stdout, stderr)
	}
	return o
}

// outlineLayers checks the LAYERS the outline shows before any build: a
// catalogue image from its lockfile on the platform asked for, and an image
// solved through the mirror whose packages exceed its layer budget, in
// text and JSON.
func outlineLayers(t *testing.T, b *Bed) {
	root := mustRepoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "examples", "distroless-debian12", "distill.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	lockData, err := os.ReadFile(filepath.Join(root, "examples", "distroless-debian12", "distill.lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	var lock struct {
		Architectures map[string]struct {
			Packages []struct{ Name, Version string }
		}
	}
	if err := json.Unmarshal(lockData, &lock); err != nil {
		t.Fatal(err)
	}
	baseFiles := ""
	for _, p := range lock.Architectures["arm64"].Packages {
		if p.Name == "base-files" {
			baseFiles = p.Name + " " + p.Version
		}
	}
	_, body, _ := strings.Cut(string(src), "\n") // the syntax line names the bed's frontend instead
	catalogue := definition(t, b, body, map[string]string{"distill.lock.json": string(lockData)})
	stdout, stderr, err := b.Buildx(t, catalogue, append(append([]string{"build", "-f", "distill.hcl", "--call", "outline",
		"--target", "static", "--platform", "linux/arm64"}, mirrorArgs(t)...), ".")...)
	if err != nil {
		t.Fatalf("--call outline of static: %v", err)
	}
	t.Logf("--call outline of static:\n%s", stdout)
	for _, w := range []string{"TARGET:      static", "BUILD ARG", "LAYERS linux/arm64: 6 layers (budget 100)",
		"1       package     " + baseFiles, "ca-bundle   CA bundle from ca-certificates", "6       files       files of image static"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("--call outline of static lacks %q:\n%s\n%s", w, stdout, stderr)
		}
	}
	if strings.Contains(stdout, "LAYERS linux/amd64") {
		t.Errorf("--platform linux/arm64, and the outline shows linux/amd64 too:\n%s", stdout)
	}

	tight := definition(t, b, overBudget, nil)
	stdout, stderr, err = b.Buildx(t, tight, append(append([]string{"build", "-f", "distill.hcl", "--call", "outline"}, mirrorArgs(t)...), ".")...)
	if err != nil {
		t.Fatalf("--call outline of tight: %v", err)
	}
	t.Logf("--call outline of tight:\n%s", stdout)
	for _, a := range []string{"amd64", "arm64"} {
		if w := fmt.Sprintf("LAYERS linux/%s: 3 layers (budget 3), 2 packages merged into 1", a); !strings.Contains(stdout, w) {
			t.Errorf("--call outline of tight lacks %q:\n%s\n%s", w, stdout, stderr)
		}
	}
	o := callOutline(t, b, tight, mirrorArgs(t)...)
	if o.Name != "tight" || len(o.Args) != 1 || len(o.Layers) != 2 {
		t.Fatalf("JSON outline: %+v", o)
	}
	for _, p := range o.Layers {
		var names []string
		merged := 0
		for _, l := range p.Layers {
			for _, pk := range l.Packages {
				names = append(names, pk.Name)
			}
			if l.Kind == "merged" {
				merged++
				if len(l.Packages) != 2 || !strings.HasPrefix(l.CreatedBy, "distill: packages ") {
					t.Errorf("%s: merged layer %+v", p.Platform, l)
				}
			}
		}
		slices.Sort(names)
		if p.Budget != 3 || len(p.Layers) != 3 || merged != 1 || !slices.Equal(names, []string{"base-files", "media-types", "netbase", "tzdata"}) {
			t.Errorf("%s: budget %d, %d layers, %d merged, packages %v", p.Platform, p.Budget, len(p.Layers), merged, names)
		}
	}
}

// TestBuildxCheckConfig checks that BuildKit's check configuration reaches
// the frontend: the file's `# check=` directive and the
// BUILDKIT_DOCKERFILE_CHECK build argument, under --check and in a build.
func TestBuildxCheckConfig(t *testing.T) {
	b := needBed(t)
	skipping := definition(t, b, "# check=skip=UnusedVariable\n"+twoImages, nil)
	stdout, stderr, err := b.Buildx(t, skipping, "build", "-f", "distill.hcl", "--check", ".")
	if err != nil || !strings.Contains(stdout+stderr, "no warnings found") {
		t.Errorf("--check with the rule skipped: %v\n%s%s", err, stdout, stderr)
	}

	dir := definition(t, b, twoImages, nil)
	_, stderr, err = b.Buildx(t, dir, "build", "-f", "distill.hcl", "--target", "app", ".")
	if err != nil || !strings.Contains(stderr, `UnusedVariable: Variable "UNUSED" is declared but never used (line 7)`) {
		t.Errorf("a build does not show the warning: %v\n%s", err, stderr)
	}
	// A mistyped --build-arg is warned of, with the name it was meant for.
	_, stderr, err = b.Buildx(t, dir, "build", "-f", "distill.hcl", "--target", "app", "--build-arg", "NAMEE=x", ".")
	if err != nil || !strings.Contains(stderr, `--build-arg NAMEE: distill.hcl declares no variable "NAMEE", so the argument changes nothing (did you mean NAME?)`) {
		t.Errorf("a build does not warn of an undeclared build argument: %v\n%s", err, stderr)
	}
	_, stderr, err = b.Buildx(t, dir, "build", "-f", "distill.hcl", "--target", "app",
		"--build-arg", "BUILDKIT_DOCKERFILE_CHECK=error=true", ".")
	if err == nil || !strings.Contains(stderr, "lint violation found for rules: UnusedVariable") {
		t.Errorf("a build with error=true: %v\n%s", err, stderr)
	}
}

// TestBuildctlGateway drives the frontend image directly with
// `buildctl build --frontend gateway.v0`.
func TestBuildctlGateway(t *testing.T) {
	b := needBed(t)
	dir := definition(t, b, twoImages, nil)
	out := filepath.Join(t.TempDir(), "img.tar")
	if _, _, err := b.Buildctl(t, "build", "--frontend", "gateway.v0",
		"--opt", "source="+b.FrontendImage, "--opt", "filename=distill.hcl",
		"--opt", "target=base", "--opt", "build-arg:NAME=from-buildctl",
		"--local", "context="+dir, "--local", "dockerfile="+dir,
		"--output", "type=oci,dest="+out); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 1 {
		t.Fatalf("got %d images, want 1", len(l.Images))
	}
	e, ok := l.Images[0].File("/etc/name")
	if !ok || string(e.Data) != "from-buildctl" {
		t.Errorf("/etc/name = %q (present %v), want the build argument's value", e.Data, ok)
	}

	// A broken definition: buildctl prints the offending lines, as the
	// README says every client does.
	bad := definition(t, b, "image \"x\" {\n  user = 65532\n  cmd  = \"/bin/app\"\n}\n", nil)
	_, stderr, err := b.Buildctl(t, "build", "--frontend", "gateway.v0",
		"--opt", "source="+b.FrontendImage, "--opt", "filename=distill.hcl",
		"--local", "context="+bad, "--local", "dockerfile="+bad)
	if err == nil {
		t.Fatal("buildctl built a broken definition")
	}
	for _, w := range []string{"distill.hcl:4,11-19: Unsuitable value type", `>>>   cmd  = "/bin/app"`} {
		if !strings.Contains(stderr, w) {
			t.Errorf("buildctl's output lacks %q:\n%s", w, stderr)
		}
	}
}

// TestCLIMatchesBuildx builds the example with the distill CLI (frontend
// in-process) and expects the very digest buildx's frontend image produced;
// a broken definition fails with the snippet and leaves no output file.
func TestCLIMatchesBuildx(t *testing.T) {
	b := needBed(t)
	cli := filepath.Join(t.TempDir(), "distill")
	build := exec.Command("go", "build", "-o", cli, "./cmd/distill")
	build.Dir = mustRepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/distill: %v\n%s", err, out)
	}
	dir := example(t, b, "base-files")
	viaBuildx := filepath.Join(t.TempDir(), "buildx.tar")
	if _, _, err := b.Buildx(t, dir, "build", "-f", "distill.hcl", "--platform", "linux/amd64,linux/arm64",
		"-o", "type=oci,dest="+viaBuildx, "."); err != nil {
		t.Fatal(err)
	}
	viaCLI := filepath.Join(t.TempDir(), "cli.tar")
	_, stderr, err := run(t, exec.CommandContext(t.Context(), cli, "build", "--addr", b.BuildkitAddr,
		"--progress", "plain", "-o", "type=oci,dest="+viaCLI, filepath.Join(dir, "distill.hcl")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "oci image written to "+viaCLI) {
		t.Errorf("the CLI did not say where the image went:\n%s", stderr)
	}
	want, err := ReadOCILayout(viaBuildx)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadOCILayout(viaCLI)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := manifestDigests(t, got), manifestDigests(t, want); g != w {
		t.Errorf("CLI built %s, buildx built %s", g, w)
	}

	bad := definition(t, b, "image \"x\" {\n  user = 65532\n  cmd  = \"/bin/app\"\n}\n", nil)
	dest := filepath.Join(t.TempDir(), "bad.tar")
	_, stderr, err = run(t, exec.CommandContext(t.Context(), cli, "build", "--addr", b.BuildkitAddr,
		"-o", "type=oci,dest="+dest, filepath.Join(bad, "distill.hcl")))
	if err == nil {
		t.Fatal("a broken definition built")
	}
	for _, w := range []string{"distill.hcl:4,11-19: Unsuitable value type", `>>>   cmd  = "/bin/app"`} {
		if !strings.Contains(stderr, w) {
			t.Errorf("CLI output lacks %q:\n%s", w, stderr)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dest)); len(entries) != 0 {
		t.Errorf("a failed build left files behind: %v", entries)
	}
}

// TestBakeExample builds the repository's docker-bake.hcl target for the
// example, through the frontend target of the same bake.
func TestBakeExample(t *testing.T) {
	b := needBed(t)
	out := filepath.Join(t.TempDir(), "bake.tar")
	// The example's syntax image is the bake's frontend target, built from
	// the bed's binaries.
	if _, _, err := b.Buildx(t, mustRepoRoot(t), "bake", "-f", "docker-bake.hcl", "base-files",
		"--allow", "fs.write="+filepath.Dir(out), "--allow", "fs.read="+b.FrontendBinaries,
		"--set", "frontend.args.BINARIES=prebuilt",
		"--set", "frontend.contexts.prebuilt="+b.FrontendBinaries,
		"--set", "frontend.platforms=linux/amd64",
		"--set", "base-files.output=type=oci,dest="+out); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Images) != 2 {
		t.Fatalf("got %d images, want 2", len(l.Images))
	}
	if _, ok := l.Images[0].File("/etc/passwd"); !ok {
		t.Error("/etc/passwd missing")
	}
}
