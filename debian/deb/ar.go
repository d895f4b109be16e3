package deb

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// arMagic starts every ar archive.
const arMagic = "!<arch>\n"

// arHeaderSize is the size of an ar member header.
const arHeaderSize = 60

// ArHeader describes one member of an ar archive.
type ArHeader struct {
	Name    string // trailing spaces and the GNU "/" terminator removed
	ModTime time.Time
	UID     int
	GID     int
	Mode    int64
	Size    int64
}

// ArReader reads the members of an ar archive (the common format used by
// .deb files) sequentially from a stream.
type ArReader struct {
	r       io.Reader
	started bool
	remain  int64 // unread bytes of the current member
	pad     int64 // padding byte after the current member
	off     int64 // offset of the next header, for error messages
	err     error
}

// NewArReader returns a reader of the ar archive in r.
func NewArReader(r io.Reader) *ArReader {
	return &ArReader{r: r}
}

// Next skips the rest of the current member and returns the header of the
// next one. It returns io.EOF at the end of the archive.
func (a *ArReader) Next() (*ArHeader, error) {
	if a.err != nil {
		return nil, a.err
	}
	h, err := a.next()
	if err != nil {
		a.err = err
	}
	return h, err
}

func (a *ArReader) next() (*ArHeader, error) {
	if !a.started {
		a.started = true
		var m [len(arMagic)]byte
		if _, err := io.ReadFull(a.r, m[:]); err != nil {
			return nil, fmt.Errorf("ar: reading magic: %w", unexpected(err))
		}
		if string(m[:]) != arMagic {
			return nil, errors.New("ar: not an ar archive (bad magic)")
		}
		a.off = int64(len(arMagic))
	}
	if n := a.remain + a.pad; n > 0 {
		if _, err := io.CopyN(io.Discard, a.r, n); err != nil {
			return nil, fmt.Errorf("ar: skipping member: %w", unexpected(err))
		}
		a.remain, a.pad = 0, 0
	}
	var b [arHeaderSize]byte
	n, err := io.ReadFull(a.r, b[:])
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		if n == 1 && b[0] == '\n' {
			// A stray padding byte at the very end: tolerated, as ar does.
			return nil, io.EOF
		}
		return nil, fmt.Errorf("ar: member header at offset %d: %w", a.off, unexpected(err))
	}
	h, err := parseArHeader(b[:])
	if err != nil {
		return nil, fmt.Errorf("ar: member header at offset %d: %w", a.off, err)
	}
	a.remain = h.Size
	a.pad = h.Size & 1
	a.off += arHeaderSize + h.Size + a.pad
	return h, nil
}

// Read reads from the current member.
func (a *ArReader) Read(p []byte) (int, error) {
	if a.remain <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > a.remain {
		p = p[:a.remain]
	}
	n, err := a.r.Read(p)
	a.remain -= int64(n)
	if errors.Is(err, io.EOF) && a.remain > 0 {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if a.remain == 0 && err == nil {
		return n, io.EOF
	}
	return n, err
}

func parseArHeader(b []byte) (*ArHeader, error) {
	if string(b[58:60]) != "`\n" {
		return nil, errors.New("bad header terminator")
	}
	name := strings.TrimRight(string(b[0:16]), " ")
	if strings.HasPrefix(name, "#1/") || name == "/" || name == "//" || strings.HasPrefix(name, "/") {
		return nil, fmt.Errorf("unsupported ar extension member %q (symbol table or long name)", name)
	}
	name = strings.TrimSuffix(name, "/")
	if name == "" {
		return nil, errors.New("empty member name")
	}
	if i := bytes.IndexFunc([]byte(name), func(r rune) bool { return r < 0x20 || r == 0x7f }); i >= 0 {
		return nil, fmt.Errorf("member name %q has a control character", name)
	}
	num := func(field string, s []byte, base int) (int64, error) {
		t := strings.TrimRight(string(s), " ")
		if t == "" {
			return 0, nil
		}
		v, err := strconv.ParseInt(t, base, 64)
		if err != nil || v < 0 {
			return 0, fmt.Errorf("member %q: bad %s %q", name, field, t)
		}
		return v, nil
	}
	mtime, err := num("mtime", b[16:28], 10)
	if err != nil {
		return nil, err
	}
	uid, err := num("uid", b[28:34], 10)
	if err != nil {
		return nil, err
	}
	gid, err := num("gid", b[34:40], 10)
	if err != nil {
		return nil, err
	}
	mode, err := num("mode", b[40:48], 8)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(string(b[48:58])) == "" {
		return nil, fmt.Errorf("member %q: missing size", name)
	}
	size, err := num("size", b[48:58], 10)
	if err != nil {
		return nil, err
	}
	return &ArHeader{
		Name:    name,
		ModTime: time.Unix(mtime, 0).UTC(),
		UID:     int(uid),
		GID:     int(gid),
		Mode:    mode,
		Size:    size,
	}, nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
