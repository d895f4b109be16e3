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
		out = append(out, describe(p))
	}
}

// describe writes p as "@<line> Name=value|Name=value".
func describe(p *Paragraph) string {
	var fs []string
	for i := 0; i < p.Len(); i++ {
		n, v := p.Field(i)
		fs = append(fs, string(n)+"="+string(v))
	}
	return fmt.Sprintf("@%d %s", p.Line, strings.Join(fs, "|"))
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
		{"crlf values", "A: 1\r\nB:\r\n x\r\n\r\nC: 3\r\n", []string{"@1 A=1|B= x", "@5 C=3"}, ""},
		{"lenient names", "Pack age: x\n-X: y\nA: 1\na: 2\n", []string{"@1 Pack age=x|-X=y|A=1|a=2"}, ""},
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

func TestParseParagraph(t *testing.T) {
	const tzdata = "\nPackage: tzdata\nVersion: 2024a-0+deb12u1\nDepends: debconf (>= 0.5) | debconf-2.0\nDescription: time zone\n and daylight-saving time data\n .\n more\n\n\n"
	const tzdataWant = "@2 Package=tzdata|Version=2024a-0+deb12u1|Depends=debconf (>= 0.5) | debconf-2.0|Description=time zone\n and daylight-saving time data\n .\n more"
	tests := []struct {
		name, in string
		syntax   Syntax
		want     string // describe's form, when err is ""
		err      string
	}{
		{"control file", tzdata, Strict, tzdataWant, ""},
		{"control file, lenient", tzdata, Lenient, tzdataWant, ""},
		{"crlf", "Package: a\r\nVersion: 1\r\n\r\n", Strict, "@1 Package=a|Version=1", ""},
		{"empty", "", Strict, "", "test: no fields"},
		{"blank only", "\n \t\n\r\n", Lenient, "", "test: no fields"},
		{"comments only", "# a\n# b\n", Lenient, "", "test: no fields"},
		{"two paragraphs", "Package: a\n\nPackage: b\n", Strict, "", "test:3: more than one paragraph"},
		{"two paragraphs, lenient", "Package: a\n\n# c\nPackage: b\n", Lenient, "", "test:4: more than one paragraph"},
		{"error in the second", "A: 1\n\nB\n", Lenient, "", `test:3: expected "Name: value", got "B"`},
		{"continuation first", " continuation\n", Strict, "", "test:1: continuation line before the first field"},
		{"no colon", "Package: a\nPackage b\n", Strict, "", `test:2: expected "Name: value", got "Package b"`},
		{"comments, lenient", "# c\nPackage: a\n# d\nVersion: 1\n", Lenient, "@2 Package=a|Version=1", ""},
		{"comment field", "#Comment: x\n", Strict, "", `test:1: field name "#Comment" may not start with '#'`},
		{"comment line", "Package: a\n# note\n", Strict, "", `test:2: expected "Name: value", got "# note"`},
		{"hyphen", "Package: a\n-X: y\n", Strict, "", `test:2: field name "-X" may not start with '-'`},
		{"space in name", "Pack age: x\n", Strict, "", `test:1: field name "Pack age" has a space or a non-ASCII character`},
		{"space before colon", "Package : x\n", Strict, "", `test:1: field name "Package " has a space or a non-ASCII character`},
		{"non-ASCII name", "Pàckage: x\n", Strict, "", `test:1: field name "Pàckage" has a space or a non-ASCII character`},
		{"duplicate", "Package: a\nVersion: 1\npackage: b\n", Strict, "", "test:3: duplicate field package"},
		{"duplicate, lenient", "Package: a\npackage: b\n", Lenient, "@1 Package=a|package=b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseParagraph([]byte(tt.in), "test", tt.syntax)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := describe(p); got != tt.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestParseParagraphInPlace: the paragraph's values are slices of the data
// given, not copies, so a caller keeping the data verbatim (a .deb's control
// file goes into status.d as it is) holds one copy.
func TestParseParagraphInPlace(t *testing.T) {
	data := []byte("Package: a\nVersion: 1\n")
	p, err := ParseParagraph(data, "", Strict)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := p.Get("Version")
	if &v[0] != &data[len(data)-2] {
		t.Fatal("Version is not a slice of the data")
	}
	if _, err := ParseParagraph(nil, "", Strict); err == nil || err.Error() != "control data: no fields" {
		t.Fatalf("unnamed: %v", err)
	}
}
