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

// FuzzParseParagraph: ParseParagraph agrees with the reader, and what the
// Strict rules accept the Lenient ones read the same.
func FuzzParseParagraph(f *testing.F) {
	for _, s := range []string{
		"Package: a\nVersion: 1\n", "\nA: b\n c\n\n", "#C: x\n", "A: 1\na: 2\n",
		"A: 1\n\nB: 2\n", "-X: y\n", "A: 1\r\n", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		all, errAll := readAll(strings.NewReader(s))
		lenient, errL := ParseParagraph([]byte(s), "test", Lenient)
		if errAll == nil && len(all) == 1 {
			if errL != nil || describe(lenient) != all[0] {
				t.Fatalf("reader: %q; ParseParagraph: %v", all, errL)
			}
		} else if errL == nil {
			t.Fatalf("reader: %q %v; ParseParagraph accepted %q", all, errAll, describe(lenient))
		}
		strict, errS := ParseParagraph([]byte(s), "test", Strict)
		if errS == nil && (errL != nil || describe(strict) != describe(lenient)) {
			t.Fatalf("strict: %q; lenient: %v", describe(strict), errL)
		}
	})
}
