# syntax=distillbuild/frontend:0

# GNU hello, built from the upstream tarball in Debian's pool, in a minimal
# image with the C library it links against.

variable "MIRROR" {
  description = "The Debian mirror; distill build fills it from apt's sources."
  default     = ""
}

repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}

package "hello" {
  version = "2.10"
  source "http" {
    url    = "${MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz"
    sha256 = "31e066137a962676e89f69d1b65382de95a7ef7d914b8cb956f41ea72e0f516b"
  }
  build {
    requires = ["build-essential"]
    # arm64 cross-compiles on the build platform rather than under QEMU.
    cross = true
    steps = [
      "./configure --prefix=/usr --disable-nls --host=$DEB_HOST_GNU_TYPE",
      "make -j$(nproc)",
      "make install-strip DESTDIR=$DESTDIR",
    ]
  }
  test {
    steps = [
      "hello --version",
      "test \"$(hello)\" = \"Hello, world!\"",
    ]
  }
  runtime = ["libc6"]
}

image "hello" {
  platforms  = ["linux/amd64", "linux/arm64"]
  user       = "65532" # nonroot, as distroless's nonroot images
  packages   = [package.hello]
  entrypoint = ["/usr/bin/hello"]
}
