package deb

import (
	"bytes"
	"errors"
	"io"
	"math/rand"
	"testing"
	"testing/iotest"
)

func TestAheadReader(t *testing.T) {
	data := make([]byte, 1<<20+123)
	rand.New(rand.NewSource(1)).Read(data)
	for _, src := range []struct {
		name string
		r    func() io.Reader
	}{
		{"plain", func() io.Reader { return bytes.NewReader(data) }},
		{"one byte", func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) }},
		{"data with EOF", func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) }},
		{"half", func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) }},
	} {
		t.Run(src.name, func(t *testing.T) {
			a := newAheadReader(src.r(), 3, 4096)
			defer a.Close()
			if err := iotest.TestReader(a, data); err != nil {
				t.Fatal(err)
			}
		})
	}

	// Errors reach the consumer after the data before them, and stay.
	boom := errors.New("boom")
	a := newAheadReader(io.MultiReader(bytes.NewReader(data[:5000]), iotest.ErrReader(boom)), 2, 1024)
	got, err := io.ReadAll(a)
	if !errors.Is(err, boom) || !bytes.Equal(got, data[:5000]) {
		t.Fatalf("read %d bytes, %v", len(got), err)
	}
	if _, err := a.Read(make([]byte, 1)); !errors.Is(err, boom) {
		t.Fatalf("second read: %v", err)
	}
	a.Close()
	a.Close()

	// Closing early stops the goroutine.
	a = newAheadReader(bytes.NewReader(data), 2, 1024)
	if _, err := a.Read(make([]byte, 10)); err != nil {
		t.Fatal(err)
	}
	a.Close()
	select {
	case <-a.exited:
	default:
		t.Fatal("goroutine still running after Close")
	}
}
