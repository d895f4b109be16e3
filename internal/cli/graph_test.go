package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/distill-build/distill/lockfile"
)

func TestGraphWithoutLockfile(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "distill.hcl")
	src := `repository "debian" {
  url   = "http://mirror.invalid/debian"
  suite = "bookworm"
}
package "zlib" {
  version = "1.3"
  source "inline" {
    files = { "x" = "y" }
  }
  build {
    requires = ["build-essential"]
    steps    = ["true"]
  }
  runtime = ["libc6"]
}
package "app" {
  version = "2"
  source "inline" {
    files = { "x" = "y" }
  }
  build {
    requires = ["build-essential", package.zlib]
    steps    = ["true"]
  }
  runtime = [package.zlib]
}
image "base" {
  platforms = ["linux/arm64"]
  packages  = ["base-files", "netbase"]
}
image "app" {
  from     = image.base
  packages = ["tzdata", package.app]
}
image "other" {
  packages = ["media-types"]
}
`
	if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	note := "no lockfile next to " + def + " (" + filepath.Join(dir, "distill.lock.json") + "): showing only the Debian packages the definition names; run distill lock " + def + " for their closure and versions\n"
	for _, tc := range []struct {
		name   string
		args   []string
		stdout string
	}{
		{"tree", []string{"--format", "tree", def}, def + `: the packages the definition names (no lockfile)

image base (linux/arm64)
  debian packages:
    base-files
    netbase

image app (linux/arm64)
  from: base
  built: package.app
  debian packages:
    tzdata

image other (linux/amd64)
  debian packages:
    media-types

package zlib 1.3
  build requires: build-essential
  runtime: libc6

package app 2
  build requires: build-essential, package.zlib
  runtime: package.zlib
`},
		{"target", []string{"--format", "tree", "--target", "base", def}, def + `: the packages the definition names (no lockfile)

image base (linux/arm64)
  debian packages:
    base-files
    netbase
`},
		{"dot", []string{"--target", "app", def}, `// distill graph of ` + def + `: the packages the definition names (no lockfile)
digraph distill {
  rankdir=LR;
  "image base" [shape=box, style=bold, label="image base\nlinux/arm64"];
  "image app" [shape=box, style=bold, label="image app\nlinux/arm64"];
  "package zlib" [shape=component, label="package zlib 1.3"];
  "deb build-essential" [shape=ellipse, label="build-essential"];
  "deb libc6" [shape=ellipse, label="libc6"];
  "package app" [shape=component, label="package app 2"];
  "deb base-files" [shape=ellipse, label="base-files"];
  "deb netbase" [shape=ellipse, label="netbase"];
  "deb tzdata" [shape=ellipse, label="tzdata"];
  "image base" -> "deb base-files";
  "image base" -> "deb netbase";
  "image app" -> "image base" [label="from"];
  "image app" -> "package app";
  "image app" -> "deb tzdata";
  "package zlib" -> "deb build-essential" [style=dashed, label="build"];
  "package zlib" -> "deb libc6" [label="runtime"];
  "package app" -> "deb build-essential" [style=dashed, label="build"];
  "package app" -> "package zlib" [style=dashed, label="build"];
  "package app" -> "package zlib" [label="runtime"];
}
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := runCLI(t, append([]string{"graph"}, tc.args...)...)
			if err != nil || stderr != note {
				t.Errorf("error %v, stderr %q", err, stderr)
			}
			if stdout != tc.stdout {
				t.Errorf("got:\n%s\nwant:\n%s\n%s", stdout, tc.stdout, unifiedDiff("graph", []byte(tc.stdout), []byte(stdout)))
			}
		})
	}
	for _, tc := range []struct {
		args []string
		exit int
		err  string
	}{
		{[]string{"--format", "svg", def}, ExitUsage, `--format "svg": want dot or tree`},
		{[]string{"--target", "nope", def}, ExitFailure, `target "nope" not found in ` + def + ": the images are base, app, other"},
		{[]string{"--platform", "linux/amd64", def}, ExitFailure, `Image "base" is built for linux/arm64; linux/amd64 was requested.`},
	} {
		_, _, err := runCLI(t, append([]string{"graph"}, tc.args...)...)
		if ExitCode(err) != tc.exit || err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: exit %d, %v; want %d, %q", tc.args, ExitCode(err), err, tc.exit, tc.err)
		}
	}
}

// TestGraphExamples graphs every example with a lockfile: the tree shows
// each image's locked packages with the lockfile's versions, once along a
// lineage, and the DOT declares every node an edge names. Two runs print
// the same bytes.
func TestGraphExamples(t *testing.T) {
	files, err := filepath.Glob("../../examples/*/distill.lock.json")
	if err != nil || len(files) < 5 {
		t.Fatalf("lockfiles: %v, %v", files, err)
	}
	for _, lockPath := range files {
		def := filepath.Join(filepath.Dir(lockPath), "distill.hcl")
		args := []string{"graph", def, "--build-arg", "MIRROR=http://mirror.invalid/debian", "--build-arg", "SECURITY_MIRROR=http://mirror.invalid/debian-security"}
		dot, stderr, err := runCLI(t, args...)
		if err != nil || stderr != "" {
			t.Fatalf("%s: %v\n%s", def, err, stderr)
		}
		if again, _, _ := runCLI(t, args...); again != dot {
			t.Errorf("%s: two runs differ", def)
		}
		declared := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?m)^  ("[^"]*") \[`).FindAllStringSubmatch(dot, -1) {
			declared[m[1]] = true
		}
		for _, m := range regexp.MustCompile(`(?m)^  ("[^"]*") -> ("[^"]*")`).FindAllStringSubmatch(dot, -1) {
			if !declared[m[1]] || !declared[m[2]] {
				t.Errorf("%s: edge %s -> %s names an undeclared node", def, m[1], m[2])
			}
		}

		tree, _, err := runCLI(t, append(args, "--format", "tree")...)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(lockPath)
		if err != nil {
			t.Fatal(err)
		}
		lock, err := lockfile.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		for name, img := range lock.Images {
			if strings.Contains(name, ":") { // a build or test sandbox: the tree names its requests only
				continue
			}
			for _, key := range img.Closure["amd64"] {
				p := lock.Lookup("amd64", key)
				if !strings.Contains(tree, "\n    "+p.Name+" "+p.Version+"\n") {
					t.Errorf("%s: the tree lacks %s's %s %s:\n%s", def, name, p.Name, p.Version, tree)
				}
			}
		}
	}
}
