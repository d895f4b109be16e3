package bkserver

import (
	"runtime/debug"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/version"
)

// buildkitModule is the module whose packages this server is built from.
const buildkitModule = "github.com/moby/buildkit"

// buildkitVersion is the BuildKit this binary links, as the daemon reports
// it to clients. BuildKit's release builds stamp version.Version with
// -ldflags -X; go install stamps nothing, so the version comes from the
// module version the go command recorded in the binary.
func buildkitVersion() client.BuildkitVersion {
	v := client.BuildkitVersion{Package: version.Package, Version: version.Version, Revision: version.Revision}
	if info, ok := debug.ReadBuildInfo(); ok && v.Version == unstamped {
		if m := ModuleVersion(info, buildkitModule); m != "" {
			v.Version = m
		}
	}
	return v
}

// unstamped is version.Version in a binary built without BuildKit's ldflags.
const unstamped = "v0.0.0+unknown"

// ModuleVersion is the version of module path that info records, its
// replacement's if it is replaced; "" if info does not list it (test
// binaries list no dependencies) or it is replaced by a directory. The CLI
// reports the modules it links with it too, so that the daemon and the
// client say the same of one module.
func ModuleVersion(info *debug.BuildInfo, path string) string {
	for _, m := range info.Deps {
		if m.Path != path {
			continue
		}
		if m.Replace != nil {
			return m.Replace.Version
		}
		return m.Version
	}
	return ""
}

// stampVersion makes BuildKit's own version variables say what
// buildkitVersion found: control.Controller's Info answers from them, and
// registry requests' User-Agent is built from them. They are what the
// linker would have set, so this is done once, before serving.
func stampVersion(v client.BuildkitVersion) {
	version.Version = v.Version
}
