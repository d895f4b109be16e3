package arch

import "testing"

func TestMatches(t *testing.T) {
	for _, tc := range []struct {
		arch, wildcard string
		want           bool
	}{
		{"amd64", "amd64", true},
		{"amd64", "any", true},
		{"amd64", "linux-any", true},
		{"amd64", "any-amd64", true},
		{"arm64", "any-amd64", false},
		{"armhf", "any-arm", true},
		{"armel", "linux-arm", true},
		{"amd64", "kfreebsd-any", false},
		{"amd64", "hurd-amd64", false},
		{"amd64", "i386", false},
	} {
		if got := Matches(tc.arch, tc.wildcard); got != tc.want {
			t.Errorf("Matches(%s, %s) = %v", tc.arch, tc.wildcard, got)
		}
	}
}
