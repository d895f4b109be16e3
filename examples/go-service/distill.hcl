# syntax=distillbuild/frontend:0

# A Go HTTP service from this directory (the standard library only), built
# from source with Debian's Go, into a static image that runs as nonroot.
# arm64 cross-compiles: Debian's Go runs on the build platform and writes
# the target's code for GOARCH, which is pure Go with cgo off.

variable "MIRROR" {
  description = "The Debian mirror; distill build fills it from apt's sources."
  default     = ""
}

repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}

package "service" {
  version = "1"
  source "context" {
    path = "main.go"
  }
  build {
    # Debian's Go is no Multi-Arch: foreign tool: ":native" asks for the
    # build platform's in a cross sandbox.
    requires = ["golang-go:native"]
    cross    = true
    caches   = ["/root/.cache/go-build"]
    env      = { CGO_ENABLED = "0", GOFLAGS = "-trimpath", GOTOOLCHAIN = "local" }
    steps = [
      "go mod init example.org/service",
      "GOARCH=$TARGETARCH go build -ldflags=-buildid= -o $DESTDIR/usr/bin/service .",
    ]
  }
  test {
    steps = ["service -selftest | grep 'hello from distill'"]
  }
}

image "service" {
  platforms  = ["linux/amd64", "linux/arm64"]
  packages   = ["base-files", "netbase", "tzdata", package.service]
  exclude    = ["mawk", "debconf"]
  entrypoint = ["/usr/bin/service"]
  accounts {
    group "root" { gid = 0 }
    group "nonroot" { gid = 65532 }
    user "root" {
      uid  = 0
      home = "/root"
    }
    user "nonroot" { uid = 65532 }
    run_as = "nonroot"
  }
  directory "/tmp" { mode = "1777" }
}
