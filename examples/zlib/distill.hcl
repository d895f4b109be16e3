# syntax=distillbuild/frontend:0

# zlib built from the upstream tarball in Debian's pool, and a small C
# program built against it in the same graph: the program's sandbox has
# zlib and its dev subpackage installed, and its image takes zlib's shared
# library alone, as a runtime dependency. Both cross-compile for arm64:
# zlib installs into Debian's multiarch directory, where the cross linker
# looks for it and the target's loader finds it.

variable "MIRROR" {
  description = "The Debian mirror; distill build fills it from apt's sources."
  default     = ""
}

repository "debian" {
  url   = MIRROR
  suite = "bookworm"
}

package "zlib" {
  version = "1.2.13"
  source "http" {
    url    = "${MIRROR}/pool/main/z/zlib/zlib_1.2.13.dfsg.orig.tar.bz2"
    sha256 = "71feb7947e3c00ef125f83b79a4e529bde31171e5babe48b391f06758d1ab0a1"
  }
  build {
    requires = ["build-essential"]
    cross    = true
    steps = [
      # CHOST makes configure use the host's ar and ranlib too.
      "CHOST=$DEB_HOST_GNU_TYPE CFLAGS=\"$CFLAGS -fPIC\" ./configure --prefix=/usr --libdir=/usr/lib/$DEB_HOST_MULTIARCH",
      "make -j$(nproc)",
      "make install DESTDIR=$DESTDIR",
    ]
  }
  # What building against zlib takes; images that only run programs linked
  # with it take the shared library alone.
  subpackage "dev" {
    paths = ["usr/include/**", "usr/lib/*/*.a", "usr/lib/*/*.so", "usr/lib/*/pkgconfig/**", "usr/share/man/**"]
  }
  runtime = ["libc6"]
}

package "zversion" {
  version = "1"
  source "inline" {
    files = {
      "zversion.c" = <<-EOT
        #include <stdio.h>
        #include <zlib.h>

        int main(void) {
          printf("zlib %s\n", zlibVersion());
          return 0;
        }
      EOT
    }
  }
  build {
    # pkgconf is the target's ($PKG_CONFIG, which reads the target's
    # multiarch directory); pkgconf-bin, named, the program it runs, the
    # build platform's.
    requires = ["build-essential", "pkgconf", "pkgconf-bin", package.zlib.dev]
    cross    = true
    steps = [
      "mkdir -p $DESTDIR/usr/bin",
      # CC and PKG_CONFIG name the cross tools in a cross build, and are
      # unset in a native one.
      "$${CC:-cc} $CPPFLAGS $CFLAGS $LDFLAGS -o $DESTDIR/usr/bin/zversion zversion.c $($${PKG_CONFIG:-pkg-config} --cflags --libs zlib)",
    ]
  }
  runtime = ["libc6", package.zlib]
}

image "zversion" {
  platforms  = ["linux/amd64", "linux/arm64"]
  user       = "65532" # nonroot, as distroless's nonroot images
  packages   = [package.zversion]
  entrypoint = ["/usr/bin/zversion"]
}
