package deb

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// caDir is where the ca-certificates package keeps its certificates.
const caDir = "usr/share/ca-certificates/"

// CABundle writes the CA bundle that update-ca-certificates would build from
// the ca-certificates .deb read from r: every certificate the package ships,
// in path order, each ending in a newline. Images get the bundle without the
// package, its maintainer scripts, or the tools they need (as distroless).
func CABundle(r io.Reader, w io.Writer) (int, error) {
	a, err := Open(r)
	if err != nil {
		return 0, err
	}
	defer a.Close()
	certs := map[string][]byte{}
	tr := a.Data()
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("deb: %s: %w", a.DataMember, err)
		}
		name := strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		if h.Typeflag != tar.TypeReg || !strings.HasPrefix(name, caDir) || !strings.HasSuffix(name, ".crt") {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, 1<<20))
		if err != nil {
			return 0, fmt.Errorf("deb: reading %s: %w", name, err)
		}
		certs[strings.TrimPrefix(name, caDir)] = data
	}
	if len(certs) == 0 {
		return 0, fmt.Errorf("deb: %s ships no certificates under /%s", a.Control.Package(), caDir)
	}
	names := make([]string, 0, len(certs))
	for n := range certs {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	for _, n := range names {
		buf.Write(certs[n])
		if c := certs[n]; len(c) > 0 && c[len(c)-1] != '\n' {
			buf.WriteByte('\n')
		}
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return 0, err
	}
	return len(names), nil
}
