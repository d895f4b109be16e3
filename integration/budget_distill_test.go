package integration

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	distilldef "github.com/distill-build/distill/definition"
)

// manyPackages is an image of more than 150 Debian packages: python3,
// perl and a hundred small libraries, 58 MB of .debs; and base-files, whose
// /etc/os-release trivy needs before it lists Debian packages.
const manyPackages = `
variable "MIRROR" { default = "" }
repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}
image "many" {
  platforms = ["linux/amd64"]
  packages  = [
    "base-files", "python3", "perl", "libcurl4", "libxml2", "libsqlite3-0", "libx11-6", "libxt6", "libxmu6",
    "libxpm4", "libxaw7", "libxrandr2", "libxinerama1", "libxcursor1", "libxi6", "libxcomposite1",
    "libxdamage1", "libxtst6", "libfontconfig1", "libtiff6", "libwebp7", "libcups2",
    "libavahi-client3", "libpam0g", "libsystemd0", "libudev1", "libcap2", "libacl1", "libattr1",
    "libbz2-1.0", "liblzma5", "libzstd1", "libarchive13", "libpcre2-8-0", "libglib2.0-0",
    "libdbus-1-3", "libssh2-1", "libldap-2.5-0", "libsasl2-2", "libgnutls30", "libidn2-0",
    "libpsl5", "librtmp1", "libnghttp2-14", "libbrotli1", "libgmp10", "libmpfr6", "libmpc3",
    "libisl23", "libreadline8", "libncursesw6", "libtinfo6", "libedit2", "libbsd0", "libmd0",
    "libuuid1", "libblkid1", "libmount1", "libsmartcols1", "libfdisk1", "libkmod2",
    "libcryptsetup12", "libdevmapper1.02.1", "libjson-c5", "libargon2-1", "libseccomp2",
    "libapparmor1", "libselinux1", "libsemanage2", "libsepol2", "libaudit1", "libcap-ng0",
    "libnsl2", "libtirpc3", "libkeyutils1", "libevent-2.1-7", "libunistring2", "libtasn1-6",
    "libp11-kit0", "libhogweed6", "libnettle8", "libjpeg62-turbo", "libpng16-16", "libfreetype6",
    "libharfbuzz0b", "libgraphite2-3", "libexpat1", "libyaml-0-2", "libonig5", "libjq1",
    "libsodium23", "libzmq5", "libpgm-5.3-0", "libnorm1", "libgssapi-krb5-2", "libkrb5-3",
    "libk5crypto3", "libcom-err2", "libltdl7", "libgdbm6", "libmagic1"
  ]
}
`

// TestLayerBudget builds an image of more than 150 packages: with the
// default budget it has at most 100 layers, so Docker can run it and
// images built on it, and syft and trivy still find every package, as the SBOM
// lists them. The outline, asked before the build, shows the layers the
// image then has, as its history names them.
func TestLayerBudget(t *testing.T) {
	b := needBed(t)
	dir := definition(t, b, manyPackages, nil)
	o := callOutline(t, b, dir, mirrorArgs(t)...)
	if len(o.Layers) != 1 || o.Layers[0].Platform != "linux/amd64" || o.Layers[0].Budget != distilldef.DefaultLayerBudget {
		t.Fatalf("the outline's layers: %+v", o.Layers)
	}
	out := filepath.Join(t.TempDir(), "many.tar")
	if _, _, err := b.Buildx(t, dir, append(append([]string{"build", "-f", "distill.hcl", "--sbom=true", "--provenance=false", "-o", "type=oci,dest=" + out}, mirrorArgs(t)...), ".")...); err != nil {
		t.Fatal(err)
	}
	l, err := ReadOCILayout(out)
	if err != nil {
		t.Fatal(err)
	}
	img := l.Images[0]
	ours := sbomOf(t, l).contained(t)
	t.Logf("%d packages in %d layers", len(ours), len(img.Layers))
	if len(ours) <= 150 {
		t.Fatalf("the image holds %d packages, want more than 150", len(ours))
	}
	if len(img.Layers) > distilldef.DefaultLayerBudget || len(img.Layers) < distilldef.DefaultLayerBudget-1 {
		t.Errorf("%d layers, want the budget's %d", len(img.Layers), distilldef.DefaultLayerBudget)
	}
	var outlined, history []string
	for _, l := range o.Layers[0].Layers {
		outlined = append(outlined, l.CreatedBy)
	}
	for _, h := range img.Config.History {
		if !h.EmptyLayer {
			history = append(history, h.CreatedBy)
		}
	}
	if len(outlined) != len(img.Layers) || !slices.Equal(outlined, history) {
		t.Errorf("the outline shows %d layers, the image has %d; its history:\n%s\nthe outline's:\n%s",
			len(outlined), len(img.Layers), strings.Join(history, "\n"), strings.Join(outlined, "\n"))
	}
	if theirs := syftDebs(t, b, out); !slices.Equal(ours, theirs) {
		t.Errorf("syft finds other packages than the SBOM lists:\nSBOM %v\nsyft %v", ours, theirs)
	}
	if theirs := trivyDebs(t, b, out); !slices.Equal(ours, theirs) {
		t.Errorf("trivy finds other packages than the SBOM lists:\nSBOM %v\ntrivy %v", ours, theirs)
	}
}
