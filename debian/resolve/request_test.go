package resolve

import (
	"strings"
	"testing"
)

func TestParseRequest(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"python3", "python3", ""},
		{" libc6:i386 ", "libc6:i386", ""},
		{"libssl3 (= 3.0.15-1~deb12u1)", "libssl3 (= 3.0.15-1~deb12u1)", ""},
		{"libssl3=3.0.15-1~deb12u1", "libssl3 (= 3.0.15-1~deb12u1)", ""},
		{"libc6:arm64=2.36-9", "libc6:arm64 (= 2.36-9)", ""},
		{"a | b", "", "without alternatives"},
		{"a, b", "", "without alternatives"},
		{"perl:any", "", "name an architecture"},
		{"a=", "", "version is empty"},
		{"", "", "without alternatives"},
	}
	for _, tt := range tests {
		r, err := ParseRequest(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseRequest(%q): error %v, want one containing %q", tt.in, err, tt.err)
			}
		case err != nil:
			t.Errorf("ParseRequest(%q): %v", tt.in, err)
		case r.String() != tt.want:
			t.Errorf("ParseRequest(%q) = %q, want %q", tt.in, r, tt.want)
		}
	}
}
