package distill2llb

import (
	"fmt"
	"strings"

	"github.com/distill-build/distill/debian/arch"
	"github.com/distill-build/distill/plan"
	"github.com/moby/buildkit/client/llb"
)

// Deb lowers a package built from source to a real .deb for one platform,
// in a directory of its own: what the steps install, with a control file
// whose Depends lists what it needs at run time, packed by dpkg-deb in the
// package's sandbox (dpkg is Essential) with owners root and mtimes clamped
// to SOURCE_DATE_EPOCH, so the same inputs give the same bytes.
func Deb(b *plan.Build, opt Options) (llb.State, error) {
	p := b.Package
	t, err := newLowering(opt).buildTree(b)
	if err != nil {
		return llb.State{}, err
	}
	debArch := arch.ForPlatform(opt.Platform)
	name := fmt.Sprintf("%s_%s_%s.deb", p.Name, p.Version, debArch)
	epoch := llb.WithCreatedTime(opt.Epoch)
	control := llb.Scratch().File(llb.Mkfile("/control", 0o644, []byte(debControl(b, debArch)), epoch),
		llb.WithCustomName(t.label+" control file"), location(opt.SourceMap, p.DeclRange))
	run := t.root.Run(append(sandboxEnv(opt),
		llb.Args([]string{"/bin/sh", "-ec", `mkdir -p /pkg/DEBIAN
cp -a /out/. /pkg/
cp /control/control /pkg/DEBIAN/control
dpkg-deb --root-owner-group -Zxz --build /pkg "/deb/$1"`, "deb", name}),
		llb.AddMount("/out", t.out, llb.Readonly),
		llb.AddMount("/control", control, llb.Readonly),
		llb.Network(llb.NetModeNone), llb.Platform(t.platform),
		location(opt.SourceMap, p.DeclRange),
		llb.WithCustomName(t.label+" dpkg-deb --build "+name))...)
	return run.AddMount("/deb", llb.Scratch()), nil
}

// debControl is the DEBIAN/control of a package built from source.
func debControl(b *plan.Build, debArch string) string {
	p := b.Package
	depends := append([]string(nil), p.Runtime...)
	for _, r := range b.Runtime {
		depends = append(depends, fmt.Sprintf("%s (= %s)", r.Name(), r.Build.Package.Version))
	}
	var c strings.Builder
	fmt.Fprintf(&c, "Package: %s\nVersion: %s\nArchitecture: %s\nMaintainer: distill\n", p.Name, p.Version, debArch)
	if len(depends) > 0 {
		fmt.Fprintf(&c, "Depends: %s\n", strings.Join(depends, ", "))
	}
	fmt.Fprintf(&c, "Description: %s, built from source by distill\n", p.Name)
	return c.String()
}
