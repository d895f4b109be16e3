package definition

import (
	"strings"
	"testing"
)

const helloPackage = `
package "hello" {
  version = "2.10"
  source "http" {
    url    = "http://mirror.invalid/hello-2.10.tar.gz"
    sha256 = "31E066137A962676E89F69D1B65382DE95A7EF7D914B8CB956F41EA72E0F516B"
  }
  source "inline" {
    dest  = "extra"
    files = { "b.txt" = "b", "a/a.txt" = "a" }
  }
  build {
    requires = ["build-essential"]
    env      = { B = "2", A = "1" }
    steps    = [
      "./configure",
      "make",
    ]
  }
  runtime = ["libc6"]
}
image "hello" {
  packages = ["base-files", package.hello]
}
`

func TestParsePackage(t *testing.T) {
	def, diags := Parse("d.hcl", []byte(helloPackage), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	p := def.Package("hello")
	if p == nil || p.Version != "2.10" || len(p.Sources) != 2 || strings.Join(p.Runtime, ",") != "libc6" {
		t.Fatalf("package %+v", p)
	}
	h := p.Sources[0].HTTP
	if h.Digest != "sha256:31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b" || h.Strip != 1 || h.FileName() != "hello-2.10.tar.gz" || !h.IsArchive() {
		t.Errorf("http source %+v", h)
	}
	in := p.Sources[1]
	if in.Dest != "extra" || len(in.Inline.Files) != 2 || in.Inline.Files[0].Path != "a/a.txt" {
		t.Errorf("inline source %+v", in.Inline)
	}
	b := p.Build
	if len(b.Steps) != 2 || b.Steps[1].Run != "make" || b.Steps[1].Range.Start.Line != 17 || b.Network || envString(b.Env) != "A=1,B=2" {
		t.Errorf("build %+v", b)
	}
	img := def.Image("hello")
	if strings.Join(img.Packages, ",") != "base-files" || len(img.Built) != 1 || img.Built[0].Name != "hello" || img.Built[0].Range.Start.Line != 23 {
		t.Errorf("image packages %q, built %+v", img.Packages, img.Built)
	}
}

func TestParsePackageErrors(t *testing.T) {
	const build = "  build { steps = [\"make\"] }\n"
	for _, tc := range []struct{ name, src, want string }{
		{"missing checksum", "package \"ab\" {\n  version = \"1\"\n  source \"http\" { url = \"http://h/a.tar.gz\" }\n" + build + "}\n",
			`d.hcl:3,19-44: Missing checksum; The download http://h/a.tar.gz needs its sha256`},
		{"short checksum", "package \"ab\" {\n  version = \"1\"\n  source \"http\" {\n    url = \"http://h/a\"\n    sha256 = \"abc\"\n  }\n" + build + "}\n",
			`d.hcl:5,14-19: Invalid checksum; "abc" is not a sha256 checksum`},
		{"two checksums", "package \"ab\" {\n  version = \"1\"\n  source \"http\" {\n    url = \"http://h/a\"\n    sha256 = \"" + strings.Repeat("a", 64) + "\"\n    sha512 = \"" + strings.Repeat("b", 128) + "\"\n  }\n" + build + "}\n",
			`Conflicting checksums`},
		{"strip on a plain file", "package \"ab\" {\n  version = \"1\"\n  source \"http\" {\n    url = \"http://h/a.patch\"\n    sha256 = \"" + strings.Repeat("a", 64) + "\"\n    strip = 1\n  }\n" + build + "}\n",
			`d.hcl:6,13-14: Not an archive`},
		{"unknown kind", "package \"ab\" {\n  version = \"1\"\n  source \"ftp\" {}\n" + build + "}\n",
			`d.hcl:3,10-15: Unknown source kind`},
		{"escaping dest", "package \"ab\" {\n  version = \"1\"\n  source \"inline\" {\n    dest = \"../x\"\n    files = { a = \"\" }\n  }\n" + build + "}\n",
			`d.hcl:4,12-18: Invalid dest`},
		{"git without commit", "package \"ab\" {\n  version = \"1\"\n  source \"git\" {\n    url = \"https://h/r.git\"\n    tag = \"v1\"\n  }\n" + build + "}\n",
			`d.hcl:4,5-28: Missing commit; The git source https://h/r.git needs the full commit it builds from (a tag can be moved)`},
		{"short commit", "package \"ab\" {\n  version = \"1\"\n  source \"git\" {\n    url = \"https://h/r.git\"\n    commit = \"abc123\"\n  }\n" + build + "}\n",
			`d.hcl:5,14-22: Invalid commit; "abc123" is not a full commit`},
		{"git file URL", "package \"ab\" {\n  version = \"1\"\n  source \"git\" {\n    url = \"file:///r\"\n    commit = \"" + strings.Repeat("a", 40) + "\"\n  }\n" + build + "}\n",
			`Invalid repository URL`},
		{"context outside", "package \"ab\" {\n  version = \"1\"\n  source \"context\" { path = \"../x\" }\n" + build + "}\n",
			`d.hcl:3,29-35: Invalid path`},
		{"two tests", "package \"ab\" {\n  version = \"1\"\n" + build + "  test { steps = [\"a\"] }\n  test { steps = [\"b\"] }\n}\n",
			`d.hcl:5,3-7: Duplicate test block`},
		{"test without steps", "package \"ab\" {\n  version = \"1\"\n" + build + "  test { steps = [] }\n}\n",
			`d.hcl:4,18-20: No steps`},
		{"debian source without version", "package \"ab\" {\n  version = \"1\"\n  source \"debian\" { name = \"tini\" }\n" + build + "}\n",
			`Missing required argument; The argument "version" is required`},
		{"debian source bad name", "package \"ab\" {\n  version = \"1\"\n  source \"debian\" {\n    name = \"Tini\"\n    version = \"1\"\n  }\n" + build + "}\n",
			`d.hcl:4,12-18: Invalid source package name`},
		{"subpackage name", "package \"ab\" {\n  version = \"1\"\n" + build + "  subpackage \"Dev\" { paths = [\"usr/include/**\"] }\n}\n",
			`d.hcl:4,14-19: Invalid subpackage name`},
		{"subpackage path", "package \"ab\" {\n  version = \"1\"\n" + build + "  subpackage \"dev\" { paths = [\"/usr/include\"] }\n}\n",
			`d.hcl:4,31-45: Invalid path`},
		{"no build", "package \"ab\" {\n  version = \"1\"\n}\n", `d.hcl:1,1-13: Missing build block`},
		{"empty step", "package \"ab\" {\n  version = \"1\"\n  build { steps = [\"make\", \"\"] }\n}\n", `d.hcl:3,28-30: Empty step`},
		{"bad name", "package \"Hello\" {\n  version = \"1\"\n" + build + "}\n", `d.hcl:1,9-16: Invalid package name`},
		{"no version", "package \"ab\" {\n" + build + "}\n", `Missing required argument; The argument "version" is required`},
		{"bad reference", "image \"x\" {\n  packages = [package.a.b.c]\n}\n", `d.hcl:2,15-28: Invalid package reference`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := Parse("d.hcl", []byte(tc.src), Options{})
			if got := diags.Error(); !diags.HasErrors() || !strings.Contains(got, tc.want) {
				t.Errorf("diagnostics:\n  %s\nwant them to contain:\n  %s", got, tc.want)
			}
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a range: %v", d)
				}
			}
		})
	}
}
