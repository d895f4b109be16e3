package arch

import "strings"

// cpus maps the Linux architectures Debian ships to their CPU names in
// architecture wildcards (dpkg's cputable): armel and armhf are both "arm".
var cpus = map[string]string{
	"amd64": "amd64", "arm64": "arm64", "armel": "arm", "armhf": "arm", "i386": "i386",
	"mips64el": "mips64el", "ppc64el": "ppc64el", "riscv64": "riscv64", "s390x": "s390x", "loong64": "loong64",
}

// Matches says whether a Debian architecture matches an architecture
// name or wildcard as Build-Depends restrictions write them: "any",
// "linux-any", "any-amd64", "linux-arm64", "amd64".
func Matches(arch, wildcard string) bool {
	if wildcard == "any" || wildcard == arch {
		return true
	}
	os, cpu, ok := strings.Cut(wildcard, "-")
	if !ok {
		return false
	}
	if os != "any" && os != "linux" {
		return false // distill builds for Linux only
	}
	return cpu == "any" || cpu == cpus[arch]
}
