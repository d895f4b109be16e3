package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/distill-build/distill/frontend"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/opencontainers/go-digest"
)

// summary is the table a build ends with: per platform, the image's
// digest, its size compressed (what a pull downloads) and uncompressed
// (what it takes on disk), and its package counts.
type summary struct {
	image   string
	rows    []platformImage // sizes are -1 when no layout was written
	counts  frontend.PackageCounts
	digest  string // the exporter's: the index's when several platforms
	elapsed time.Duration
	note    string // why sizes are missing, when they are
}

// newSummary gathers the summary from the frontend's package counts and
// from the first export written as an OCI layout; nil when the build was
// not an image's (a package's .deb).
func newSummary(image string, res *frontendResult, outs []*output, elapsed time.Duration) *summary {
	if res == nil {
		return nil
	}
	dt, ok := res.meta[frontend.PackagesKey]
	if !ok {
		return nil
	}
	s := &summary{image: image, digest: res.exporter[exptypes.ExporterImageDigestKey], elapsed: elapsed}
	if err := json.Unmarshal(dt, &s.counts); err != nil {
		s.note = fmt.Sprintf("the frontend's package counts: %v", err)
	}
	if dest := layoutDest(outs); dest != "" {
		rows, err := readLayout(dest)
		if err == nil {
			s.rows = rows
			return s
		}
		s.note = fmt.Sprintf("sizes unknown: reading %s: %v", dest, err)
	}
	// No layout to read (a push, a local directory): the platforms the
	// frontend built, without sizes.
	for _, p := range slices.Sorted(maps.Keys(s.counts)) {
		s.rows = append(s.rows, platformImage{platform: p, compressed: -1, uncompressed: -1})
	}
	if len(s.rows) == 1 && s.digest != "" {
		s.rows[0].digest = digest.Digest(s.digest)
	}
	return s
}

// layoutDest is the first export written as an OCI layout (oci and docker
// exporters, to a file or a directory), "" when there is none.
func layoutDest(outs []*output) string {
	for _, o := range outs {
		switch o.entry.Type {
		case "oci", "docker":
			if o.dest != "" {
				return o.dest
			}
			if o.entry.OutputDir != "" {
				return o.entry.OutputDir
			}
		}
	}
	return ""
}

// readLayout lists the images of the layout at dest.
func readLayout(dest string) (_ []platformImage, err error) {
	l, err := openLayout(dest)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := l.Close(); err == nil {
			err = cerr
		}
	}()
	return sizeImages(l)
}

// write prints the table, then the index's digest and the build's time:
// the platforms build concurrently in one solve, so the time is the
// build's, not a platform's.
func (s *summary) write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	// The tabwriter buffers every line: Flush reports a failed write.
	_, _ = fmt.Fprintln(tw, "IMAGE\tPLATFORM\tDIGEST\tCOMPRESSED\tUNCOMPRESSED\tDEBIAN\tBUILT")
	for _, r := range s.rows {
		c, ok := s.counts[r.platform]
		debian, built := "-", "-"
		if ok {
			debian, built = strconv.Itoa(c.Debian), strconv.Itoa(c.Built)
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.image, r.platform, dash(string(r.digest)),
			formatSize(r.compressed), formatSize(r.uncompressed), debian, built)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	var tail []string
	if len(s.rows) > 1 && s.digest != "" {
		tail = append(tail, "index "+s.digest)
	}
	tail = append(tail, "built in "+formatDuration(s.elapsed))
	if s.note != "" {
		tail = append(tail, s.note)
	}
	_, err := fmt.Fprintln(w, strings.Join(tail, "; "))
	return err
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// formatSize is n bytes in decimal units, as registries and docker show
// image sizes; "-" when unknown.
func formatSize(n int64) string {
	switch {
	case n < 0:
		return "-"
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f GB", float64(n)/1e9)
}

// formatDuration rounds to what a person reads: milliseconds under a
// second, tenths of seconds above.
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
