// Package aptsources reads the Debian mirrors this machine's apt uses, so
// the CLI and the tests can default a definition's MIRROR to them: the
// mirror is configuration, never written into the repository.
//
// apt's deb822 sources (sources.list.d/*.sources) are read by debian/control,
// the one deb822 parser; the one-line format (sources.list, *.list) is read
// here.
package aptsources

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/distill-build/distill/debian/control"
)

// Mirrors maps an archive's name (the last element of its URL path:
// "debian", "debian-security") to the first URL apt's sources give for it.
func Mirrors(root string) map[string]string {
	out := map[string]string{}
	add := func(uri string) {
		uri = strings.TrimRight(uri, "/")
		if !strings.HasPrefix(uri, "http://") && !strings.HasPrefix(uri, "https://") {
			return
		}
		name := uri[strings.LastIndexByte(uri, '/')+1:]
		if _, ok := out[name]; !ok {
			out[name] = uri
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "etc/apt/sources.list.d/*.sources"))
	sort.Strings(files)
	for _, f := range files {
		for _, uri := range deb822URIs(f) {
			add(uri)
		}
	}
	lists, _ := filepath.Glob(filepath.Join(root, "etc/apt/sources.list.d/*.list"))
	sort.Strings(lists)
	for _, f := range append([]string{filepath.Join(root, "etc/apt/sources.list")}, lists...) {
		for _, uri := range oneLineURIs(f) {
			add(uri)
		}
	}
	return out
}

// deb822URIs reads the URIs of the stanzas of types "deb" that are not
// disabled. Values may be folded over several lines, as Signed-By is when it
// embeds a key. A syntax error ends the file: apt refuses such a file, and
// the stanzas before the error are kept.
func deb822URIs(file string) []string {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	cr := control.NewControlReader(f, file)
	var out []string
	for {
		p, err := cr.Next()
		if err != nil {
			return out
		}
		if !slices.Contains(strings.Fields(p.String("Types")), "deb") || strings.EqualFold(p.String("Enabled"), "no") {
			continue
		}
		out = append(out, strings.Fields(p.String("URIs"))...)
	}
}

// oneLineURIs reads "deb [options] URI suite components" lines.
func oneLineURIs(file string) []string {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || fields[0] != "deb" {
			continue
		}
		rest := fields[1:]
		if strings.HasPrefix(rest[0], "[") {
			for len(rest) > 0 && !strings.HasSuffix(rest[0], "]") {
				rest = rest[1:]
			}
			rest = rest[1:]
		}
		if len(rest) > 0 {
			out = append(out, rest[0])
		}
	}
	return out
}
