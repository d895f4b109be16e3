package control

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
)

// ControlReader reads deb822 control paragraphs (Packages, Release, status,
// debian/control) from a stream, one at a time, without holding the whole
// stream in memory.
//
// The syntax follows deb822(5) and Debian policy §5.1: a paragraph is a run
// of "Name: value" fields, each optionally continued by lines starting with
// a space or a tab; paragraphs are separated by lines that are empty or hold
// only spaces and tabs. Lines starting with '#' are comments and skipped (they
// occur in debian/control and apt's sources, never in archive indexes). A
// carriage return is a blank where blanks are trimmed (around a value, and
// in a separator line), so the single-line fields of a CRLF file read as
// those of an LF one. A paragraph that never ends in a newline is accepted at
// the end of the stream.
//
// NewControlReader reads by the Lenient rules; ParseParagraph can hold a
// single paragraph to the Strict ones.
//
// The reader works in place in its buffer: the Paragraph Next returns, and
// every byte slice it hands out, stays valid only until the next call to Next.
type ControlReader struct {
	r    io.Reader
	name string // names the stream in errors, may be ""

	buf      []byte
	pos, end int // unread data is buf[pos:end]
	eof      bool
	readErr  error
	line     int // number of lines consumed before buf[pos]
	strict   bool

	para Paragraph
}

// Syntax chooses the rules a paragraph is read by.
type Syntax uint8

const (
	// Lenient reads Release files, Packages indexes, debian/control and
	// apt's sources: lines starting with '#' are comments, a field name is
	// whatever precedes the first colon, and a repeated field is kept (Get
	// returns the first).
	Lenient Syntax = iota
	// Strict reads a binary package's control file as dpkg does: deb822(5)
	// permits comments only in source package control files, so a line
	// starting with '#' is a field, and refused for its name; a field name is
	// printable US-ASCII without spaces and starts with neither '#' nor '-'
	// (Debian policy §5.1); no field appears twice, in any case.
	Strict
)

const controlReaderBufSize = 256 << 10

// NewControlReader returns a reader of the paragraphs in r. name, if not
// empty, names the stream in error messages (a file name or URL path).
func NewControlReader(r io.Reader, name string) *ControlReader {
	return &ControlReader{r: r, name: name, buf: make([]byte, controlReaderBufSize)}
}

// Paragraph is one control paragraph. Field names and values are slices of
// the reader's buffer: copy what you keep.
type Paragraph struct {
	// Line is the 1-based line number of the paragraph's first field.
	Line   int
	fields []field
	buf    []byte
}

type field struct {
	name, value span
}

type span struct{ start, end int }

// Len returns the number of fields.
func (p *Paragraph) Len() int { return len(p.fields) }

// Field returns the name and the value of the i-th field. A multi-line value
// keeps its line breaks and the leading blank of each continuation line; the
// value of a single-line field has no surrounding blanks.
func (p *Paragraph) Field(i int) (name, value []byte) {
	f := p.fields[i]
	return p.buf[f.name.start:f.name.end], p.buf[f.value.start:f.value.end]
}

// Get returns the value of the field called name, compared without regard to
// ASCII case as deb822 requires, and whether the paragraph has it.
func (p *Paragraph) Get(name string) ([]byte, bool) {
	for i := range p.fields {
		n, v := p.Field(i)
		if equalFoldASCII(n, name) {
			return v, true
		}
	}
	return nil, false
}

// String returns a copy of the value of the field called name, or "".
func (p *Paragraph) String(name string) string {
	v, _ := p.Get(name)
	return string(v)
}

// ControlError is a syntax error in a control file.
type ControlError struct {
	File string // the stream's name, may be ""
	Line int    // 1-based
	Msg  string
}

func (e *ControlError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// Next returns the next paragraph, or io.EOF after the last one.
func (cr *ControlReader) Next() (*Paragraph, error) {
restart:
	// Skip blank lines and comments between paragraphs.
	for {
		nl := bytes.IndexByte(cr.buf[cr.pos:cr.end], '\n')
		if nl < 0 {
			if !cr.eof {
				if err := cr.fill(cr.pos); err != nil {
					return nil, err
				}
				continue
			}
			if isBlank(cr.buf[cr.pos:cr.end]) {
				cr.pos = cr.end
				if cr.readErr != nil {
					return nil, cr.readErr
				}
				return nil, io.EOF
			}
			break // a last paragraph without a final newline
		}
		line := cr.buf[cr.pos : cr.pos+nl]
		if !isBlank(line) && (line[0] != '#' || cr.strict) {
			break
		}
		cr.pos += nl + 1
		cr.line++
	}

	// Parse the paragraph starting at cr.pos. If it runs past the buffered
	// data, read more and parse it again from its start: offsets stay valid
	// because fill moves the paragraph to the start of the buffer.
	start := cr.pos
	p := &cr.para
	p.fields = p.fields[:0]
	p.Line = cr.line + 1
	lines := 0
	i := start
	for {
		nl := bytes.IndexByte(cr.buf[i:cr.end], '\n')
		lineEnd, next := i+nl, i+nl+1
		if nl < 0 {
			if !cr.eof {
				if err := cr.fill(start); err != nil {
					return nil, err
				}
				goto restart
			}
			lineEnd, next = cr.end, cr.end
		}
		line := cr.buf[i:lineEnd]
		if i == lineEnd && next == lineEnd { // end of data
			break
		}
		lines++
		if isBlank(line) {
			i = next
			break
		}
		switch c := line[0]; {
		case c == ' ' || c == '\t':
			if len(p.fields) == 0 {
				return nil, cr.Errorf(cr.line+lines, "continuation line before the first field")
			}
			f := &p.fields[len(p.fields)-1]
			if f.value.start == f.value.end {
				// The value started empty on the field's line (as in
				// "SHA256:\n <hash> ..."): start it here.
				f.value.start = i
			}
			f.value.end = lineEnd
			for f.value.end > f.value.start && isBlankByte(cr.buf[f.value.end-1]) {
				f.value.end--
			}
		case c == '#' && !cr.strict:
			// A comment inside a paragraph (deb822 allows them in
			// debian/control): skip it.
		default:
			colon := bytes.IndexByte(line, ':')
			if colon <= 0 {
				return nil, cr.Errorf(cr.line+lines, "expected \"Name: value\", got %q", truncate(line, 60))
			}
			name := span{i, i + colon}
			if cr.strict {
				if err := cr.checkStrictName(p, line[:colon], cr.line+lines); err != nil {
					return nil, err
				}
			}
			vs, ve := i+colon+1, lineEnd
			for vs < ve && isSpaceTab(cr.buf[vs]) {
				vs++
			}
			for ve > vs && isBlankByte(cr.buf[ve-1]) {
				ve--
			}
			p.fields = append(p.fields, field{name: name, value: span{vs, ve}})
		}
		i = next
		if i >= cr.end && cr.eof {
			break
		}
	}
	cr.pos = i
	cr.line += lines
	p.buf = cr.buf
	if len(p.fields) == 0 {
		goto restart
	}
	return p, nil
}

// checkStrictName applies the Strict rules to the name of a field on line,
// the fields before it in p.
func (cr *ControlReader) checkStrictName(p *Paragraph, name []byte, line int) error {
	if name[0] == '#' || name[0] == '-' {
		return cr.Errorf(line, "field name %q may not start with %q", name, name[0])
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7f {
			return cr.Errorf(line, "field name %q has a space or a non-ASCII character", name)
		}
	}
	for i := range p.fields {
		f := p.fields[i].name
		if bytes.EqualFold(cr.buf[f.start:f.end], name) {
			return cr.Errorf(line, "duplicate field %s", name)
		}
	}
	return nil
}

// ParseParagraph reads data, which must hold exactly one paragraph, blank
// lines (and, when Lenient, comments) around it allowed: a .deb's control
// file, or any other single stanza held in memory. name names it in errors.
// data is not copied: the paragraph's names and values are slices of it.
func ParseParagraph(data []byte, name string, syntax Syntax) (*Paragraph, error) {
	cr := &ControlReader{name: name, buf: data, end: len(data), eof: true, strict: syntax == Strict}
	p, err := cr.Next()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: no fields", cr.displayName())
	}
	if err != nil {
		return nil, err
	}
	one := &Paragraph{Line: p.Line, fields: slices.Clone(p.fields), buf: data}
	switch next, err := cr.Next(); {
	case errors.Is(err, io.EOF):
		return one, nil
	case err != nil:
		return nil, err
	default:
		return nil, cr.Errorf(next.Line, "more than one paragraph")
	}
}

// fill moves buf[keep:end] to the start of the buffer, grows the buffer if it
// is full, and reads more data.
func (cr *ControlReader) fill(keep int) error {
	if keep > 0 {
		n := copy(cr.buf, cr.buf[keep:cr.end])
		cr.pos -= keep
		cr.end = n
	}
	if cr.end == len(cr.buf) {
		nb := make([]byte, 2*len(cr.buf))
		copy(nb, cr.buf[:cr.end])
		cr.buf = nb
	}
	for tries := 0; ; tries++ {
		n, err := cr.r.Read(cr.buf[cr.end:])
		cr.end += n
		if err != nil {
			cr.eof = true
			if !errors.Is(err, io.EOF) {
				cr.readErr = fmt.Errorf("reading %s: %w", cr.displayName(), err)
				return cr.readErr
			}
			return nil
		}
		if n > 0 {
			return nil
		}
		if tries > 100 {
			cr.eof = true
			cr.readErr = fmt.Errorf("reading %s: %w", cr.displayName(), io.ErrNoProgress)
			return cr.readErr
		}
	}
}

func (cr *ControlReader) displayName() string {
	if cr.name == "" {
		return "control data"
	}
	return cr.name
}

// Errorf returns a *ControlError at line of the stream.
func (cr *ControlReader) Errorf(line int, format string, args ...any) error {
	return &ControlError{File: cr.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func isSpaceTab(c byte) bool { return c == ' ' || c == '\t' }

// isBlankByte is what isBlank skips: trailing blanks of a value include the
// CR of a CRLF line end.
func isBlankByte(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

func isBlank(b []byte) bool {
	for _, c := range b {
		if !isBlankByte(c) {
			return false
		}
	}
	return true
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}

// equalFoldASCII reports whether b equals s without regard to ASCII case.
func equalFoldASCII(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		if lowerASCII(b[i]) != lowerASCII(s[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// ValueLines calls fn for each non-blank line of a multi-line field value,
// with its surrounding blanks removed.
func ValueLines(v []byte, fn func(line []byte) error) error {
	for len(v) > 0 {
		var line []byte
		if nl := bytes.IndexByte(v, '\n'); nl >= 0 {
			line, v = v[:nl], v[nl+1:]
		} else {
			line, v = v, nil
		}
		line = bytes.Trim(line, " \t\r")
		if len(line) == 0 {
			continue
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return nil
}
