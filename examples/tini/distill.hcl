# syntax=distillbuild/frontend:0

# tini, Debian's source package rebuilt with dpkg-buildpackage: found through
# the suite's verified Sources index, unpacked with dpkg-source -x (its quilt
# series applied), built natively for amd64 and cross-compiled for arm64.

variable "MIRROR" {
  description = "The Debian mirror; distill build fills it from apt's sources."
  default     = ""
}

repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}

package "tini" {
  version = "0.19.0-1"
  source "debian" {
    name    = "tini"
    version = "0.19.0-1"
  }
  build {
    # The source's Build-Depends (debhelper-compat, cmake) come from the
    # Sources index; for a cross build, libraries are the host's and tools
    # the build platform's.
    requires = ["build-essential"]
    profiles = ["nocheck"]
    cross    = true
    env      = { DEB_BUILD_OPTIONS = "nocheck" }
    # One step: what a step writes outside /src and $DESTDIR is dropped, and
    # dpkg-buildpackage writes the .deb beside the source tree.
    steps = [
      "dpkg-buildpackage -a\"$DEB_HOST_ARCH\" -b -uc -us && dpkg-deb -x \"../tini_0.19.0-1_$DEB_HOST_ARCH.deb\" \"$DESTDIR\"",
    ]
  }
  test {
    steps = ["tini --version"]
  }
  runtime = ["libc6"]
}

image "tini" {
  platforms  = ["linux/amd64", "linux/arm64"]
  user       = "65532" # nonroot, as distroless's nonroot images
  packages   = [package.tini]
  entrypoint = ["/usr/bin/tini", "--"]
}
