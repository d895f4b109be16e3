package definition

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// architectures are the Linux architectures Debian ships, as OCI names them
// (debian/arch maps them to Debian's names).
var architectures = []string{"386", "amd64", "arm", "arm64", "loong64", "mips64le", "ppc64le", "riscv64", "s390x"}

// ParsePlatform parses a platform as written in a definition, on a command
// line or in buildx's --platform, and checks that distill can build for it.
// This is the one place that decides which platforms those are.
func ParsePlatform(s string) (ocispecs.Platform, error) {
	p, err := platforms.Parse(s)
	if err != nil {
		// containerd's message quotes its regular expression: say what to write.
		return p, fmt.Errorf("%q is not a platform: write OS/ARCHITECTURE[/VARIANT], like linux/amd64", s)
	}
	p = platforms.Normalize(p)
	return p, CheckPlatform(p)
}

// CheckPlatform says why distill cannot build for a parsed platform: images
// are made of Debian packages, so a Linux platform Debian has an
// architecture for.
func CheckPlatform(p ocispecs.Platform) error {
	p = platforms.Normalize(p)
	if p.OS != "linux" {
		return fmt.Errorf("%s: distill builds Linux images from Debian packages, not %s ones", platforms.FormatAll(p), p.OS)
	}
	if !slices.Contains(architectures, p.Architecture) {
		return fmt.Errorf("%s: Debian has no architecture %q; the Linux ones are %s", platforms.FormatAll(p), p.Architecture, strings.Join(architectures, ", "))
	}
	return nil
}
