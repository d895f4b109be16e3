package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestLockMismatch plans Debian 12's static from its committed lock, changed
// as hand edits and stale locks change it: each failure names the image's
// packages line, says what is missing once, and says to run distill lock.
func TestLockMismatch(t *testing.T) {
	src, err := os.ReadFile("../examples/distroless-debian12/distill.hcl")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../examples/distroless-debian12/distill.lock.json")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{"MIRROR": "http://mirror.invalid/debian", "SECURITY_MIRROR": "http://mirror.invalid/debian-security"}
	amd64 := ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	for _, tc := range []struct {
		name   string
		edit   func(src string, l *lockfile.Lockfile) string
		want   string
		wantIn string // the message also holds this
	}{
		{name: "image not locked", edit: func(src string, l *lockfile.Lockfile) string {
			delete(l.Images, "static")
			return src
		}, want: `Lockfile out of date; the lockfile has no record of image static for amd64: it was locked before that was added, or for other platforms: run ` + "`distill lock`" + ` to refresh it.`},
		{name: "packages changed", edit: func(src string, _ *lockfile.Lockfile) string {
			return strings.Replace(src, `"media-types"]`, `"media-types", "hostname"]`, 1)
		}, want: `run ` + "`distill lock`" + ` to refresh it.`, wantIn: `Lockfile out of date; the lockfile's image static was solved from packages ["base-files" "netbase" "tzdata" "media-types" "(ca_certificates)"]; the definition now has packages ["base-files" "netbase" "tzdata" "media-types" "hostname" "(ca_certificates)"]: run`},
		// Another image's broken record does not matter; static's does,
		// and is named for static.
		{name: "package gone", edit: func(src string, l *lockfile.Lockfile) string {
			l.Images["static"].Closure["amd64"] = append(l.Images["static"].Closure["amd64"], "ghost")
			return src
		}, want: `Lockfile out of date; the lockfile has no package ghost for amd64: the definition asks for more than was locked: run ` + "`distill lock`" + ` to refresh it.`},
		{name: "another image broken", edit: func(src string, l *lockfile.Lockfile) string {
			l.Images["cc"].Closure["amd64"] = append(l.Images["cc"].Closure["amd64"], "ghost")
			return src
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lock, err := lockfile.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			text := tc.edit(string(src), lock)
			def, diags := parse("distill.hcl", []byte(text), definition.Options{Args: args})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			img := def.Image("static")
			_, err = Packages(t.Context(), def, img, []ocispecs.Platform{amd64}, lock, Options{BuildPlatform: amd64})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			line := img.AttrRange(definition.AttrPackages).String()
			if err == nil || !strings.HasPrefix(err.Error(), line+": ") || !strings.HasSuffix(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), tc.wantIn) || strings.Count(err.Error(), "lock") > strings.Count(tc.want+tc.wantIn, "lock")+1 {
				t.Errorf("error %v\nwant at %s, ending %q", err, line, tc.want)
			}
		})
	}
}
