package deb

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestArReader(t *testing.T) {
	raw := arBytes(
		arMember{"debian-binary", []byte("2.0\n")},
		arMember{"odd", []byte("abc")},
		arMember{"empty", nil},
		arMember{"last/", []byte("xy")}, // GNU-style terminator
	)
	ar := NewArReader(bytes.NewReader(raw))
	var got []string
	for {
		h, err := ar.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(ar)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(b)) != h.Size || h.Mode != 0o100644 || !h.ModTime.Equal(testTime) {
			t.Errorf("%s: %d bytes, header %+v", h.Name, len(b), h)
		}
		got = append(got, h.Name+"="+string(b))
	}
	if want := "debian-binary=2.0\n odd=abc empty= last=xy"; strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}

	// Skipping members without reading them.
	ar = NewArReader(bytes.NewReader(raw))
	n := 0
	for {
		if _, err := ar.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 4 {
		t.Fatalf("%d members", n)
	}
}

func TestArReaderErrors(t *testing.T) {
	good := arBytes(arMember{"a", []byte("hello")})
	for _, tc := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"bad magic", []byte("!<arch>X"), "bad magic"},
		{"short header", append([]byte(arMagic), "debian-binary   1234"...), "unexpected EOF"},
		{"bad terminator", append(good[:len(arMagic)+58:len(arMagic)+58], "xx"...), "bad header terminator"},
		{"bad size", []byte(arMagic + "a               0           0     0     100644  12x4      `\n"), "bad size"},
		{"missing size", []byte(arMagic + "a               0           0     0     100644            `\n"), "missing size"},
		{"bsd long name", []byte(arMagic + "#1/20           0           0     0     100644  20        `\n"), "unsupported ar extension"},
		{"truncated body", good[:len(good)-2], "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ar := NewArReader(bytes.NewReader(tc.raw))
			var err error
			for err == nil {
				if _, err = ar.Next(); err == nil {
					_, err = io.ReadAll(ar)
				}
			}
			if errors.Is(err, io.EOF) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseMD5Sums(t *testing.T) {
	s, err := ParseMD5Sums([]byte("0123456789abcdef0123456789abcdef  usr/share/doc/a b/copyright\nffffffffffffffffffffffffffffffff  etc/x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s) != 2 || s[0].Path != "usr/share/doc/a b/copyright" || s[0].Sum[0] != 0x01 || s[1].Path != "etc/x" {
		t.Fatalf("%+v", s)
	}
	for _, in := range []string{"xyz  a\n", "0123456789abcdef0123456789abcdeg  a\n", "0123456789abcdef0123456789abcdef\n", "0123456789abcdef0123456789abcdef  \n"} {
		if _, err := ParseMD5Sums([]byte(in)); err == nil {
			t.Errorf("ParseMD5Sums(%q) accepted", in)
		}
	}
}

func TestCheckPackageName(t *testing.T) {
	for _, ok := range []string{"tzdata", "libc6", "libstdc++6", "gcc-12-base", "python3.11", "libc6:amd64", "0ad"} {
		if err := CheckPackageName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "..", "../x", "a/b", "Foo", "-x", ".x", "x:", "x:a/b", "x y", "x\x00"} {
		if err := CheckPackageName(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCleanName(t *testing.T) {
	for in, want := range map[string]string{
		"./": "", ".": "", "": "", "/": "", "./usr/bin/": "usr/bin", "usr//bin/./x": "usr/bin/x", "/etc/x": "etc/x",
	} {
		got, err := cleanName(in)
		if err != nil || got != want {
			t.Errorf("cleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"..", "../x", "./a/../b", "a/..", "a/../../b", "x\x00y"} {
		if _, err := cleanName(bad); err == nil {
			t.Errorf("cleanName(%q) accepted", bad)
		}
	}
}
