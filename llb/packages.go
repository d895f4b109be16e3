package llb

import (
	"fmt"
	"path"
	"sort"
	"strconv"

	"github.com/distill-build/distill/solver"
	bkllb "github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Helper is the static binary that runs inside builds (unpacking .debs,
// which no LLB operation can open), and the state whose rootfs holds it:
// the frontend image, or the CLI's own binary uploaded as a local.
type Helper struct {
	State    bkllb.State
	Path     string            // of the binary inside State
	Platform ocispecs.Platform // the platform the binary runs on
}

// Package is one .deb to install and where to fetch it.
type Package struct {
	solver.LockedPackage
	URL string // the repository's base URL
}

// packageLayers makes one state per package: the .deb unpacked by the helper
// without maintainer scripts, with its dpkg status.d records. Sorted by name
// for a stable layer order.
func packageLayers(pkgs []Package, opt Options, loc bkllb.ConstraintsOpt) ([]bkllb.State, []string, error) {
	if len(pkgs) == 0 {
		return nil, nil, nil
	}
	if opt.Helper == nil {
		return nil, nil, fmt.Errorf("installing packages needs the in-build helper, and this build has none")
	}
	sorted := append([]Package(nil), pkgs...)
	sort.Slice(sorted, func(i, j int) bool {
		if sorted[i].Name != sorted[j].Name {
			return sorted[i].Name < sorted[j].Name
		}
		return sorted[i].Architecture < sorted[j].Architecture
	})
	var layers []bkllb.State
	var history []string
	for _, p := range sorted {
		if p.SHA256 == "" || p.Filename == "" {
			return nil, nil, fmt.Errorf("package %s %s has no archive path or sha256", p.Name, p.Version)
		}
		layers = append(layers, runHelper(p, opt, loc, fmt.Sprintf("unpack %s %s (%s)", p.Name, p.Version, p.Architecture),
			"unpack", "--root", "/out", "--name", p.Name))
		history = append(history, fmt.Sprintf("distill: package %s %s (%s)", p.Name, p.Version, p.Architecture))
	}
	return layers, history, nil
}

// caBundle is a layer holding /etc/ssl/certs/ca-certificates.crt, made from
// the package's certificates as update-ca-certificates would, or with java
// /etc/ssl/certs/java/cacerts as ca-certificates-java would.
func caBundle(p Package, opt Options, loc bkllb.ConstraintsOpt, java bool) bkllb.State {
	if java {
		return runHelper(p, opt, loc, fmt.Sprintf("Java trust store from %s %s", p.Name, p.Version),
			"cacerts", "--root", "/out", "--path", "/etc/ssl/certs/java/cacerts", "--java")
	}
	return runHelper(p, opt, loc, fmt.Sprintf("CA bundle from %s %s", p.Name, p.Version),
		"cacerts", "--root", "/out", "--path", "/etc/ssl/certs/ca-certificates.crt")
}

// runHelper fetches a .deb, pinned by its SHA256 (BuildKit checks the bytes
// and the cache key needs no network), and runs a helper subcommand on it
// with no network; the result is what it wrote under /out. loc ties both
// steps to the line that asked for the package: a .deb the mirror no longer
// has fails there.
func runHelper(p Package, opt Options, loc bkllb.ConstraintsOpt, name, sub string, args ...string) bkllb.State {
	file := path.Base(p.Filename)
	deb := bkllb.HTTP(p.URL+"/"+p.Filename,
		bkllb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, p.SHA256)),
		bkllb.Filename(file),
		bkllb.WithCustomNamef("fetch %s %s (%s)", p.Name, p.Version, p.Architecture), loc)
	argv := append([]string{opt.Helper.Path, sub, "--deb", "/deb/" + file,
		"--epoch", strconv.FormatInt(opt.Epoch.Unix(), 10)}, args...)
	run := opt.Helper.State.Run(
		bkllb.Args(argv),
		bkllb.AddMount("/deb", deb, bkllb.Readonly),
		bkllb.Network(bkllb.NetModeNone),
		bkllb.Platform(opt.Helper.Platform),
		bkllb.WithCustomName(name),
		loc,
	)
	return run.AddMount("/out", bkllb.Scratch())
}
