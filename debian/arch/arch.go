// Package arch names OCI platforms' architectures as Debian does.
package arch

import ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

// ForPlatform names a platform's architecture as Debian does.
func ForPlatform(p ocispecs.Platform) string {
	switch p.Architecture {
	case "arm":
		if p.Variant == "v5" || p.Variant == "v6" {
			return "armel"
		}
		return "armhf"
	case "386":
		return "i386"
	case "ppc64le":
		return "ppc64el"
	case "mips64le":
		return "mips64el"
	}
	return p.Architecture // amd64, arm64, s390x, riscv64, loong64
}
