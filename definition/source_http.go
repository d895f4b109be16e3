package definition

import (
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// HTTPSource is a download pinned by its checksum: BuildKit checks the bytes
// and keys its cache by the sum, so the build needs the server only once.
type HTTPSource struct {
	URL string
	// Digest is "sha256:…" or "sha512:…", from whichever was written.
	Digest string
	// Strip is the number of leading path components an archive loses as
	// it unpacks (tar's --strip-components); -1 when the download is not an
	// archive and is placed as it is, under its file name.
	Strip     int
	DigestRng hcl.Range
}

var httpSourceAttrs = []hcl.AttributeSchema{
	{Name: "url", Required: true}, {Name: "sha256"}, {Name: "sha512"}, {Name: "strip"},
}

// archiveSuffixes are the downloads unpacked with tar; others are placed as
// they are.
var archiveSuffixes = []string{".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar.zst", ".tar.lz", ".tar.lzma"}

// IsArchive says whether the download is unpacked rather than placed.
func (h *HTTPSource) IsArchive() bool { return h.Strip >= 0 }

// FileName is the download's name in the URL's path.
func (h *HTTPSource) FileName() string {
	u, err := url.Parse(h.URL)
	if err != nil {
		return "download"
	}
	p := u.Path
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	if p == "" {
		return "download"
	}
	return p
}

func (d *decoder) httpSource(content *hcl.BodyContent) *HTTPSource {
	h := &HTTPSource{}
	d.string("url", &h.URL)
	if u, err := url.Parse(h.URL); h.URL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		d.errorf("url", "Invalid source URL", "%q is not an http or https URL.", h.URL)
	}
	var sums []string
	for _, algo := range []struct {
		name string
		size int
	}{{"sha256", 32}, {"sha512", 64}} {
		var sum string
		if !d.decode(algo.name, &sum) {
			continue
		}
		h.DigestRng = content.Attributes[algo.name].Expr.Range()
		sum = strings.ToLower(sum)
		if b, err := hex.DecodeString(sum); err != nil || len(b) != algo.size {
			d.errorf(algo.name, "Invalid checksum", "%q is not a %s checksum: it takes %d hexadecimal digits.", sum, algo.name, 2*algo.size)
			continue
		}
		sums = append(sums, algo.name)
		h.Digest = algo.name + ":" + sum
	}
	switch {
	case len(sums) == 0 && !d.diags.HasErrors():
		d.diags = append(d.diags, errorAt(content.Attributes["url"].Range, "Missing checksum",
			fmt.Sprintf("The download %s needs its sha256 (or sha512), so the build fetches exactly the bytes you reviewed; `sha256sum FILE` prints it.", h.URL)))
	case len(sums) > 1:
		d.errorf("sha512", "Conflicting checksums", "Give sha256 or sha512, not both.")
	}
	h.Strip = -1
	name := strings.ToLower(h.FileName())
	for _, suf := range archiveSuffixes {
		if strings.HasSuffix(name, suf) {
			h.Strip = 1 // an upstream tarball holds one top directory
		}
	}
	if _, ok := content.Attributes["strip"]; ok {
		var strip int
		if d.decode("strip", &strip) {
			switch {
			case !h.IsArchive():
				d.errorf("strip", "Not an archive", "strip applies to tar archives, and %s is not one (its name does not end in .tar, .tar.gz, .tar.xz, …).", h.FileName())
			case strip < 0:
				d.errorf("strip", "Invalid strip", "strip counts path components to remove: 0 or more, not %d.", strip)
			default:
				h.Strip = strip
			}
		}
	}
	return h
}
