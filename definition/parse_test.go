package definition

import (
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/zclconf/go-cty/cty"
)

const full = `# syntax=distill
variable "NAME" { default = "world" }
variable "GREETING" {
  default     = "hello ${NAME}"
  description = "what to print"
}
variable "DEBUG" { default = false }

image "app" {
  description = "a test image"
  platforms   = ["linux/amd64", "linux/arm64/v8"]
  env         = { GREETING = upper(GREETING), B = "2", A = "1" }
  entrypoint  = ["/bin/app"]
  cmd         = []
  workdir     = "/home/app"
  user        = "65532:65532"
  labels      = { "org.opencontainers.image.title" = "app" }
  annotations = { "org.opencontainers.image.description" = join(" ", ["a", NAME]) }

  file "/etc/greeting" {
    content = "${GREETING}\n"
    mode    = "0600"
    owner   = "65532"
  }
  file "/bin/app" {
    source = "./build/app"
    mode   = 755
  }
  directory "/home/app" {
    owner = "65532:65532"
    mode  = "0700"
  }
  directory "/tmp" { mode = "1777" }
  symlink "/usr/bin/app" { target = "../../bin/app" }
}
`

func TestParseFull(t *testing.T) {
	def, diags := Parse("distill.hcl", []byte(full), Options{Args: map[string]string{"NAME": "distill", "UNRELATED": "x"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(def.Images) != 1 || len(def.Variables) != 3 {
		t.Fatalf("got %d images, %d variables", len(def.Images), len(def.Variables))
	}
	img := def.Image("app")
	checks := []struct{ name, got, want string }{
		{"description", img.Description, "a test image"},
		{"workdir", img.Workdir, "/home/app"},
		{"user", img.User, "65532:65532"},
		{"env", envString(img.Env), "A=1,B=2,GREETING=HELLO DISTILL"},
		{"entrypoint", strings.Join(img.Entrypoint, " "), "/bin/app"},
		{"label", img.Labels["org.opencontainers.image.title"], "app"},
		{"annotation", img.Annotations["org.opencontainers.image.description"], "a distill"},
		{"platform0", platforms.FormatAll(img.Platforms[0]), "linux/amd64"},
		{"platform1", platforms.FormatAll(img.Platforms[1]), "linux/arm64"},
		{"entries", entriesString(img.Entries), "/bin/app file 755 0:0 src=build/app|/etc/greeting file 600 65532:65532 \"hello distill\\n\"|/home/app directory 700 65532:65532|/tmp directory 1777 0:0|/usr/bin/app symlink 777 0:0 ->../../bin/app"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if img.Cmd == nil || len(img.Cmd) != 0 {
		t.Errorf("cmd = [] should decode to an empty, non-nil list, got %#v", img.Cmd)
	}
	greeting := def.Variables[1]
	if !greeting.Used || greeting.Description != "what to print" || greeting.Value != cty.StringVal("hello distill") {
		t.Errorf("GREETING = %#v", greeting)
	}
	if def.Variables[2].Used {
		t.Errorf("DEBUG is never referenced but marked used")
	}
	if r := img.AttrRange(AttrWorkdir); r.Start.Line != 15 {
		t.Errorf("workdir range starts on line %d, want 15", r.Start.Line)
	}
}

func TestOverrideTypes(t *testing.T) {
	src := `variable "N" { default = 1 }
variable "B" { default = true }
image "x" { labels = { n = "${N + 1}", b = "${B}" } }`
	def, diags := Parse("d.hcl", []byte(src), Options{Args: map[string]string{"N": "41", "B": "false"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if got := def.Images[0].Labels; got["n"] != "42" || got["b"] != "false" {
		t.Errorf("labels = %v", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		args      map[string]string
		want      string // substring of the diagnostics, with file:line,column
	}{
		{"syntax", "image \"x\" {\n  env = {\n}\n", nil, "d.hcl:"},
		{"unknown attribute", "image \"x\" {\n  entrypont = [\"/a\"]\n}\n", nil, `d.hcl:2,3-12: Unsupported argument; An argument named "entrypont" is not expected here. Did you mean "entrypoint"?`},
		{"unknown block", "imgae \"x\" {}\n", nil, `d.hcl:1,1-6: Unsupported block type`},
		{"unknown variable", "image \"x\" {\n  user = NOBODY\n}\n", nil, `d.hcl:2,10-16: Unknown variable; There is no variable named "NOBODY".`},
		{"wrong type", "image \"x\" {\n  entrypoint = \"/bin/sh\"\n}\n", nil, `d.hcl:2,17-24: Unsuitable value type; Unsuitable value: list of string required, but have string`},
		{"bad platform", "image \"x\" {\n  platforms = [\"linux/notanarch\"]\n}\n", nil, `d.hcl:2,16-33: Invalid platform; linux/notanarch: Debian has no architecture "notanarch"; the Linux ones are 386, amd64,`},
		{"windows platform", "image \"x\" {\n  platforms = [\"linux/amd64\", \"windows/amd64\"]\n}\n", nil, `d.hcl:2,31-46: Invalid platform; windows/amd64: distill builds Linux images from Debian packages, not windows ones.`},
		{"platform syntax", "image \"x\" {\n  platforms = [\"!!!\"]\n}\n", nil, `d.hcl:2,16-21: Invalid platform; "!!!" is not a platform: write OS/ARCHITECTURE[/VARIANT], like linux/amd64.`},
		{"duplicate platform", "image \"x\" {\n  platforms = [\"linux/amd64\", \"linux/arm64\",\n    \"linux/amd64\"]\n}\n", nil, `d.hcl:3,5-18: Duplicate platform; linux/amd64 is already listed at d.hcl:2,16-29: remove one.`},
		{"duplicate after normalizing", "image \"x\" {\n  platforms = [\"linux/arm64\", \"linux/aarch64\"]\n}\n", nil, `d.hcl:2,31-46: Duplicate platform; linux/arm64 is already listed at d.hcl:2,16-29`},
		{"relative workdir", "image \"x\" {\n  workdir = \"app\"\n}\n", nil, `d.hcl:2,13-18: Invalid workdir`},
		{"bad mode", "image \"x\" {\n  file \"/a\" {\n    content = \"\"\n    mode = \"0999\"\n  }\n}\n", nil, `d.hcl:4,12-18: Invalid mode`},
		{"mode too large", "image \"x\" {\n  directory \"/tmp\" { mode = \"17777\" }\n}\n", nil, `d.hcl:2,29-36: Invalid mode; "17777" is not an octal mode`},
		{"owner syntax", "image \"x\" {\n  directory \"/a\" { owner = \"a:b:c\" }\n}\n", nil, `d.hcl:2,28-35: Invalid owner`},
		{"relative path", "image \"x\" {\n  file \"etc/a\" { content = \"\" }\n}\n", nil, `d.hcl:2,8-15: Invalid path`},
		{"duplicate path", "image \"x\" {\n  file \"/a\" { content = \"\" }\n  directory \"/a/\" {}\n}\n", nil, `d.hcl:3,13-18: Duplicate path; /a is already declared at d.hcl:2,3-12`},
		{"under a file", "image \"x\" {\n  file \"/a\" { content = \"\" }\n  file \"/a/b\" { content = \"\" }\n}\n", nil, `d.hcl:3,3-14: Path under a non-directory`},
		{"no content", "image \"x\" {\n  file \"/a\" {}\n}\n", nil, `d.hcl:2,3-12: Missing file content`},
		{"both contents", "image \"x\" {\n  file \"/a\" {\n    content = \"\"\n    source = \"a\"\n  }\n}\n", nil, `d.hcl:4,14-17: Conflicting file content`},
		{"escaping source", "image \"x\" {\n  file \"/a\" { source = \"../secret\" }\n}\n", nil, `Invalid source path`},
		{"symlink without target", "image \"x\" {\n  symlink \"/a\" {}\n}\n", nil, `d.hcl:2,16-16: Missing required argument; The argument "target" is required`},
		{"duplicate image", "image \"x\" {}\nimage \"x\" {}\n", nil, `d.hcl:2,1-10: Duplicate image block; A image named "x" was already declared at d.hcl:1,1-10.`},
		{"bad image name", "image \"a b\" {}\n", nil, `d.hcl:1,7-12: Invalid image name`},
		{"too large", strings.Repeat("# padding\n", MaxSize/10+1), nil, `d.hcl:1,1-1: Definition too large; The file is 4194310 bytes; a definition may be at most 4194304 (4 MiB). Is it the right file?`},
		{"not UTF-8", "image \"x\" {\n  env = { A\xc60 = \"\" }\n}\n", nil, `d.hcl:2,12-13: Invalid UTF-8; Byte 0xc6 is not UTF-8: a definition is UTF-8 text.`},
		{"unterminated heredoc", "image \"x\" {\n  labels = { a = <<EOT\nfoo\n}\n", nil, `d.hcl:2,18-23: Unterminated heredoc; The heredoc opened here has no line holding only EOT to close it.`},
		{"misspelt heredoc end", "image \"x\" {\n  file \"/a\" {\n    content = <<-EOT\n    ok\n    EOT\n  }\n  file \"/b\" {\n    content = <<-EOT\n    foo\n  EOTT\n  }\n}\nimage \"y\" {}\n", nil, `d.hcl:8,15-21: Unterminated heredoc; The heredoc opened here has no line holding only EOT`},
		{"no images", "variable \"A\" {}\n", nil, `No image defined`},
		{"variable cycle", "variable \"A\" { default = B }\nvariable \"B\" { default = A }\nimage \"x\" {}\n", nil, `d.hcl:2,26-27: Variable cycle; The default of "B" refers to "A", and the defaults A → B → A form a cycle: give one of them a value of its own.`},
		{"three-variable cycle", "variable \"A\" { default = \"${B}\" }\nvariable \"B\" { default = \"${C}x\" }\nvariable \"C\" { default = A }\nimage \"x\" {}\n", nil, `d.hcl:3,26-27: Variable cycle; The default of "C" refers to "A", and the defaults A → B → C → A form a cycle`},
		{"self reference", "variable \"A\" { default = \"${A}\" }\nimage \"x\" {}\n", nil, `d.hcl:1,29-30: Variable cycle; The default of "A" refers to itself.`},
		{"override type", "variable \"N\" { default = 1 }\nimage \"x\" {}\n", map[string]string{"N": "many"}, `d.hcl:1,1-13: Invalid value for variable; The build argument N="many" does not fit variable "N": want a number.`},
		{"unknown function", "image \"x\" {\n  user = nobody(1)\n}\n", nil, `d.hcl:2,10-16: Call to unknown function`},
		{"bad env name", "image \"x\" {\n  env = { \"A=B\" = \"c\" }\n}\n", nil, `d.hcl:2,9-24: Invalid environment variable`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, diags := Parse("d.hcl", []byte(tc.src), Options{Args: tc.args})
			if !diags.HasErrors() {
				t.Fatalf("no error; got %+v", def)
			}
			if def != nil {
				t.Errorf("a definition was returned along with errors")
			}
			if got := diags.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("diagnostics:\n  %s\nwant them to contain:\n  %s", got, tc.want)
			}
			for _, d := range diags {
				if d.Severity == 1 && d.Subject == nil {
					t.Errorf("diagnostic without a range: %v", d)
				}
			}
		})
	}
}

func envString(env []EnvVar) string {
	var parts []string
	for _, e := range env {
		parts = append(parts, e.Name+"="+e.Value)
	}
	return strings.Join(parts, ",")
}

func entriesString(entries []*Entry) string {
	var parts []string
	for _, e := range entries {
		s := e.Path + " " + e.Kind.String() + " " + octal(e.Mode) + " " + itoa(e.UID) + ":" + itoa(e.GID)
		switch {
		case e.Source != "":
			s += " src=" + e.Source
		case e.Kind == KindFile:
			s += " " + quote(string(e.Content))
		case e.Kind == KindSymlink:
			s += " ->" + e.Target
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "|")
}
