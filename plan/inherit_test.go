package plan

import (
	"strconv"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
)

func TestInheritAndRepositories(t *testing.T) {
	src := `
variable "MIRROR" { default = "http://mirror.invalid/debian/" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
repository "security" {
  url        = "http://mirror.invalid/debian-security"
  suite      = "bookworm-security"
  components = ["main", "contrib"]
}
image "static" {
  platforms = ["linux/amd64"]
  packages  = ["base-files", "tzdata"]
  env       = { PATH = "/bin", A = "parent" }
  user      = "0"
  labels    = { a = "1", b = "1" }
  file "/etc/passwd" { content = "root" }
  file "/etc/group"  { content = "root" }
}
image "base" {
  from         = image.static
  layer_budget = 40
  packages     = ["libc6", "tzdata"]
  exclude  = ["debconf"]
  env      = { A = "child" }
  labels   = { b = "2" }
  file "/etc/passwd" { content = "nonroot" }
}
image "nonroot" {
  from = image.base
  user = "65532"
}
`
	def, diags := parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(def.Repositories) != 2 {
		t.Fatalf("got %d repositories", len(def.Repositories))
	}
	r := def.Repositories[0]
	if r.URL != "http://mirror.invalid/debian" || r.Suite != "bookworm" || strings.Join(r.Components, ",") != "main" {
		t.Errorf("repository %+v", r)
	}
	if got := strings.Join(def.Repositories[1].Components, ","); got != "main,contrib" {
		t.Errorf("components %s", got)
	}
	n := def.Image("nonroot")
	checks := []struct{ name, got, want string }{
		{"packages", strings.Join(n.Packages, ","), "base-files,tzdata,libc6"},
		{"exclude", strings.Join(n.Exclude, ","), "debconf"},
		{"env", envString(n.Env), "A=child,PATH=/bin"},
		{"user", n.User, "65532"},
		{"labels", n.Labels["a"] + n.Labels["b"], "12"},
		{"platforms", n.Platforms[0].Architecture, "amd64"},
		{"layer budget", strconv.Itoa(n.Budget()) + " " + strconv.Itoa(def.Image("static").Budget()), "40 100"},
		{"entries", entriesString(n.Entries), `/etc/group file 644 0:0 "root"|/etc/passwd file 644 0:0 "nonroot"`},
		{"static untouched", entriesString(def.Image("static").Entries), `/etc/group file 644 0:0 "root"|/etc/passwd file 644 0:0 "root"`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestInheritErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"cycle", "image \"a\" { from = image.b }\nimage \"b\" { from = image.a }\n", `Image inheritance cycle; a extends itself: a -> b -> a.`},
		{"unknown", "image \"a\" { from = image.nope }\n", `d.hcl:1,13-30: Unknown image; There is no image named "nope".`},
		{"not a reference", "image \"a\" { from = \"b\" }\n", `d.hcl:1,20-23: Invalid image reference`},
		{"packages without repository", "image \"a\" {\n  packages = [\"libc6\"]\n}\n", `d.hcl:2,3-23: No repository`},
		{"bad url", "repository \"d\" {\n  url = \"ftp://x\"\n  suite = \"bookworm\"\n}\nimage \"a\" {}\n", `d.hcl:2,9-18: Invalid repository URL`},
		{"layer budget", "image \"a\" {\n  layer_budget = 200\n}\n", `d.hcl:2,18-21: Invalid layer budget; layer_budget = 200: an image needs at least one layer, and Docker refuses images deeper than about 125.`},
		{"bad snapshot", "repository \"d\" {\n  url = \"http://mirror.invalid/debian\"\n  suite = \"bookworm\"\n  snapshot = \"snapshot/archive\"\n}\nimage \"a\" {}\n", `d.hcl:4,14-32: Invalid snapshot URL`},
		{"missing suite", "repository \"d\" {\n  url = \"http://x\"\n}\nimage \"a\" {}\n", `Missing required argument; The argument "suite" is required`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := parse("d.hcl", []byte(tc.src), definition.Options{})
			if !strings.Contains(diags.Error(), tc.want) {
				t.Errorf("diagnostics:\n  %s\nwant:\n  %s", diags.Error(), tc.want)
			}
		})
	}
}

func TestDynamicBlocks(t *testing.T) {
	src := `
variable "APPLETS" { default = ["sh", "ls"] }
image "debug" {
  dynamic "symlink" {
    for_each = APPLETS
    labels   = ["/busybox/${symlink.value}"]
    content { target = "/bin/busybox" }
  }
}
`
	def, diags := parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := entriesString(def.Images[0].Entries); got != "/busybox/ls symlink 777 0:0 ->/bin/busybox|/busybox/sh symlink 777 0:0 ->/bin/busybox" {
		t.Errorf("entries %s", got)
	}
	if !def.Variables[0].Used {
		t.Error("APPLETS is used by a dynamic block")
	}
}

func TestInheritedRangesAndAncestors(t *testing.T) {
	src := "image \"a\" {\n  workdir = \"/w\"\n  symlink \"/lib\" { target = \"usr/lib\" }\n}\nimage \"b\" {\n  from = image.a\n  file \"/lib/x\" { content = \"\" }\n}\n"
	_, diags := parse("d.hcl", []byte(src), definition.Options{})
	if !strings.Contains(diags.Error(), "d.hcl:7,3-16: Path under a non-directory; /lib/x lies under /lib, which is declared as a symlink at d.hcl:3,3-17.") {
		t.Errorf("diagnostics: %s", diags.Error())
	}
	def, diags := parse("d.hcl", []byte("image \"a\" {\n  workdir = \"/w\"\n}\nimage \"b\" { from = image.a }\n"), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if r := def.Image("b").AttrRange(definition.AttrWorkdir); r.Start.Line != 2 {
		t.Errorf("inherited workdir range %v, want the parent's line 2", r)
	}
}

func TestInheritMixins(t *testing.T) {
	src := `
repository "debian" {
  url   = "http://mirror.invalid/debian"
  suite = "bookworm"
}
image "base" {
  platforms  = ["linux/amd64"]
  packages   = ["libc6"]
  env        = { PATH = "/bin", LANG = "C" }
  user       = "65532"
  entrypoint = ["/app"]
  file "/etc/a" { content = "base" }
}
image "debug" {
  packages   = ["busybox-static"]
  env        = { PATH = "/bin:/busybox" }
  entrypoint = ["/busybox/sh"]
  file "/etc/a" { content = "debug" }
}
image "base-debug" {
  from = [image.base, image.debug]
}
`
	def, diags := parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	img := def.Image("base-debug")
	checks := []struct{ name, got, want string }{
		{"packages", strings.Join(img.Packages, ","), "libc6,busybox-static"},
		{"env", envString(img.Env), "LANG=C,PATH=/bin:/busybox"},
		{"entrypoint", strings.Join(img.Entrypoint, " "), "/busybox/sh"},
		{"user", img.User, "65532"},
		{"platforms", img.Platforms[0].Architecture, "amd64"},
		{"entries", entriesString(img.Entries), `/etc/a file 644 0:0 "debug"`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}
