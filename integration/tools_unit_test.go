package integration

import (
	"reflect"
	"testing"
)

func TestParseGoMod(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want goMod
	}{
		{
			name: "blocks",
			in: `module example.com/m

go 1.26

tool (
	example.com/a/cmd/x
	example.com/b/v3/cmd/y // a comment
)

require (
	example.com/a v1.2.3 // indirect
	example.com/b/v3 v3.0.0
)

replace example.com/b/v3 => ../b
`,
			want: goMod{
				tools:    []string{"example.com/a/cmd/x", "example.com/b/v3/cmd/y"},
				requires: map[string]string{"example.com/a": "v1.2.3", "example.com/b/v3": "v3.0.0"},
				replaces: map[string]string{"example.com/b/v3": "../b"},
			},
		},
		{
			name: "single lines",
			in: `module example.com/m
tool example.com/a/cmd/x
require example.com/a v1.2.3
replace example.com/a v1.2.3 => example.com/fork v1.2.4
`,
			want: goMod{
				tools:    []string{"example.com/a/cmd/x"},
				requires: map[string]string{"example.com/a": "v1.2.3"},
				replaces: map[string]string{"example.com/a": "example.com/fork v1.2.4"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGoMod([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("parseGoMod() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestToolKey(t *testing.T) {
	base := `tool example.com/a/cmd/x
require example.com/a v1.2.3
require example.com/other v1.0.0
`
	tests := []struct {
		name    string
		in      string
		sameKey bool // as base's
	}{
		{"same file", base, true},
		{"unrelated dependency changes", base + "require example.com/more v0.1.0\n", true},
		{"tool version changes", "tool example.com/a/cmd/x\nrequire example.com/a v1.2.4\n", false},
		{"tool module replaced", base + "replace example.com/a => ../a\n", false},
		{"another tool", base + "tool example.com/other/cmd/z\n", false},
	}
	key := func(s string) string {
		t.Helper()
		m, err := parseGoMod([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		k, err := m.toolKey()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	want := key(base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := key(tt.in); (got == want) != tt.sameKey {
				t.Errorf("key = %s, base key = %s, want same: %v", got, want, tt.sameKey)
			}
		})
	}
}

func TestBinaryName(t *testing.T) {
	tests := []struct{ pkg, want string }{
		{"github.com/moby/buildkit/cmd/buildkitd", "buildkitd"},
		{"github.com/distribution/distribution/v3/cmd/registry", "registry"},
		{"example.com/tool/v2", "tool"},
	}
	for _, tt := range tests {
		if got := binaryName(tt.pkg); got != tt.want {
			t.Errorf("binaryName(%q) = %q, want %q", tt.pkg, got, tt.want)
		}
	}
}
