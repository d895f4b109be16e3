package resolve

import (
	"strings"
	"testing"
)

func TestBuildDepends(t *testing.T) {
	const field = "debhelper-compat (= 13), cmake (>= 2.8.0), libfoo-dev [linux-any] | libbar-dev, " +
		"libi386-only [i386], libnot-arm64 [!arm64], check-tool <!nocheck>, stage1-thing <stage1 cross>, " +
		"python3:native, perl:any, gcc-multilib [amd64] <!nobiarch>"
	for _, tc := range []struct {
		host, build string
		profiles    []string
		want        string
	}{
		{"amd64", "amd64", nil, "debhelper-compat (= 13), cmake (>= 2.8.0), libfoo-dev, libnot-arm64, check-tool, python3, perl, gcc-multilib"},
		{"arm64", "amd64", []string{"nocheck", "cross"}, "debhelper-compat (= 13), cmake (>= 2.8.0), libfoo-dev, python3:amd64, perl"},
		{"arm64", "amd64", []string{"stage1", "cross"}, "debhelper-compat (= 13), cmake (>= 2.8.0), libfoo-dev, check-tool, stage1-thing, python3:amd64, perl"},
		{"i386", "i386", []string{"nobiarch"}, "debhelper-compat (= 13), cmake (>= 2.8.0), libfoo-dev, libi386-only, libnot-arm64, check-tool, python3, perl"},
	} {
		got, err := BuildDepends(field, tc.host, tc.build, tc.profiles)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, ", ") != tc.want {
			t.Errorf("%s from %s %v:\n  %s\nwant\n  %s", tc.host, tc.build, tc.profiles, strings.Join(got, ", "), tc.want)
		}
	}
	if _, err := BuildDepends("a (>= ", "amd64", "amd64", nil); err == nil {
		t.Error("a malformed field was accepted")
	}
}
