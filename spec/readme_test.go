package spec

import (
	"os"
	"strings"
	"testing"
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
	def, diags := Parse("README.md", []byte(sample), Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if img := def.Image("app"); img == nil || len(img.Entries) != 4 {
		t.Fatalf("README sample decoded to %+v", def.Images)
	}
}
