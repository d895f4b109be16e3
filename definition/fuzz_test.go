package definition

import (
	"testing"
)

// FuzzParse feeds arbitrary definitions through decoding: it must never
// panic, every error must carry a range, and success must yield images.
func FuzzParse(f *testing.F) {
	f.Add([]byte(full), "NAME", "x")
	f.Add([]byte("variable \"NONROOT\" { default = 65532 }\nimage \"a\" {\n  accounts {\n    group \"nonroot\" { gid = NONROOT }\n    user \"nonroot\" { uid = NONROOT }\n  }\n}\n"), "NONROOT", "7")
	f.Add([]byte("image \"x\" {\n  accounts {\n    group \"g\" { gid = 1 }\n    user \"a\" {\n      uid = 1\n      home = \"/home//a/\"\n    }\n  }\n  directory \"/d\" { owner = \"a:g\" }\n}\n"), "", "")
	f.Add([]byte("variable \"A\" { default = 1 }\nimage \"x\" { labels = { a = \"${A}\" } }\n"), "A", "2")
	f.Add([]byte("image \"x\" {\n  file \"/a\" { content = \"\" }\n  file \"/a/b\" { content = \"\" }\n}\n"), "", "")
	f.Add([]byte("image \"x\" { symlink \"/a\" { target = \"b\" } directory \"/c\" { mode = 700 } }"), "", "")
	f.Fuzz(func(t *testing.T, src []byte, argName, argValue string) {
		def, diags := Parse("fuzz.hcl", src, Options{Args: map[string]string{argName: argValue}})
		if diags.HasErrors() {
			if def != nil {
				t.Fatal("definition returned with errors")
			}
			for _, d := range diags {
				if d.Severity == 1 && d.Subject == nil {
					t.Fatalf("error without a range: %v", d)
				}
			}
			return
		}
		if def == nil || len(def.Images) == 0 {
			t.Fatal("success without images")
		}
		for _, img := range def.Images {
			for i := 1; i < len(img.Entries); i++ {
				if img.Entries[i-1].Path >= img.Entries[i].Path {
					t.Fatalf("entries not sorted: %s, %s", img.Entries[i-1].Path, img.Entries[i].Path)
				}
			}
		}
	})
}
