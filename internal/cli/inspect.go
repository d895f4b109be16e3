package cli

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

func inspectCmd() *cobra.Command {
	var platform string
	cmd := &cobra.Command{
		Use:   "inspect [flags] IMAGE [IMAGE]",
		Short: "Show what an image holds, or what changes between two",
		Long: `Inspect reads an image from an OCI layout directory, an OCI tarball (what
distill build -o type=oci,dest=IMAGE.tar writes), or a registry reference (with
docker's credentials; plain HTTP for a registry on localhost). Of a
multi-platform image it reads the --platform image (default: this machine's
platform).

With one IMAGE it prints the Debian packages the image records in
/var/lib/dpkg/status.d with the bytes of their files, its layers with their
compressed and uncompressed bytes, largest first, and the regular files that no
package's md5sums lists (files distill generates, and packages' conffiles,
which dpkg leaves out of md5sums). A package built from source by an earlier
distill has no md5sums: it owns the files of its own layer.

With two it prints the packages added, removed or changed from the first to the
second, and the bytes a node holding the first must pull to run the second:
the layers whose digests the first lacks.`,
		Example: `  # What is inside, and how big
  distill inspect static.oci.tar

  # What an update changes and costs to pull, for arm64
  distill inspect --platform linux/arm64 old/python3.oci.tar python3.oci.tar`,
		Args: usageArgs(cobra.RangeArgs(1, 2)),
		RunE: func(cmd *cobra.Command, args []string) error {
			var want *ocispecs.Platform
			if platform != "" {
				p, err := platforms.Parse(platform)
				if err != nil {
					return usage(fmt.Errorf("--platform %s: %w", platform, err))
				}
				p = platforms.Normalize(p)
				want = &p
			}
			var images []*imageContents
			for _, name := range args {
				c, err := inspectImage(name, want)
				if err != nil {
					return err
				}
				images = append(images, c)
			}
			if len(images) == 1 {
				return printContents(cmd.OutOrStdout(), args[0], images[0])
			}
			return printChanges(cmd.OutOrStdout(), args, images[0], images[1])
		},
	}
	cmd.Flags().StringVar(&platform, "platform", "", "read the image of `PLATFORM` of a multi-platform image (default: this machine's)")
	return cmd
}

func inspectImage(name string, want *ocispecs.Platform) (*imageContents, error) {
	l, err := openLayout(name)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	imgs, err := l.images()
	if err != nil {
		return nil, err
	}
	img, err := pickImage(name, imgs, want)
	if err != nil {
		return nil, err
	}
	return readContents(img)
}

func printContents(w io.Writer, name string, c *imageContents) error {
	var total layerInfo
	for _, l := range c.layers {
		total.compressed += l.compressed
		total.uncompressed += l.uncompressed
	}
	tw := newReport()
	tw.printf("%s (%s): %d packages, %d layers, %s compressed, %s uncompressed\n\n", name, platforms.FormatAll(c.platform),
		len(c.packages), len(c.layers), humanBytes(total.compressed), humanBytes(total.uncompressed))

	pkgs := slices.SortedFunc(maps.Values(c.packages), func(a, b *debPackage) int {
		return cmp.Or(cmp.Compare(b.size, a.size), cmp.Compare(a.record, b.record))
	})
	tw.printf("PACKAGE\tVERSION\tSIZE\tCOMPRESSED\tLAYER\n")
	for _, p := range pkgs {
		compressed, layer := "-", "-"
		if p.layer >= 0 {
			l := c.layers[p.layer]
			layer = fmt.Sprint(p.layer + 1)
			compressed = humanBytes(l.compressed)
			if len(l.records) > 1 {
				compressed = "(layer shared)"
			}
		}
		tw.printf("%s\t%s\t%s\t%s\t%s\n", p.record, p.version, humanBytes(p.size), compressed, layer)
	}

	tw.printf("\nLAYER\tDIGEST\tCOMPRESSED\tUNCOMPRESSED\tPACKAGES\n")
	order := make([]int, len(c.layers))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(c.layers[b].compressed, c.layers[a].compressed), cmp.Compare(c.layers[b].uncompressed, c.layers[a].uncompressed))
	})
	for _, i := range order {
		l := c.layers[i]
		what := strings.Join(l.records, " ")
		if what == "" {
			what = "(none)"
		}
		tw.printf("%d\t%s\t%s\t%s\t%s\n", i+1, shortDigest(l.digest.String()), humanBytes(l.compressed), humanBytes(l.uncompressed), what)
	}

	tw.printf("\nFILES NO PACKAGE LISTS (%d)\tSIZE\tLAYER\n", len(c.unowned))
	unowned := slices.Clone(c.unowned)
	slices.SortStableFunc(unowned, func(a, b string) int { return cmp.Compare(c.files[b].size, c.files[a].size) })
	for _, p := range unowned {
		f := c.files[p]
		tw.printf("/%s\t%s\t%d\n", p, humanBytes(f.size), f.layer+1)
	}
	return tw.writeTo(w)
}

// printChanges prints the packages that differ between two images and what
// moving from the first to the second costs to pull.
func printChanges(w io.Writer, names []string, from, to *imageContents) error {
	tw := newReport()
	tw.printf("%s (%s) -> %s (%s)\n\n", names[0], platforms.FormatAll(from.platform), names[1], platforms.FormatAll(to.platform))
	tw.printf("\tPACKAGE\tFROM\tTO\n")
	records := map[string]bool{}
	for r := range from.packages {
		records[r] = true
	}
	for r := range to.packages {
		records[r] = true
	}
	changed := 0
	for _, r := range slices.Sorted(maps.Keys(records)) {
		a, b := from.packages[r], to.packages[r]
		switch {
		case a == nil:
			tw.printf("+\t%s\t-\t%s\n", r, b.version)
		case b == nil:
			tw.printf("-\t%s\t%s\t-\n", r, a.version)
		case a.version != b.version:
			tw.printf("~\t%s\t%s\t%s\n", r, a.version, b.version)
		default:
			continue
		}
		changed++
	}
	if changed == 0 {
		tw.printf("no package changed\n")
	}
	have := map[string]bool{}
	for _, l := range from.layers {
		have[l.digest.String()] = true
	}
	var pull, all layerInfo
	n := 0
	for _, l := range to.layers {
		all.compressed += l.compressed
		if !have[l.digest.String()] {
			have[l.digest.String()] = true // a layer twice is pulled once
			pull.compressed += l.compressed
			pull.uncompressed += l.uncompressed
			n++
		}
	}
	tw.printf("\nto pull: %d of %d layers, %s compressed (%s uncompressed), of %s in all\n",
		n, len(to.layers), humanBytes(pull.compressed), humanBytes(pull.uncompressed), humanBytes(all.compressed))
	return tw.writeTo(w)
}

// humanBytes is n in decimal units, as docker prints sizes.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	v, i := float64(n), 0
	for v >= unit && i < 4 {
		v /= unit
		i++
	}
	return fmt.Sprintf("%.1f %s", v, []string{"", "kB", "MB", "GB", "TB"}[i])
}

// shortDigest is a digest cut to 12 hex digits, as docker shows image IDs.
func shortDigest(d string) string {
	algo, hex, _ := strings.Cut(d, ":")
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return algo + ":" + hex
}
