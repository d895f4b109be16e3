package version

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Version is a Debian package version, [epoch:]upstream_version[-debian_revision]
// (Debian policy §5.6.12).
//
// The zero Version is not a valid version: it has an empty Upstream, which
// ParseVersion rejects. It compares equal to "0". Code that needs "no version"
// (an unversioned dependency, a package not installed) should say so with a
// separate flag, not with the zero Version.
type Version struct {
	// Epoch is the number before the first colon; 0 when absent.
	Epoch int
	// Upstream is the part between the epoch and the last hyphen. It starts
	// with a digit and may contain hyphens (only when there is a Revision) and
	// colons (only when the version string carries an epoch).
	Upstream string
	// Revision is the part after the last hyphen; "" when absent. An absent
	// revision compares equal to "0", as in dpkg.
	Revision string
}

// maxEpoch is the largest epoch dpkg accepts (it stores epochs in a C int).
const maxEpoch = math.MaxInt32

// VersionError reports a version string that is not a valid Debian version.
type VersionError struct {
	Version string // the string as given to ParseVersion
	Reason  string // what is wrong with it
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("invalid version %q: %s", e.Version, e.Reason)
}

// ParseVersion parses a Debian version string.
//
// It accepts what dpkg accepts without complaint and rejects what dpkg rejects
// or warns about:
//   - leading and trailing blanks (spaces, tabs) are ignored, as dpkg does;
//   - the epoch, if present, is the text before the first colon and must be a
//     non-empty run of ASCII digits no larger than 2147483647 (leading zeros
//     are fine: "01:1" is epoch 1);
//   - the revision, if present, is the text after the last hyphen and must
//     not be empty;
//   - the upstream version must be non-empty, start with a digit and contain
//     only ASCII letters, digits and . + ~ - : (a colon can only occur after
//     an epoch, a hyphen only before a revision);
//   - the revision may contain only ASCII letters, digits and . + ~; unlike
//     the upstream version it need not start with a digit.
//
// dpkg only warns about a non-digit start and about invalid characters, and
// lets a sign through in the epoch ("+1:2"); ParseVersion rejects all three,
// since no package in the Debian archive relies on them.
func ParseVersion(s string) (Version, error) {
	bad := func(format string, args ...any) (Version, error) {
		return Version{}, &VersionError{Version: s, Reason: fmt.Sprintf(format, args...)}
	}

	str := strings.Trim(s, " \t")
	if str == "" {
		return bad("version is empty")
	}
	if i := strings.IndexAny(str, " \t"); i >= 0 {
		return bad("version contains whitespace")
	}

	var v Version
	if epoch, rest, ok := strings.Cut(str, ":"); ok {
		switch {
		case epoch == "":
			return bad("epoch before the colon is empty")
		case !allDigits(epoch):
			return bad("epoch %q is not a number", epoch)
		}
		n, err := strconv.ParseUint(epoch, 10, 64)
		if err != nil || n > maxEpoch {
			return bad("epoch %s is too large (the maximum is %d)", epoch, maxEpoch)
		}
		if rest == "" {
			return bad("nothing after the epoch colon")
		}
		v.Epoch = int(n)
		str = rest
	}

	if i := strings.LastIndexByte(str, '-'); i >= 0 {
		v.Upstream, v.Revision = str[:i], str[i+1:]
		if v.Revision == "" {
			return bad("revision after the last hyphen is empty")
		}
	} else {
		v.Upstream = str
	}

	if v.Upstream == "" {
		return bad("upstream version is empty")
	}
	if !isDigit(v.Upstream[0]) {
		return bad("upstream version %q does not start with a digit", v.Upstream)
	}
	if i := indexInvalid(v.Upstream, ".+~-:"); i >= 0 {
		return bad("upstream version %q contains invalid character %s", v.Upstream, quoteAt(v.Upstream, i))
	}
	if i := indexInvalid(v.Revision, ".+~"); i >= 0 {
		return bad("revision %q contains invalid character %s", v.Revision, quoteAt(v.Revision, i))
	}
	return v, nil
}

// MustParseVersion is ParseVersion for versions known to be valid, such as
// constants in code; it panics on an invalid version.
func MustParseVersion(s string) Version {
	v, err := ParseVersion(s)
	if err != nil {
		panic(err)
	}
	return v
}

// String returns the version in Debian's syntax. The epoch is written when it
// is not 0, or when the upstream version contains a colon (without the epoch
// the colon would be read as one). For every Version ParseVersion returns,
// ParseVersion(v.String()) gives v back.
func (v Version) String() string {
	var b strings.Builder
	b.Grow(len(v.Upstream) + len(v.Revision) + 12)
	if v.Epoch != 0 || strings.IndexByte(v.Upstream, ':') >= 0 {
		b.WriteString(strconv.Itoa(v.Epoch))
		b.WriteByte(':')
	}
	b.WriteString(v.Upstream)
	if v.Revision != "" {
		b.WriteByte('-')
		b.WriteString(v.Revision)
	}
	return b.String()
}

// Compare orders v and w as dpkg does and returns -1 if v is earlier than w,
// 0 if they are equal and +1 if v is later.
//
// Equal is not identical: "1.0", "1.00", "0:1.0" and "1.0-0" are all equal.
func (v Version) Compare(w Version) int {
	return CompareVersions(v, w)
}

// CompareVersions orders a and b as dpkg does: by epoch numerically, then by
// upstream version, then by revision, the last two with the algorithm of
// Debian policy §5.6.12. It returns -1, 0 or +1, and does not allocate.
func CompareVersions(a, b Version) int {
	if a.Epoch != b.Epoch {
		if a.Epoch < b.Epoch {
			return -1
		}
		return 1
	}
	if c := compareFragment(a.Upstream, b.Upstream); c != 0 {
		return c
	}
	return compareFragment(a.Revision, b.Revision)
}

// compareFragment compares two upstream versions or two revisions.
//
// Both strings are read as alternating runs: a run of non-digits (possibly
// empty), then a run of digits (possibly empty), and so on. Non-digit runs are
// compared character by character with charWeight, where the end of the run
// weighs as much as a digit; so "~" sorts before the end and everything else
// after it. Digit runs are compared as numbers of any size, an empty run being
// zero.
func compareFragment(a, b string) int {
	if a == b {
		return 0
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		// Non-digit run. Two equal weights are always the same character,
		// so both sides advance together.
		for (i < len(a) && !isDigit(a[i])) || (j < len(b) && !isDigit(b[j])) {
			wa, wb := charWeight(a, i), charWeight(b, j)
			if wa != wb {
				if wa < wb {
					return -1
				}
				return 1
			}
			i++
			j++
		}

		// Digit run: drop leading zeros, then the longer run is the larger
		// number; at equal length the first differing digit decides.
		for i < len(a) && a[i] == '0' {
			i++
		}
		for j < len(b) && b[j] == '0' {
			j++
		}
		ei, ej := i, j
		for ei < len(a) && isDigit(a[ei]) {
			ei++
		}
		for ej < len(b) && isDigit(b[ej]) {
			ej++
		}
		if la, lb := ei-i, ej-j; la != lb {
			if la < lb {
				return -1
			}
			return 1
		}
		for ; i < ei; i, j = i+1, j+1 {
			if a[i] != b[j] {
				if a[i] < b[j] {
					return -1
				}
				return 1
			}
		}
	}
	return 0
}

// charWeight is the sort weight of s[i] inside a non-digit run: '~' sorts
// first, then the end of the run (or of the string, or a digit), then
// letters in ASCII order, then every other character in ASCII order.
func charWeight(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	switch c := s[i]; {
	case c == '~':
		return -1
	case isDigit(c):
		return 0
	case isAlpha(c):
		return int(c)
	default:
		return int(c) + 256
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// indexInvalid returns the index of the first byte of s that is not an ASCII
// letter, digit or one of extra, or -1.
func indexInvalid(s, extra string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isDigit(c) && !isAlpha(c) && strings.IndexByte(extra, c) < 0 {
			return i
		}
	}
	return -1
}

// quoteAt quotes the character starting at s[i] for an error message.
func quoteAt(s string, i int) string {
	r, size := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && size <= 1 {
		return strconv.Quote(s[i : i+1])
	}
	return strconv.QuoteRune(r)
}
