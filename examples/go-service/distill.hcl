# syntax=distillbuild/frontend:0

# A Go HTTP service from this directory (the standard library only), built
# from source with Debian's Go, into a static image that runs as nonroot.

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
    requires = ["golang-go"]
    caches   = ["/root/.cache/go-build"]
    env      = { CGO_ENABLED = "0", GOFLAGS = "-trimpath", GOTOOLCHAIN = "local" }
    steps = [
      "go mod init example.org/service",
      "go build -ldflags=-buildid= -o $DESTDIR/usr/bin/service .",
    ]
  }
  test {
    steps = ["service -selftest | grep 'hello from distill'"]
  }
}

image "service" {
  platforms  = ["linux/amd64"]
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
