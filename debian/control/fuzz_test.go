package control

import (
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzControlReader: reading in one piece and byte by byte gives the same
// paragraphs and the same error; nothing panics.
func FuzzControlReader(f *testing.F) {
	for _, s := range []string{
		"Package: a\nVersion: 1\n\nPackage: b\n",
		"SHA256:\n 00 1 a\n 11 2 b\n",
		"# c\nA: 1\n \n\t\nB: 2",
		" x\n", "A\n", ": x\n", "A: b\n c\n\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, errA := readAll(strings.NewReader(s))
		b, errB := readAll(iotest.OneByteReader(strings.NewReader(s)))
		if !reflect.DeepEqual(a, b) || (errA == nil) != (errB == nil) || (errA != nil && errA.Error() != errB.Error()) {
			t.Fatalf("whole: %q %v\nbytes: %q %v", a, errA, b, errB)
		}
	})
}
