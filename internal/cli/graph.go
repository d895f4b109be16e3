package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/definition"
	"github.com/distill-build/distill/lockfile"
	"github.com/distill-build/distill/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

type graphOptions struct {
	commonOptions
	target, format string
}

func graphCmd() *cobra.Command {
	var o graphOptions
	cmd := &cobra.Command{
		Use:   "graph [flags] [DEFINITION]",
		Short: "Show the images, packages built from source and Debian packages of a definition",
		Long: `Graph prints what DEFINITION (default distill.hcl) is made of: its images and
the images they extend (from), its packages built from source with what their
builds require and what they need at run time, and the Debian packages each
image adds over the images it extends. It prints Graphviz DOT (dot -Tsvg makes
a picture of it), or an indented tree with --format tree.

The Debian packages come from the lockfile next to the definition, with their
versions and dependencies, for each image's first platform (or --platform).
Without a lockfile graph says so and shows only the packages the definition
names; distill lock writes one. The output depends only on the files.`,
		Example: `  distill graph examples/distroless-debian12/distill.hcl | dot -Tsvg > graph.svg
  distill graph --format tree --target python3 examples/distroless-debian12/distill.hcl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.resolve(cmd.Flags(), args); err != nil {
				return usage(err)
			}
			if o.format != "dot" && o.format != "tree" {
				return usage(fmt.Errorf("--format %q: want dot or tree", o.format))
			}
			if len(o.platforms) > 1 || strings.Contains(strings.Join(o.platforms, ""), ",") {
				return usage(fmt.Errorf("--platform %s: one platform at a time", strings.Join(o.platforms, ",")))
			}
			g, err := buildGraph(cmd.Context(), &o, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			r := newReport()
			if o.format == "tree" {
				g.tree(r)
			} else {
				g.dot(r)
			}
			return r.writeTo(cmd.OutOrStdout())
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.file, "file", "f", defaultDefinition, "read the definition from `FILE` (or give it as the argument)")
	fs.StringArrayVar(&o.buildArgs, "build-arg", nil, "set a definition variable: `NAME=VALUE` (repeatable)")
	fs.StringVar(&o.target, "target", "", "show only the `IMAGE`, the images it extends and what they take (default: every image)")
	fs.StringVar(&o.format, "format", "dot", "output `FORMAT`: dot or tree")
	fs.StringArrayVar(&o.platforms, "platform", nil, "the `PLATFORM` whose locked Debian packages to show (default: each image's first)")
	return cmd
}

// graphImage is an image with what it takes itself, not through from.
type graphImage struct {
	img   *definition.Image // as written
	plats []ocispecs.Platform
	arch  string                  // the architecture its Debian packages are for
	debs  []graphDeb              // what it adds over the images it extends
	built []definition.PackageRef // the packages built from source it takes
}

// graphDeb is a Debian package: locked (with a version and dependencies)
// or only named by the definition.
type graphDeb struct {
	name, version string
	depends       []string // ids of the packages of the image it depends on
}

func (d graphDeb) id() string { return strings.TrimSpace("deb " + d.name + " " + d.version) }

// graph is a definition's images and packages in the file's order.
type graph struct {
	file     string
	lockPath string // "" without a lockfile
	images   []graphImage
	packages []*definition.Package
}

func buildGraph(ctx context.Context, o *graphOptions, stderr io.Writer) (*graph, error) {
	l, err := loadDefinition(o.file, o.buildArgMap())
	if err != nil {
		return nil, err
	}
	lock, lockPath, err := l.lock()
	if err != nil {
		return nil, err
	}
	g := &graph{file: l.file}
	if lock != nil {
		g.lockPath = lockPath
	} else {
		fmt.Fprintf(stderr, "no lockfile next to %s (%s): showing only the Debian packages the definition names; run distill lock %s for their closure and versions\n", l.file, lockPath, l.file)
	}
	var requested []ocispecs.Platform
	if len(o.platforms) == 1 {
		p, err := platforms.Parse(o.platforms[0])
		if err != nil {
			return nil, usage(fmt.Errorf("--platform %s: %w", o.platforms[0], err))
		}
		requested = []ocispecs.Platform{platforms.Normalize(p)}
	}
	keep, err := graphScope(l.written, o.target)
	if err != nil {
		return nil, err
	}
	closures := map[string][]graphDeb{} // by image, for what its children add
	for i, written := range l.written.Images {
		lowered := l.def.Images[i]
		gi := graphImage{img: written}
		gi.plats, err = plan.Platforms(lowered, requested, ocispecs.Platform{OS: "linux", Architecture: "amd64"})
		if err != nil {
			return nil, l.located(err)
		}
		gi.arch = arch.ForPlatform(gi.plats[0])
		gi.built = written.Built
		if lock == nil {
			for _, name := range written.Packages {
				gi.debs = append(gi.debs, graphDeb{name: name})
			}
		} else {
			closure, err := lockedClosure(ctx, l.def, lowered, gi.plats[:1], lock)
			if err != nil {
				return nil, l.located(fmt.Errorf("image %s in %s: %w; run distill lock %s", written.Name, lockPath, err, l.file))
			}
			closures[written.Name] = closure
			inherited := map[string]bool{}
			for _, from := range written.From {
				for _, d := range closures[from] {
					inherited[d.id()] = true
				}
			}
			for _, d := range closure {
				if !inherited[d.id()] {
					gi.debs = append(gi.debs, d)
				}
			}
		}
		if keep[written.Name] {
			g.images = append(g.images, gi)
		}
	}
	for _, p := range l.written.Packages {
		if keep["package."+p.Name] {
			g.packages = append(g.packages, p)
		}
	}
	return g, nil
}

// lockedClosure is an image's Debian packages for one platform, from the
// lockfile alone (no fetcher: nothing is fetched), sorted by name.
func lockedClosure(ctx context.Context, def *definition.Definition, img *definition.Image, plats []ocispecs.Platform, lock *lockfile.Lockfile) ([]graphDeb, error) {
	pkgs, err := plan.Packages(ctx, def, img, plats, lock, plan.Options{})
	if err != nil {
		return nil, err
	}
	d := pkgs[arch.ForPlatform(plats[0])]
	ids := map[string]string{} // name → id, within the image
	var all []plan.Package
	for _, grp := range d.Groups {
		for _, p := range grp {
			ids[p.Name] = graphDeb{name: p.Name, version: p.Version}.id()
			all = append(all, p)
		}
	}
	var out []graphDeb
	for _, p := range all {
		gd := graphDeb{name: p.Name, version: p.Version}
		for _, dep := range p.Depends {
			if name, _, _ := strings.Cut(dep, ":"); ids[name] != "" && name != p.Name {
				gd.depends = append(gd.depends, ids[name])
			}
		}
		slices.Sort(gd.depends)
		out = append(out, gd)
	}
	slices.SortFunc(out, func(a, b graphDeb) int { return strings.Compare(a.id(), b.id()) })
	return slices.CompactFunc(out, func(a, b graphDeb) bool { return a.id() == b.id() }), nil
}

// graphScope names what a graph of target shows: the image, the images it
// extends, and the packages built from source they take, with those they
// require; everything when target is "".
func graphScope(def *definition.Definition, target string) (map[string]bool, error) {
	keep := map[string]bool{}
	if target == "" {
		for _, img := range def.Images {
			keep[img.Name] = true
		}
		for _, p := range def.Packages {
			keep["package."+p.Name] = true
		}
		return keep, nil
	}
	img, err := plan.Target(def, target)
	if err != nil {
		return nil, err
	}
	var pkgs []definition.PackageRef
	for queue := []*definition.Image{img}; len(queue) > 0; queue = queue[1:] {
		cur := queue[0]
		if keep[cur.Name] {
			continue
		}
		keep[cur.Name] = true
		pkgs = append(pkgs, cur.Built...)
		for _, from := range cur.From {
			if f := def.Image(from); f != nil {
				queue = append(queue, f)
			}
		}
	}
	for ; len(pkgs) > 0; pkgs = pkgs[1:] {
		p := def.Package(pkgs[0].Name)
		if p == nil || keep["package."+p.Name] {
			continue
		}
		keep["package."+p.Name] = true
		pkgs = append(pkgs, p.RuntimeBuilt...)
		if p.Build != nil {
			pkgs = append(pkgs, p.Build.RequiresBuilt...)
		}
	}
	return keep, nil
}
