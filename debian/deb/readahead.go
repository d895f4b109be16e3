package deb

import "io"

// aheadReader reads its source in a goroutine of its own, a few chunks
// ahead of the consumer, so that decompressing the data archive overlaps
// the file system work of extracting it. Close stops the goroutine and
// waits for it, so the source may be released afterwards.
type aheadReader struct {
	full   chan chunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	cur    []byte // unread part of the current chunk
	held   []byte // the current chunk's buffer, to give back
	err    error
}

type chunk struct {
	b   []byte
	err error
}

func newAheadReader(r io.Reader, chunks, size int) *aheadReader {
	a := &aheadReader{
		full:   make(chan chunk, chunks),
		free:   make(chan []byte, chunks),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for i := 0; i < chunks; i++ {
		a.free <- make([]byte, size)
	}
	go a.fill(r)
	return a
}

func (a *aheadReader) fill(r io.Reader) {
	defer close(a.exited)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.done:
			return
		}
		n, err := 0, error(nil)
		for n < len(b) && err == nil {
			var k int
			k, err = r.Read(b[n:])
			n += k
		}
		select {
		case a.full <- chunk{b[:n], err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.held != nil {
			a.free <- a.held[:cap(a.held)]
			a.held = nil
		}
		if a.err != nil {
			return 0, a.err
		}
		c := <-a.full
		a.cur, a.held, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops reading ahead and returns once the goroutine has left.
func (a *aheadReader) Close() {
	select {
	case <-a.done:
	default:
		close(a.done)
	}
	<-a.exited
}
