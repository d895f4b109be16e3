package cli

import (
	"bytes"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	"github.com/spf13/pflag"
)

// runCLI runs the command line as main does, returning what it wrote.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = Run(t.Context(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestBuildFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want buildOptions
	}{
		{"defaults", nil, buildOptions{
			commonOptions: commonOptions{file: "distill.hcl", progress: "auto"}, context: "."}},
		{"flags after the definition", []string{"--target", "x", "defs/distill.hcl", "--build-arg", "A=1", "-o", "type=oci,dest=x.tar", "--platform", "linux/amd64"}, buildOptions{
			commonOptions: commonOptions{file: "defs/distill.hcl", platforms: []string{"linux/amd64"}, buildArgs: []string{"A=1"}, progress: "auto"},
			context:       "defs", target: "x", outputs: []string{"type=oci,dest=x.tar"}}},
		{"long forms", []string{"--file=a/b.hcl", "--context", "ctx", "--output", "type=local,dest=out", "--addr", "tcp://h:1234", "--progress", "plain"}, buildOptions{
			commonOptions: commonOptions{file: "a/b.hcl", addr: "tcp://h:1234", progress: "plain"},
			context:       "ctx", outputs: []string{"type=local,dest=out"}}},
		{"no cache", []string{"--no-cache"}, buildOptions{
			commonOptions: commonOptions{file: "distill.hcl", progress: "auto"}, context: ".", noCache: true}},
		// Lists are repeated, never split at commas: a value may hold one.
		// Repeats go: each would be another identical manifest.
		{"platforms deduplicated", []string{"--platform", "linux/amd64,linux/amd64", "--platform", "linux/x86_64,linux/arm64/v8"}, buildOptions{
			commonOptions: commonOptions{file: "distill.hcl", platforms: []string{"linux/amd64", "linux/arm64"}, progress: "auto"}, context: "."}},
		{"repeated lists keep commas", []string{"-f", "d.hcl", "--platform", "linux/amd64,linux/arm64", "--platform", "linux/riscv64", "--build-arg", "L=a,b", "--build-arg", "E=", "-o", "type=oci,dest=a.tar", "-o", "type=image,name=r/x:1,push=true"}, buildOptions{
			commonOptions: commonOptions{file: "d.hcl", platforms: []string{"linux/amd64", "linux/arm64", "linux/riscv64"}, buildArgs: []string{"L=a,b", "E="}, progress: "auto"},
			context:       ".", outputs: []string{"type=oci,dest=a.tar", "type=image,name=r/x:1,push=true"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o buildOptions
			fs := pflag.NewFlagSet("build", pflag.ContinueOnError)
			o.addFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			if err := o.resolve(fs, fs.Args()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(o, tc.want) {
				t.Errorf("parsed %+v\nwant   %+v", o, tc.want)
			}
		})
	}
}

func TestBuildArgMap(t *testing.T) {
	o := commonOptions{buildArgs: []string{"A=1", "B=x=y", "A=2", "E="}}
	if got, want := o.buildArgMap(), map[string]string{"A": "2", "B": "x=y", "E": ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestUsageErrors runs command lines that must fail before reading a
// definition or reaching BuildKit.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no command given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate" for "distill"`},
		{[]string{"build", "--nope"}, "unknown flag: --nope\nSee 'distill build --help'."},
		{[]string{"build", "--platform"}, "flag needs an argument: --platform"},
		{[]string{"build", "a.hcl", "b.hcl"}, "one definition at a time, got a.hcl b.hcl"},
		{[]string{"build", "-f", "a.hcl", "b.hcl"}, "either as -f or as an argument, not both"},
		{[]string{"build", "--build-arg", "NOEQUALS"}, `--build-arg "NOEQUALS": want NAME=VALUE`},
		{[]string{"lock", "a.hcl", "b.hcl"}, "one definition at a time"},
		{[]string{"lock", "--build-arg", "NOEQUALS"}, "want NAME=VALUE"},
		// lock solves every image, reads no context and exports nothing.
		{[]string{"lock", "-o", "type=oci,dest=x.tar"}, "unknown shorthand flag: 'o'"},
		{[]string{"lock", "--output", "type=oci,dest=x.tar"}, "unknown flag: --output"},
		{[]string{"lock", "--target", "x"}, "unknown flag: --target\nSee 'distill lock --help'."},
		{[]string{"lock", "--context", "."}, "unknown flag: --context"},
		{[]string{"lock", "--check", "--update", "libc6"}, "--check writes nothing and --update writes the lockfile: give one of them"},
		{[]string{"lock", "--update", "libc6=2.36"}, `--update "libc6=2.36": want package names`},
		{[]string{"lock", "--update", "libc6", "-f", "-"}, "-f -: lock writes the lockfile next to the definition"},
		{[]string{"version", "extra"}, `unknown command "extra" for "distill version"`},
		// Platforms are checked before a buildkitd starts, whether or not
		// the image lists its own.
		{[]string{"build", "--platform", "windows/amd64"}, "--platform: windows/amd64: distill builds Linux images from Debian packages, not windows ones"},
		{[]string{"build", "--platform", "linux/amd64,linux/nonsense"}, `--platform: linux/nonsense: Debian has no architecture "nonsense"; the Linux ones are 386, amd64,`},
		{[]string{"build", "--platform", "!!!"}, `--platform: "!!!" is not a platform: write OS/ARCHITECTURE[/VARIANT], like linux/amd64`},
		{[]string{"lock", "--platform", "linux/amd64,"}, `--platform: "" is not a platform`},
	} {
		_, _, err := runCLI(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || ExitCode(err) != ExitUsage {
			t.Errorf("%q: error %v (exit %d), want %q (exit %d)", tc.args, err, ExitCode(err), tc.want, ExitUsage)
		}
	}
}

// TestHelp checks that every command a user can see says what it does,
// shows an example and explains each of its flags.
func TestHelp(t *testing.T) {
	var visible []string
	for _, cmd := range rootCmd().Commands() {
		if cmd.Hidden || cmd.Name() == "help" { // help is cobra's own
			continue
		}
		visible = append(visible, cmd.Name())
		if cmd.Short == "" || cmd.Long == "" || cmd.Example == "" {
			t.Errorf("%s: Short %q, Long %q, Example %q: want all three", cmd.Name(), cmd.Short, cmd.Long, cmd.Example)
		}
		cmd.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Usage == "" {
				t.Errorf("%s --%s has no help", cmd.Name(), f.Name)
			}
		})
	}
	if want := []string{"build", "check", "fmt", "graph", "inspect", "lock", "sbom", "version"}; !slices.Equal(visible, want) {
		t.Errorf("visible commands %v, want %v", visible, want)
	}

	for _, tc := range []struct {
		args          []string
		want, notWant []string
	}{
		{[]string{"--help"}, []string{"Examples:", "  build ", "  lock ", "  version "}, []string{"unpack", "cacerts", "completion"}},
		{[]string{"build", "--help"}, []string{"Examples:", "distill build [flags] [DEFINITION|DIR]",
			"-f, --file FILE", `(default "distill.hcl")`, "--context DIR", "--target IMAGE", "--platform PLATFORMS",
			"--build-arg NAME=VALUE", "-o, --output SPEC", "type=oci,dest=IMAGE.oci.tar", "--addr ADDRESS", "--progress MODE", `(default "auto")`}, nil},
		{[]string{"help", "lock"}, []string{"Examples:", "distill lock [flags] [DEFINITION|DIR]",
			"-f, --file FILE", "--platform", "--build-arg", "--addr", "--progress"}, []string{"--output", "--target", "--context"}},
	} {
		stdout, stderr, err := runCLI(t, tc.args...)
		if err != nil || stderr != "" {
			t.Errorf("%q: error %v, stderr %q", tc.args, err, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%q lacks %q:\n%s", tc.args, w, stdout)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(stdout, w) {
				t.Errorf("%q shows %q:\n%s", tc.args, w, stdout)
			}
		}
	}
}

func TestVersion(t *testing.T) {
	t.Setenv("BUILDKIT_HOST", "")
	t.Setenv("DISTILL_CACHE_DIR", t.TempDir()) // no local daemon there
	if stdout, _, err := runCLI(t, "--version"); err != nil || stdout != "distill "+version()+"\n" {
		t.Errorf("--version: %q, %v", stdout, err)
	}
	local := "distill          " + version() + "\nfrontend         dev\nbuildkit client  " + moduleVersion("github.com/moby/buildkit") + "\n"
	// A test binary records no dependencies: the integration test
	// TestVersionOfDaemon checks the linked BuildKit's version in the CLI.
	sock := filepath.Join(t.TempDir(), "none.sock")
	for _, tc := range []struct {
		args   []string
		env    string
		stdout string
		err    string
	}{
		{[]string{"version"}, "", local + "buildkit daemon  none running locally (distill build starts one; or give --addr or set BUILDKIT_HOST)\n", ""},
		{[]string{"version", "--addr", "unix://" + sock}, "", local,
			"asking BuildKit at unix://" + sock + " for its version: "},
		{[]string{"version"}, "unix://" + sock, local, "check --addr or BUILDKIT_HOST, and that buildkitd runs"},
	} {
		t.Setenv("BUILDKIT_HOST", tc.env)
		stdout, _, err := runCLI(t, tc.args...)
		if stdout != tc.stdout || (tc.err == "") != (err == nil) || (err != nil && (!strings.Contains(err.Error(), tc.err) || ExitCode(err) != ExitFailure)) {
			t.Errorf("%q (BUILDKIT_HOST=%s): %q, %v; want %q, %q", tc.args, tc.env, stdout, err, tc.stdout, tc.err)
		}
	}
}

// TestHelperCommands checks that the in-build helper's words reach it
// unparsed: the errors are the helper's own, not cobra's.
func TestHelperCommands(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"unpack", "--bogus"}, "unpack: flag provided but not defined: -bogus"},
		{[]string{"unpack", "--deb", "x.deb"}, "unpack: --root is required"},
		{[]string{"cacerts", "--deb", "x.deb"}, "cacerts: --deb, --root and --path are required"},
	} {
		stdout, _, err := runCLI(t, tc.args...)
		if err == nil || err.Error() != tc.want || stdout != "" {
			t.Errorf("%q: error %v, stdout %q; want %q", tc.args, err, stdout, tc.want)
		}
	}
	// -h goes to the helper, which prints its usage and succeeds, rather
	// than to cobra's help.
	if stdout, _, err := runCLI(t, "unpack", "-h"); err != nil || stdout != "" {
		t.Errorf("unpack -h: error %v, stdout %q", err, stdout)
	}
	for _, name := range []string{"unpack", "cacerts"} {
		cmd, _, err := rootCmd().Find([]string{name})
		if err != nil || !cmd.Hidden || !cmd.DisableFlagParsing {
			t.Errorf("%s: %v, hidden %v, flag parsing disabled %v", name, err, cmd != nil && cmd.Hidden, cmd != nil && cmd.DisableFlagParsing)
		}
	}
}

// TestFailedBuildLeavesNoFile runs a build against an address with no
// BuildKit behind it: nothing of the default output may be left behind.
func TestFailedBuildLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "distill.hcl")
	if err := os.WriteFile(def, []byte("image \"x\" {\n  platforms = [\"linux/amd64\"]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, stderr, err := runCLI(t, "build", "--addr", "unix://"+filepath.Join(dir, "no.sock"), "--progress", "quiet", def)
	if err == nil || !strings.Contains(err.Error(), "no.sock") {
		t.Fatalf("error %v, want one naming the socket; stderr:\n%s", err, stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 || entries[0].Name() != "distill.hcl" {
		t.Errorf("a failed build left %v", names(entries))
	}
}

func TestParseOutputs(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		spec, typ, dest, dir, said, err string
		stdout                          bool
	}{
		// As buildx: "-" is standard output (refused when it is a terminal).
		{spec: "type=oci,dest=-", typ: "oci", said: "oci image written to standard output", stdout: true},
		{spec: "type=tar,dest=-", typ: "tar", said: "tar image written to standard output", stdout: true},
		{spec: "type=oci,dest=" + dir + "/a.tar", typ: "oci", dest: dir + "/a.tar", said: "oci image written to " + dir + "/a.tar"},
		{spec: "type=docker,dest=" + dir + "/b.tar", typ: "docker", dest: dir + "/b.tar", said: "docker image written to " + dir + "/b.tar"},
		{spec: "type=oci,tar=false,dest=" + dir + "/layout", typ: "oci", dir: dir + "/layout", said: "oci image written to " + dir + "/layout"},
		{spec: "type=local,dest=" + dir + "/root", typ: "local", dir: dir + "/root", said: "local image written to " + dir + "/root"},
		{spec: "type=image,name=r/x:1,push=true", typ: "image", said: "image pushed to r/x:1"},
		{spec: "type=image,name=r/x:1", typ: "image", said: "image stored in BuildKit as r/x:1"},
		{spec: "type=oci,dest=" + dir, err: "is a directory"},
		{spec: "type=image,dest=x", err: "not supported by image exporter"},
		{spec: "dest=x", err: "requires type="},
		{spec: "type=oci,dest=" + dir + "/missing/a.tar", err: "dest " + dir + "/missing/a.tar: open " + dir + "/missing/"},
		{spec: "type=oci,dest", err: "invalid value dest"},
	} {
		outs, err := parseOutputs([]string{tc.spec})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.spec) {
				t.Errorf("%s: error %v, want %q naming the spec", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		o := outs[0]
		if o.entry.Type != tc.typ || o.dest != tc.dest || o.entry.OutputDir != tc.dir || (o.entry.Output != nil) != (tc.dest != "" || tc.stdout) || o.String() != tc.said {
			t.Errorf("%s: parsed %+v, said %q", tc.spec, o, o.String())
		}
		if _, ok := o.entry.Attrs["dest"]; ok {
			t.Errorf("%s: dest left in the exporter attributes", tc.spec)
		}
		if err := finishOutputs(outs, false); err != nil {
			t.Errorf("%s: %v", tc.spec, err)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("outputs of failed builds left %v", names(entries))
	}
}

// TestOutputIsAtomic checks that a file export appears only when the build
// succeeds, whole, with the mode a plain create gives it, and that a failed
// build leaves an earlier image at the destination as it was.
func TestOutputIsAtomic(t *testing.T) {
	for _, ok := range []bool{false, true} {
		dir := t.TempDir()
		dest := filepath.Join(dir, "img.tar")
		if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		outs, err := parseOutputs([]string{"type=oci,dest=" + dest})
		if err != nil {
			t.Fatal(err)
		}
		w, err := outs[0].entry.Output(nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, "image"); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil { // as BuildKit's exporter does
			t.Fatal(err)
		}
		if data, err := os.ReadFile(dest); err != nil || string(data) != "old" {
			t.Errorf("ok=%v: the destination changed before the build ended (%q, %v)", ok, data, err)
		}
		if err := finishOutputs(outs, ok); err != nil {
			t.Fatal(err)
		}
		entries, _ := os.ReadDir(dir)
		if !ok {
			if data, _ := os.ReadFile(dest); len(entries) != 1 || string(data) != "old" {
				t.Errorf("a failed build left %v, img.tar holding %q", names(entries), data)
			}
			continue
		}
		if len(entries) != 1 || entries[0].Name() != "img.tar" {
			t.Fatalf("a build left %v", names(entries))
		}
		if data, _ := os.ReadFile(dest); string(data) != "image" {
			t.Errorf("img.tar holds %q", data)
		}
		ref, err := os.Create(filepath.Join(t.TempDir(), "ref"))
		if err != nil {
			t.Fatal(err)
		}
		if err := ref.Close(); err != nil {
			t.Fatal(err)
		}
		got, _ := os.Stat(dest)
		want, _ := os.Stat(ref.Name())
		if got.Mode() != want.Mode() {
			t.Errorf("img.tar has mode %v, a created file %v", got.Mode(), want.Mode())
		}
	}
}

// TestBadOutputRemovesEarlierOnes checks that a bad -o after a good one
// leaves nothing of the good one.
func TestBadOutputRemovesEarlierOnes(t *testing.T) {
	dir := t.TempDir()
	if _, err := parseOutputs([]string{"type=oci,dest=" + dir + "/a.tar", "type=image,dest=x"}); err == nil {
		t.Fatal("a bad spec was accepted")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left %v", names(entries))
	}
}

func names(entries []os.DirEntry) []string {
	var s []string
	for _, e := range entries {
		s = append(s, e.Name())
	}
	return s
}

// TestCommandsAreFresh checks that commands keep no state between builds of
// the tree: a flag set on one root does not show in the next.
func TestCommandsAreFresh(t *testing.T) {
	first := rootCmd()
	first.SetArgs([]string{"build", "--target", "x", "--help"})
	first.SetOut(io.Discard)
	if err := first.Execute(); err != nil {
		t.Fatal(err)
	}
	build, _, err := rootCmd().Find([]string{"build"})
	if err != nil {
		t.Fatal(err)
	}
	if v := build.Flags().Lookup("target").Value.String(); v != "" {
		t.Errorf("a new build command starts with --target %q", v)
	}
}

func TestAttestAttrs(t *testing.T) {
	for _, tc := range []struct {
		sbom, provenance string
		want             map[string]string
		err              string
	}{
		{"", "", map[string]string{}, ""},
		{"true", "", map[string]string{"attest:sbom": ""}, ""},
		{"false", "mode=max", map[string]string{"attest:provenance": "mode=max"}, ""},
		{"1", "0", map[string]string{"attest:sbom": ""}, ""},
		{"maybe", "", nil, "--sbom=maybe: want true, false or KEY=VALUE parameters"},
	} {
		got, err := attestAttrs(tc.sbom, tc.provenance)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("attestAttrs(%q, %q) error %v, want %q", tc.sbom, tc.provenance, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("attestAttrs(%q, %q) = %v, %v; want %v", tc.sbom, tc.provenance, got, err, tc.want)
		}
	}
}

// TestAddrErrors: a BuildKit address that leads nowhere fails before the
// build, naming the address and where it came from.
func TestAddrErrors(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "distill.hcl")
	if err := os.WriteFile(def, []byte("image \"x\" {\n  platforms = [\"linux/amd64\"]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := "unix://" + filepath.Join(dir, "no.sock")
	for _, tc := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"flag", "", []string{"--addr", sock}, "BuildKit at " + sock + " (from --addr) does not answer: is buildkitd running and listening there?"},
		{"environment", sock, nil, "BuildKit at " + sock + " (from BUILDKIT_HOST) does not answer"},
		{"scheme", "", []string{"--addr", "nope://x"}, "BuildKit at nope://x (from --addr) does not answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("BUILDKIT_HOST", tc.env)
			args := append([]string{"build", "--progress", "quiet", "-o", "type=oci,dest=" + filepath.Join(dir, "x.tar")}, tc.args...)
			_, _, err := runCLI(t, append(args, def)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("failed builds left %v", names(entries))
	}
}

// TestPrintWarnings: the build's warnings reach the user after the
// progress, one a line, as buildx lists them.
func TestPrintWarnings(t *testing.T) {
	for _, tc := range []struct {
		shorts []string
		want   string
	}{
		{nil, ""},
		{[]string{`UnusedVariable: Variable "A" is declared but never used (line 1)`},
			"1 warning found:\n - UnusedVariable: Variable \"A\" is declared but never used (line 1)\n"},
		{[]string{"a (line 2)", "b"}, "2 warnings found:\n - a (line 2)\n - b\n"},
	} {
		var ws []client.VertexWarning
		for _, s := range tc.shorts {
			ws = append(ws, client.VertexWarning{Short: []byte(s)})
		}
		var b strings.Builder
		printWarnings(&b, ws)
		if b.String() != tc.want {
			t.Errorf("printed %q, want %q", b.String(), tc.want)
		}
	}
}

// TestDefinitionInDirectory: a directory names its distill.hcl, as
// docker buildx build . names ./Dockerfile, for build and lock alike.
func TestDefinitionInDirectory(t *testing.T) {
	dir := t.TempDir()
	empty := t.TempDir()
	file := filepath.Join(dir, "distill.hcl")
	if err := os.WriteFile(file, []byte("# a definition\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, arg, file, context, err string
	}{
		{"directory", dir, file, dir, ""},
		{"directory with a slash", dir + "/", file, dir, ""},
		{"the file itself", file, file, dir, ""},
		{"standard input", "-", "-", ".", ""},
		{"a missing file is left to the reader", filepath.Join(empty, "x.hcl"), filepath.Join(empty, "x.hcl"), empty, ""},
		{"directory without a definition", empty, "", "", empty + " is a directory without a distill.hcl: give the definition's file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o buildOptions
			fs := pflag.NewFlagSet("build", pflag.ContinueOnError)
			o.addFlags(fs)
			err := o.resolve(fs, []string{tc.arg})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one with %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.file != tc.file || o.context != tc.context {
				t.Errorf("definition %q, context %q; want %q, %q", o.file, o.context, tc.file, tc.context)
			}
		})
	}
}

func TestBuildInputs(t *testing.T) {
	dir := t.TempDir()
	// An OCI layout with one image tagged v1, and one with two untagged.
	const one, two = "sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"sha256:2222222222222222222222222222222222222222222222222222222222222222"
	layout, layout2 := t.TempDir(), t.TempDir()
	for _, l := range []struct{ dir, index string }{
		{layout, `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + one + `","size":1,"annotations":{"org.opencontainers.image.ref.name":"v1"}}]}`},
		{layout2, `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + one + `","size":1},{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"` + two + `","size":1}]}`},
	} {
		if err := os.WriteFile(filepath.Join(l.dir, "index.json"), []byte(l.index), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name    string
		in      buildInputs
		noCache bool
		attrs   map[string]string
		locals  map[string]string
		stores  []string // OCI store IDs
		cache   string   // cacheTo then cacheFrom, as Type:k=v
		err     string
	}{
		{name: "none", attrs: map[string]string{}},
		{name: "labels", in: buildInputs{labels: []string{"a=1", "b=x=y"}}, attrs: map[string]string{"label:a": "1", "label:b": "x=y"}},
		{name: "bad label", in: buildInputs{labels: []string{"a"}}, err: "--label a: want KEY=VALUE"},
		{name: "filter", in: buildInputs{noCacheFilter: []string{"package.hello", "a,b"}}, attrs: map[string]string{"no-cache": "package.hello,a,b"}},
		{name: "no-cache wins", in: buildInputs{noCacheFilter: []string{"a"}}, noCache: true, attrs: map[string]string{"no-cache": ""}},
		{name: "named directory", in: buildInputs{contexts: []string{"extra=" + dir}},
			attrs: map[string]string{"context:extra": "local:named-context-extra"}, locals: map[string]string{"named-context-extra": dir}},
		{name: "named URL", in: buildInputs{contexts: []string{"src=https://example.invalid/x.git#main", "img=docker-image://busybox"}},
			attrs: map[string]string{"context:src": "https://example.invalid/x.git#main", "context:img": "docker-image://busybox"}},
		{name: "not a directory", in: buildInputs{contexts: []string{"x=" + filepath.Join(dir, "nope")}}, err: "is not a directory"},
		{name: "bake only", in: buildInputs{contexts: []string{"x=target:frontend"}}, err: "takes a directory, an oci-layout:// directory, or a docker-image://"},
		{name: "oci layout, the only image", in: buildInputs{contexts: []string{"base=oci-layout://" + layout}},
			attrs: map[string]string{"context:base": "oci-layout://distill-context-base:latest@" + one}, stores: []string{"distill-context-base"}},
		{name: "oci layout by tag", in: buildInputs{contexts: []string{"base=oci-layout://" + layout + ":v1"}},
			attrs: map[string]string{"context:base": "oci-layout://distill-context-base:v1@" + one}, stores: []string{"distill-context-base"}},
		{name: "oci layout by digest", in: buildInputs{contexts: []string{"base=oci-layout://" + layout2 + "@" + two}},
			attrs: map[string]string{"context:base": "oci-layout://distill-context-base@" + two}, stores: []string{"distill-context-base"}},
		{name: "oci layout, which image", in: buildInputs{contexts: []string{"base=oci-layout://" + layout2}}, err: "no image tagged latest, and more than one image"},
		{name: "oci layout, not one", in: buildInputs{contexts: []string{"base=oci-layout://" + dir}}, err: "is not an OCI layout directory"},
		{name: "oci layout, bad digest", in: buildInputs{contexts: []string{"base=oci-layout://" + layout + "@sha256:xyz"}}, err: "is not a digest"},
		{name: "cache", in: buildInputs{cacheTo: []string{"type=local,dest=/c,mode=max"}, cacheFrom: []string{"type=registry,ref=r/x:c"}},
			attrs: map[string]string{}, cache: "local:dest=/c,mode=max registry:ref=r/x:c"},
		{name: "cache without type", in: buildInputs{cacheTo: []string{"dest=/c"}}, err: "--cache-to dest=/c: no type="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.in.setup(tc.noCache)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || ExitCode(err) != 2 {
					t.Fatalf("error %v (exit %d), want %q (exit 2)", err, ExitCode(err), tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.locals == nil {
				tc.locals = map[string]string{}
			}
			var cache []string
			for _, e := range append(s.cacheTo, s.cacheFrom...) {
				var kv []string
				for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
					kv = append(kv, k+"="+e.Attrs[k])
				}
				cache = append(cache, e.Type+":"+strings.Join(kv, ","))
			}
			if !reflect.DeepEqual(s.attrs, tc.attrs) || !reflect.DeepEqual(s.locals, tc.locals) || strings.Join(cache, " ") != tc.cache {
				t.Errorf("attrs %v locals %v cache %q; want %v %v %q", s.attrs, s.locals, cache, tc.attrs, tc.locals, tc.cache)
			}
			if stores := slices.Sorted(maps.Keys(s.ociStores)); !slices.Equal(stores, tc.stores) {
				t.Errorf("OCI stores %v, want %v", stores, tc.stores)
			}
		})
	}
}
