package control

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll returns every paragraph of s as "Name=value" lines joined by "|".
func readAll(r io.Reader) ([]string, error) {
	cr := NewControlReader(r, "test")
	var out []string
	for {
		p, err := cr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var fs []string
		for i := 0; i < p.Len(); i++ {
			n, v := p.Field(i)
			fs = append(fs, string(n)+"="+string(v))
		}
		out = append(out, fmt.Sprintf("@%d %s", p.Line, strings.Join(fs, "|")))
	}
}

func TestControlReader(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		err      string
	}{
		{"empty", "", nil, ""},
		{"blank lines only", "\n \n\t\n", nil, ""},
		{"one paragraph", "Package: a\nVersion: 1\n", []string{"@1 Package=a|Version=1"}, ""},
		{"no final newline", "Package: a\nVersion: 1", []string{"@1 Package=a|Version=1"}, ""},
		{"two paragraphs", "A: 1\n\nB: 2\n", []string{"@1 A=1", "@3 B=2"}, ""},
		{"many separators", "\n\nA: 1\n\n\n \t \nB: 2\n\n", []string{"@3 A=1", "@7 B=2"}, ""},
		{"blanks around values", "A:   x y  \nB:\t2\t\n", []string{"@1 A=x y|B=2"}, ""},
		{"no space after colon", "A:x\n", []string{"@1 A=x"}, ""},
		{"colon in value", "A: http://x:80/y\n", []string{"@1 A=http://x:80/y"}, ""},
		{"empty value", "A:\nB: 2\n", []string{"@1 A=|B=2"}, ""},
		{"folded", "Depends: a,\n b,\n\tc\nX: y\n", []string{"@1 Depends=a,\n b,\n\tc|X=y"}, ""},
		{"multiline starting empty", "SHA256:\n 00 1 a\n 11 2 b\n", []string{"@1 SHA256= 00 1 a\n 11 2 b"}, ""},
		{"description dots", "Description: short\n long\n .\n more\n", []string{"@1 Description=short\n long\n .\n more"}, ""},
		{"comments", "# top\nA: 1\n# inside\nB: 2\n", []string{"@2 A=1|B=2"}, ""},
		{"crlf separator", "A: 1\n\r\nB: 2\n", []string{"@1 A=1", "@3 B=2"}, ""},
		{"continuation first", " x\n", nil, "test:1: continuation line before the first field"},
		{"no colon", "A: 1\nbogus line\n", nil, `test:2: expected "Name: value", got "bogus line"`},
		{"empty name", ": x\n", nil, `test:1: expected "Name: value", got ": x"`},
		{"error after paragraphs", "A: 1\n\nB: 2\nnope\n", []string{"@1 A=1"}, `test:4: expected "Name: value", got "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []string{"whole", "onebyte", "halves"} {
				var r io.Reader = strings.NewReader(tt.in)
				switch mode {
				case "onebyte":
					r = iotest.OneByteReader(r)
				case "halves":
					r = iotest.HalfReader(r)
				}
				got, err := readAll(r)
				errs := ""
				if err != nil {
					errs = err.Error()
				}
				if errs != tt.err {
					t.Errorf("%s: error %q, want %q", mode, errs, tt.err)
				}
				if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
					t.Errorf("%s: got\n%q\nwant\n%q", mode, got, tt.want)
				}
			}
		})
	}
}

func TestControlReaderLongLines(t *testing.T) {
	// Values longer than the reader's buffer, and many paragraphs, so that
	// refills land inside fields and between paragraphs.
	long := strings.Repeat("x", 3*controlReaderBufSize+17)
	var b strings.Builder
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, "Package: p%d\nVersion: %d\n", i, i)
		if i%1000 == 7 {
			fmt.Fprintf(&b, "Provides: %s\n %s\n", long, long)
		}
		b.WriteString("\n")
	}
	for _, mode := range []string{"whole", "halves"} {
		var r io.Reader = strings.NewReader(b.String())
		if mode == "halves" {
			r = iotest.HalfReader(r)
		}
		cr := NewControlReader(r, "")
		n := 0
		line := 1
		for {
			p, err := cr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.String("package"); got != fmt.Sprintf("p%d", n) {
				t.Fatalf("%s: paragraph %d: Package %q", mode, n, got)
			}
			if p.Line != line {
				t.Fatalf("%s: paragraph %d at line %d, want %d", mode, n, p.Line, line)
			}
			line += 3
			if v, ok := p.Get("PROVIDES"); ok {
				if len(v) != 2*len(long)+2 {
					t.Fatalf("%s: paragraph %d: Provides has %d bytes", mode, n, len(v))
				}
				line += 2
			} else if n%1000 == 7 {
				t.Fatalf("%s: paragraph %d: no Provides", mode, n)
			}
			n++
		}
		if n != 3000 {
			t.Fatalf("%s: %d paragraphs", mode, n)
		}
	}
}

func TestControlReaderReadError(t *testing.T) {
	r := io.MultiReader(strings.NewReader("A: 1\n\nB: 2\n"), iotest.ErrReader(fmt.Errorf("boom")))
	got, err := readAll(r)
	if err == nil || !strings.Contains(err.Error(), "reading test: boom") {
		t.Fatalf("error %v, want a read error naming the stream", err)
	}
	_ = got
}

func TestParagraphGet(t *testing.T) {
	cr := NewControlReader(strings.NewReader("Package: a\nMulti-Arch: same\n"), "")
	p, err := cr.Next()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"multi-arch", "MULTI-ARCH", "Multi-Arch"} {
		if v, ok := p.Get(name); !ok || string(v) != "same" {
			t.Errorf("Get(%q) = %q, %t", name, v, ok)
		}
	}
	if _, ok := p.Get("Multi-Arc"); ok {
		t.Error("Get of a missing field succeeded")
	}
	if s := p.String("Nope"); s != "" {
		t.Errorf("String of a missing field = %q", s)
	}
}
