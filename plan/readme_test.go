package plan

import (
	"os"
	"strings"
	"testing"

	"github.com/distill-build/distill/definition"
)

// TestReadmeExample keeps the language sample in the README decodable.
func TestReadmeExample(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "## The language\n\n```hcl\n")
	if !ok {
		t.Fatal("README has no hcl sample under ## The language")
	}
	sample, _, _ := strings.Cut(rest, "```")
	def, diags := parse("README.md", []byte(sample), definition.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	img := def.Image("app")
	if img == nil {
		t.Fatal("README sample has no image app")
	}
	// motd, app, os-release, passwd, group, /root and /home/nonroot.
	if len(img.Entries) != 7 || img.User != "65532" {
		t.Fatalf("README sample decoded to %d entries, user %q", len(img.Entries), img.User)
	}
}
