package definition

import "testing"

// TestAttrNames: every attribute has its own name, found again by attrNamed,
// and the schema lists all but run_as (which lives in accounts).
func TestAttrNames(t *testing.T) {
	seen := map[string]Attr{}
	for a := range numAttrs {
		name := a.String()
		if name == "unknown attribute" {
			t.Fatalf("attribute %d has no name", a)
		}
		if prev, ok := seen[name]; ok {
			t.Errorf("%d and %d are both %q", prev, a, name)
		}
		seen[name] = a
		if got, ok := attrNamed(name); !ok || got != a {
			t.Errorf("attrNamed(%q) = %d, %v", name, got, ok)
		}
	}
	schema := imageSchema()
	if len(schema.Attributes) != int(numAttrs)-1 {
		t.Errorf("schema has %d attributes, want %d", len(schema.Attributes), numAttrs-1)
	}
	for _, s := range schema.Attributes {
		if s.Name == AttrRunAs.String() {
			t.Error("run_as is an image attribute in the schema")
		}
	}
	if _, ok := attrNamed("packges"); ok {
		t.Error("a misspelt name was found")
	}
}
