package definition

import (
	"io/fs"
	"strconv"
)

func octal(m fs.FileMode) string { return strconv.FormatUint(uint64(m), 8) }
func itoa(n int) string          { return strconv.Itoa(n) }
func quote(s string) string      { return strconv.Quote(s) }
