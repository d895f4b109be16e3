package spec

import (
	"strings"
	"testing"
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
	def, diags := Parse("d.hcl", []byte(accountsSrc), Options{})
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
			// inherited accounts; run_as carries over.
			image: "app", user: "65532",
			passwd:  "root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/var/lib/nonroot:/sbin/nologin\napp:x:1000:1000:The App:/home/app:/bin/sh\n",
			group:   "root:x:0:\ntty:x:5:nonroot\nnobody:x:65534:\nnonroot:x:65532:\napp:x:1000:\n",
			entries: "/etc/group file 644 0:0|/etc/passwd file 644 0:0|/home/app directory 700 1000:1000|/root directory 750 0:0|/srv directory 755 65532:5|/srv/app directory 755 1000:1000|/var/lib/nonroot directory 700 65532:65532",
		},
		{image: "root-again", user: "0"},
	} {
		t.Run(tc.image, func(t *testing.T) {
			img := def.Image(tc.image)
			if img.User != tc.user {
				t.Errorf("user %q, want %q", img.User, tc.user)
			}
			files := map[string]string{}
			var entries []*Entry
			for _, e := range img.Entries {
				files[e.Path] = string(e.Content)
				if e.Kind != KindFile {
					entries = append(entries, e)
				} else {
					entries = append(entries, &Entry{Kind: KindFile, Path: e.Path, Mode: e.Mode, UID: e.UID, GID: e.GID, Source: "-"})
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

func TestAccountsErrors(t *testing.T) {
	const groups = "    group \"root\" { gid = 0 }\n"
	for _, tc := range []struct{ name, src, want string }{
		{"bad name", "image \"x\" {\n  accounts {\n    user \"Root\" { uid = 0 }\n  }\n}\n",
			`d.hcl:3,10-16: Invalid user name; "Root" is not a valid user name`},
		{"negative uid", "image \"x\" {\n  accounts {\n    user \"a\" { uid = -1 }\n  }\n}\n",
			`d.hcl:3,22-24: Invalid uid; "-1" is not a number from 0 to 4294967294.`},
		{"missing uid", "image \"x\" {\n  accounts {\n    user \"a\" {}\n  }\n}\n",
			`d.hcl:3,14-14: Missing required argument; The argument "uid" is required`},
		{"duplicate user", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n    user \"a\" { uid = 1 }\n  }\n}\n",
			`d.hcl:5,10-13: Duplicate user; The user "a" is already declared at d.hcl:4,5-13.`},
		{"duplicate uid", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n    user \"b\" {\n      uid = 0\n      gid = 0\n    }\n  }\n}\n",
			`d.hcl:5,5-13: Duplicate uid; b and a (at d.hcl:4,5-13) both have uid 0.`},
		{"no primary group", "image \"x\" {\n  accounts {\n    user \"a\" { uid = 7 }\n  }\n}\n",
			`d.hcl:3,5-13: Unknown primary group; User a's primary group is 7, which no group block declares; add group "a" { gid = 7 }.`},
		{"unknown member", "image \"x\" {\n  accounts {\n    group \"g\" {\n      gid = 1\n      members = [\"zed\"]\n    }\n  }\n}\n",
			`d.hcl:3,5-14: Unknown group member; Group g lists "zed"`},
		{"unknown run_as", "image \"x\" {\n  accounts {\n    run_as = \"nonroot\"\n  }\n}\n",
			`d.hcl:3,14-23: Unknown user; run_as names "nonroot", which the accounts do not declare.`},
		{"user and run_as", "image \"x\" {\n  user = \"0\"\n  accounts {\n    run_as = \"a\"\n  }\n}\n",
			`d.hcl:4,14-17: Conflicting user; The image sets user at d.hcl:2,3-13 and accounts.run_as: set one.`},
		{"relative home", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" {\n      uid = 0\n      home = \"home\"\n    }\n  }\n}\n",
			`d.hcl:6,14-20: Invalid home; "home" is not an absolute path without ':'.`},
		{"colon in comment", "image \"x\" {\n  accounts {\n" + groups + "    user \"a\" {\n      uid = 0\n      comment = \"a:b\"\n    }\n  }\n}\n",
			`d.hcl:6,17-22: Invalid comment`},
		{"two blocks", "image \"x\" {\n  accounts {}\n  accounts {}\n}\n",
			`d.hcl:3,3-11: Duplicate accounts block; An image has one accounts block; the first is at d.hcl:2,3-11.`},
		{"passwd as a file too", "image \"p\" {\n  file \"/etc/passwd\" { content = \"\" }\n}\nimage \"x\" {\n  from = image.p\n  accounts {}\n}\n",
			`d.hcl:2,3-21: Conflicting accounts; /etc/passwd is written from the accounts block at d.hcl:6,3-11`},
		{"owner not a user", "image \"x\" {\n  accounts {\n" + groups + "  }\n  directory \"/a\" { owner = \"nonroot\" }\n}\n",
			`d.hcl:5,28-37: Unknown owner; owner "nonroot": the accounts declare no user "nonroot"`},
		{"owner not a group", "image \"x\" {\n  accounts {\n" + groups + "  }\n  directory \"/a\" { owner = \"0:wheel\" }\n}\n",
			`d.hcl:5,28-37: Unknown owner; owner "0:wheel": the accounts declare no group "wheel"`},
		{"owner id too large", "image \"x\" {\n  accounts {\n" + groups + "  }\n  directory \"/a\" { owner = \"0:4294967296\" }\n}\n",
			`Unknown owner; owner "0:4294967296": "4294967296" is not a numeric id`},
		{"home under a file", "image \"x\" {\n  file \"/home\" { content = \"\" }\n  accounts {\n" + groups + "    user \"a\" { uid = 0 }\n  }\n}\n",
			`d.hcl:5,5-13: Path under a non-directory; /home/a lies under /home`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			def, diags := Parse("d.hcl", []byte(tc.src), Options{})
			if !diags.HasErrors() {
				t.Fatalf("no error; got %+v", def)
			}
			if got := diags.Error(); !strings.Contains(got, tc.want) {
				t.Errorf("diagnostics:\n  %s\nwant them to contain:\n  %s", got, tc.want)
			}
		})
	}
}
