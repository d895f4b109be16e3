package plan

import (
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
)

const accountsSrc = `
variable "NONROOT" { default = 65532 }
image "static" {
  user = "0"
  accounts {
    group "root" { gid = 0 }
    group "tty" {
      gid     = 5
      members = ["nonroot"]
    }
    group "nobody" { gid = 65534 }
    group "nonroot" { gid = NONROOT }
    user "root" {
      uid  = 0
      home = "/root"
    }
    user "nobody" {
      uid  = 65534
      home = "/nonexistent"
    }
    user "nonroot" { uid = NONROOT }
  }
  directory "/root" { mode = "0750" }
  directory "/srv" { owner = "nonroot:tty" }
}
image "nonroot" {
  from    = image.static
  workdir = "/home/nonroot"
  accounts { run_as = "nonroot" }
}
image "app" {
  from = image.nonroot
  accounts {
    group "app" { gid = "1000" }
    user "app" {
      uid     = 1000
      comment = "The App"
      shell   = "/bin/sh"
    }
    user "nonroot" {
      uid  = NONROOT
      home = "/var/lib/nonroot"
    }
  }
  directory "/srv/app" { owner = "app" }
}
image "root-again" {
  from = image.nonroot
  user = "0"
}
`

func TestAccounts(t *testing.T) {
	def, diags := parse("d.hcl", []byte(accountsSrc), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tc := range []struct {
		image, user, passwd, group, entries string
	}{
		{
			image: "static", user: "0",
			passwd: "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
			group:  "root:x:0:\ntty:x:5:nonroot\nnobody:x:65534:\nnonroot:x:65532:\n",
			// The declared /root keeps its mode; /home/nonroot is made for the user.
			entries: "/etc/group file 644 0:0|/etc/passwd file 644 0:0|/home/nonroot directory 700 65532:65532|/root directory 750 0:0|/srv directory 755 65532:5",
		},
		{
			image: "nonroot", user: "65532",
			passwd:  "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
			entries: "/etc/group file 644 0:0|/etc/passwd file 644 0:0|/home/nonroot directory 700 65532:65532|/root directory 750 0:0|/srv directory 755 65532:5",
		},
		{
			// The image redefines nonroot in place and adds app after the
			// inherited accounts; run_as carries over. /var/lib/nonroot is
			// left to packages: accounts make homes only under /home.
			image: "app", user: "65532",
			passwd:  "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/var/lib/nonroot:/sbin/nologin\napp:x:1000:1000:The App:/home/app:/bin/sh\n",
			group:   "root:x:0:\ntty:x:5:nonroot\nnobody:x:65534:\nnonroot:x:65532:\napp:x:1000:\n",
			entries: "/etc/group file 644 0:0|/etc/passwd file 644 0:0|/home/app directory 700 1000:1000|/root directory 750 0:0|/srv directory 755 65532:5|/srv/app directory 755 1000:1000",
		},
		{image: "root-again", user: "0"},
	} {
		t.Run(tc.image, func(t *testing.T) {
			img := def.Image(tc.image)
			if img.User != tc.user {
				t.Errorf("user %q, want %q", img.User, tc.user)
			}
			files := map[string]string{}
			var entries []*definition.Entry
			for _, e := range img.Entries {
				files[e.Path] = string(e.Content)
				if e.Kind != definition.KindFile {
					entries = append(entries, e)
				} else {
					entries = append(entries, &definition.Entry{Kind: definition.KindFile, Path: e.Path, Mode: e.Mode, UID: e.UID, GID: e.GID, Source: "-"})
				}
			}
			if tc.passwd != "" && files["/etc/passwd"] != tc.passwd {
				t.Errorf("passwd:\n%s\nwant:\n%s", files["/etc/passwd"], tc.passwd)
			}
			if tc.group != "" && files["/etc/group"] != tc.group {
				t.Errorf("group:\n%s\nwant:\n%s", files["/etc/group"], tc.group)
			}
			got := strings.ReplaceAll(entriesString(entries), " src=-", "")
			if tc.entries != "" && got != tc.entries {
				t.Errorf("entries:\n  %s\nwant:\n  %s", got, tc.entries)
			}
		})
	}
}

// TestAccountsMixins checks who an image runs as when its parents disagree:
// the later parent wins, user and run_as alike, and passwd keeps every
// parent's accounts, earlier parents' first.
func TestAccountsMixins(t *testing.T) {
	src := `
image "a" {
  accounts {
    group "a" { gid = 1 }
    user "a" { uid = 1 }
    run_as = "a"
  }
}
image "b" { user = "7" }
image "c" {
  accounts {
    group "c" { gid = 3 }
    user "c" { uid = 3 }
    run_as = "c"
  }
}
image "ab" { from = [image.a, image.b] }
image "ba" { from = [image.b, image.a] }
image "ac" { from = [image.a, image.c] }
image "ca" { from = [image.c, image.a] }
image "ac-root" {
  from = [image.a, image.c]
  user = "0"
}
`
	def, diags := parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, tc := range []struct{ image, user, passwd string }{
		{"ab", "7", "a:x:1:1:a:/home/a:/sbin/nologin\n"},
		{"ba", "1", "a:x:1:1:a:/home/a:/sbin/nologin\n"},
		{"ac", "3", "a:x:1:1:a:/home/a:/sbin/nologin\nc:x:3:3:c:/home/c:/sbin/nologin\n"},
		{"ca", "1", "c:x:3:3:c:/home/c:/sbin/nologin\na:x:1:1:a:/home/a:/sbin/nologin\n"},
		{"ac-root", "0", "a:x:1:1:a:/home/a:/sbin/nologin\nc:x:3:3:c:/home/c:/sbin/nologin\n"},
	} {
		img := def.Image(tc.image)
		var passwd string
		for _, e := range img.Entries {
			if e.Path == "/etc/passwd" {
				passwd = string(e.Content)
			}
		}
		if img.User != tc.user || passwd != tc.passwd {
			t.Errorf("%s: user %q, passwd:\n%s\nwant user %q, passwd:\n%s", tc.image, img.User, passwd, tc.user, tc.passwd)
		}
	}
}

// TestAccountsErrorOnce: a mistake in a parent's accounts is reported once,
// not once per image that extends it.
func TestAccountsErrorOnce(t *testing.T) {
	src := "image \"p\" {\n  accounts {\n    run_as = \"nobody\"\n  }\n}\nimage \"c1\" { from = image.p }\nimage \"c2\" { from = image.p }\n"
	_, diags := parse("d.hcl", []byte(src), definition.Options{})
	if len(diags) != 1 || !strings.Contains(diags.Error(), "d.hcl:3,14-22: Unknown user") {
		t.Errorf("diagnostics: %v", diags)
	}
}

// TestAccountsHomes: homes are cleaned, and made only under /home and for
// /root; system directories stay the packages'.
func TestAccountsHomes(t *testing.T) {
	src := `
image "x" {
  accounts {
    group "g" { gid = 1 }
    user "a" {
      uid = 1
      gid = 1
      home = "/home//a/."
    }
    user "b" {
      uid = 2
      gid = 1
      home = "//"
    }
    user "daemon" {
      uid = 3
      gid = 1
      home = "/usr/sbin"
    }
    user "c" {
      uid = 4
      gid = 1
      home = "/etc/group"
    }
  }
}
`
	def, diags := parse("d.hcl", []byte(src), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	img := def.Image("x")
	if got := entriesString(img.Entries); !strings.HasPrefix(got, "/etc/group file 644 0:0") || !strings.Contains(got, "|/home/a directory 700 1:1") || strings.Count(got, "|") != 2 {
		t.Errorf("entries %s", got)
	}
	if p := string(img.Entries[1].Content); !strings.Contains(p, "a:x:1:1:a:/home/a:") || !strings.Contains(p, "b:x:2:1:b:/:") {
		t.Errorf("passwd %q", p)
	}
}

func TestAccountsErrors(t *testing.T) {
	const groups = "    group \"root\" { gid = 0 }\n"
	for _, tc := range []struct{ name, src, want string }{
		{"owner without accounts", "image \"x\" {\n  directory \"/a\" { owner = \"root\" }\n}\n",
			`d.hcl:2,28-34: Unknown owner; owner "root" names an account, but the image has no accounts block to look it up in`},
		{"bad name", "image \"x\" {\n  accounts {\n    user \"Root\" { uid = 0 }\n  }\n}\n",
			`d.hcl:3,10-16: Invalid user name; "Root" is not a valid user name`},
		{"negative uid", "image \"x\" {\n  accounts {\n    user \"a\" { uid = -1 }\n  }\n}\n",
			`d.hcl:3,22-24: Invalid uid; "-1" is not a number from 0 to 4294967294.`},
		{"missing uid", "image \"x\" {\n  accounts {\n    user \"a\" {}\n  }\n}\n",
			`d.hcl:3,14-14: Missing required argument; The argument "uid" is required`},
		{"duplicate user", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n    user \"a\" { uid = 1 }\n  }\n}\n",
			`d.hcl:5,10-13: Duplicate user; The user "a" is already declared at d.hcl:4,5-13.`},
		{"duplicate uid", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n    user \"b\" {\n      uid = 0\n      gid = 0\n    }\n  }\n}\n",
			`d.hcl:5,5-13: Duplicate uid; In image x, users b and a (at d.hcl:4,5-13) both have uid 0.`},
		{"no primary group", "image \"x\" {\n  accounts {\n    user \"a\" { uid = 7 }\n  }\n}\n",
			`d.hcl:3,5-13: Unknown primary group; In image x, user a's primary group is 7, which no group block declares.`},
		{"unknown member", "image \"x\" {\n  accounts {\n    group \"g\" {\n      gid = 1\n      members = [\"zed\"]\n    }\n  }\n}\n",
			`d.hcl:5,18-23: Unknown group member; Group g lists "zed", which the accounts of image x do not declare`},
		{"unknown run_as", "image \"x\" {\n  accounts {\n    run_as = \"nonroot\"\n  }\n}\n",
			`d.hcl:3,14-23: Unknown user; run_as names "nonroot", which the accounts of image x do not declare.`},
		{"user and run_as", "image \"x\" {\n  user = \"0\"\n  accounts {\n    run_as = \"a\"\n  }\n}\n",
			`d.hcl:4,14-17: Conflicting user; The image sets user at d.hcl:2,3-13 and accounts.run_as: set one.`},
		{"relative home", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" {\n      uid = 0\n      home = \"home\"\n    }\n  }\n}\n",
			`d.hcl:6,14-20: Invalid home; "home" is not an absolute path without ':' or control characters.`},
		{"colon in comment", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" {\n      uid = 0\n      comment = \"a:b\"\n    }\n  }\n}\n",
			`d.hcl:6,17-22: Invalid comment`},
		{"null uid", "variable \"U\" { default = null }\nimage \"x\" {\n  accounts {\n    user \"a\" { uid = U }\n  }\n}\n",
			`d.hcl:4,22-23: Invalid uid; uid is null; it needs a number from 0 to 4294967294.`},
		{"null gid", "variable \"G\" { default = null }\nimage \"x\" {\n  accounts {\n    group \"a\" { gid = G }\n  }\n}\n",
			`d.hcl:4,23-24: Invalid gid; gid is null`},
		{"empty run_as", "image \"x\" {\n  accounts {\n    run_as = \"\"\n  }\n}\n",
			`d.hcl:3,14-16: Invalid run_as; run_as needs the name of a user`},
		{"control character", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" {\n      uid = 0\n      comment = \"a\\rb\"\n    }\n  }\n}\n",
			`d.hcl:6,17-23: Invalid comment`},
		{"duplicate member", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n    group \"g\" {\n      gid = 1\n      members = [\"a\", \"a\"]\n    }\n  }\n}\n",
			`d.hcl:7,23-26: Duplicate member; "a" is already a member of g.`},
		{"explicit gid without group", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" {\n      uid = 0\n      gid = 9\n    }\n  }\n}\n",
			`d.hcl:6,13-14: Unknown primary group`},
		{"two blocks", "image \"x\" {\n  accounts {}\n  accounts {}\n}\n",
			`d.hcl:3,3-11: Duplicate accounts block; An image has one accounts block; the first is at d.hcl:2,3-11.`},
		{"passwd as a file too", "image \"p\" {\n  file \"/etc/passwd\" { content = \"\" }\n}\nimage \"x\" {\n  from = image.p\n  accounts {}\n}\n",
			`d.hcl:2,3-21: Conflicting accounts; /etc/passwd is written from the accounts block at d.hcl:6,3-11`},
		{"owner not a user", "image \"x\" {\n  accounts {\n" + groups + "  }\n  directory \"/a\" { owner = \"nonroot\" }\n}\n",
			`d.hcl:5,28-37: Unknown owner; owner "nonroot": the accounts declare no user "nonroot"`},
		{"owner not a group", "image \"x\" {\n  accounts {\n" + groups + "  }\n  directory \"/a\" { owner = \"0:wheel\" }\n}\n",
			`d.hcl:5,28-37: Unknown owner; owner "0:wheel": the accounts declare no group "wheel"`},
		{"owner id too large", "image \"x\" {\n  accounts {\n" + groups + "    user \"root\" { uid = 0 }\n  }\n  directory \"/a\" { owner = \"root:4294967296\" }\n}\n",
			`Unknown owner; owner "root:4294967296": "4294967296" is not a numeric id`},
		{"passwd as a file in a child", "image \"p\" {\n  accounts {}\n}\nimage \"x\" {\n  from = image.p\n  file \"/etc/group\" { content = \"\" }\n}\n",
			`d.hcl:6,3-20: Conflicting accounts; /etc/group is written from the accounts block at d.hcl:2,3-11`},
		{"numeric owner too large", "image \"x\" {\n  directory \"/a\" { owner = \"4294967296\" }\n}\n",
			`d.hcl:2,28-40: Invalid owner; owner "4294967296": "4294967296" is not a numeric id`},
		{"home under a file", "image \"x\" {\n  file \"/home\" { content = \"\" }\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n  }\n}\n",
			`d.hcl:5,5-13: Path under a non-directory; /home/a lies under /home`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, diags := parse("d.hcl", []byte(tc.src), definition.Options{})
			if !diags.HasErrors() {
				t.Fatalf("no error; got %+v", def)
			}
			if got := diags.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("diagnostics:\n  %s\nwant them to contain:\n  %s", got, tc.want)
			}
		})
	}
}
