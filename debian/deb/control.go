package deb

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Field is one field of a control paragraph. Value keeps continuation lines
// joined by "\n" with their leading space or tab, as in the file, so that
// multi-line fields such as Description survive a round trip.
type Field struct {
	Name  string
	Value string
}

// Paragraph is a parsed control paragraph, fields in file order.
type Paragraph []Field

// Get returns the value of the named field (case-insensitive), or "".
func (p Paragraph) Get(name string) string {
	for _, f := range p {
		if strings.EqualFold(f.Name, name) {
			return f.Value
		}
	}
	return ""
}

// ParseControl parses a binary package's control file: exactly one
// paragraph of "Name: value" fields with continuation lines that start with
// a space or a tab. Blank lines before and after the paragraph are allowed.
func ParseControl(b []byte) (Paragraph, error) {
	var p Paragraph
	seen := map[string]bool{}
	ended := false
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, maxControlSize+1)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(s) == "" {
			if len(p) > 0 {
				ended = true
			}
			continue
		}
		if ended {
			return nil, fmt.Errorf("control line %d: more than one paragraph", line)
		}
		if s[0] == ' ' || s[0] == '\t' {
			if len(p) == 0 {
				return nil, fmt.Errorf("control line %d: continuation line before any field", line)
			}
			p[len(p)-1].Value += "\n" + s
			continue
		}
		name, value, ok := strings.Cut(s, ":")
		if !ok {
			return nil, fmt.Errorf("control line %d: %q is not a field", line, s)
		}
		if err := checkFieldName(name); err != nil {
			return nil, fmt.Errorf("control line %d: %w", line, err)
		}
		key := strings.ToLower(name)
		if seen[key] {
			return nil, fmt.Errorf("control line %d: duplicate field %s", line, name)
		}
		seen[key] = true
		p = append(p, Field{Name: name, Value: strings.TrimSpace(value)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if len(p) == 0 {
		return nil, errors.New("control: no fields")
	}
	return p, nil
}

func checkFieldName(name string) error {
	if name == "" {
		return errors.New("empty field name")
	}
	if name[0] == '#' || name[0] == '-' {
		return fmt.Errorf("field name %q may not start with %q", name, name[0])
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c >= 0x7f {
			return fmt.Errorf("field name %q has a space or a non-ASCII character", name)
		}
	}
	return nil
}

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
