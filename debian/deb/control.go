package deb

import (
	"encoding/hex"
	"fmt"
	"strings"
)

// MD5Sum is one line of a package's md5sums file.
type MD5Sum struct {
	Sum  [16]byte
	Path string // as in the file: relative to the root, without "./"
}

// ParseMD5Sums parses an md5sums control file: "<32 hex digits>  <path>"
// per line.
func ParseMD5Sums(b []byte) ([]MD5Sum, error) {
	var out []MD5Sum
	for i, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		sum, path, ok := strings.Cut(l, " ")
		if !ok || len(sum) != 32 {
			return nil, fmt.Errorf("md5sums line %d: %q is not \"<md5>  <path>\"", i+1, l)
		}
		var s MD5Sum
		if _, err := hex.Decode(s.Sum[:], []byte(sum)); err != nil {
			return nil, fmt.Errorf("md5sums line %d: %q: %w", i+1, sum, err)
		}
		path = strings.TrimLeft(path, " *")
		if path == "" {
			return nil, fmt.Errorf("md5sums line %d: no path", i+1)
		}
		s.Path = path
		out = append(out, s)
	}
	return out, nil
}

// CheckPackageName accepts a name usable as a file name under status.d: a
// Debian package name ([a-z0-9][a-z0-9+.-]+), optionally qualified by an
// architecture (":amd64").
func CheckPackageName(name string) error {
	base, arch, qualified := strings.Cut(name, ":")
	if len(base) < 2 || !isNameStart(base[0]) {
		return fmt.Errorf("invalid package name %q", name)
	}
	for i := 1; i < len(base); i++ {
		if c := base[i]; !isNameStart(c) && c != '+' && c != '.' && c != '-' {
			return fmt.Errorf("invalid package name %q", name)
		}
	}
	if qualified {
		if arch == "" {
			return fmt.Errorf("invalid package name %q: empty architecture", name)
		}
		for i := 0; i < len(arch); i++ {
			if c := arch[i]; !isNameStart(c) && c != '-' {
				return fmt.Errorf("invalid package name %q: bad architecture", name)
			}
		}
	}
	return nil
}

func isNameStart(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
