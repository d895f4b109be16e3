# syntax=distillbuild/frontend:0
#
# The files every distroless image carries, declared rather than installed:
# accounts (root, nobody, nonroot 65532), /root, /home/nonroot, /tmp, nsswitch.conf
# and os-release. No packages yet: this is the first slice of the language.
#
#   distill build examples/base-files/distill.hcl
#   docker buildx build -f examples/base-files/distill.hcl \
#     --platform linux/amd64,linux/arm64 -o type=oci,dest=base-files.tar examples/base-files

variable "NAME" {
  default     = "base-files"
  description = "the image name written into os-release"
}

variable "NONROOT_UID" {
  default     = 65532
  description = "uid and gid of the nonroot account"
}

image "base-files" {
  description = "accounts, nsswitch.conf and os-release for a distroless image"
  platforms   = ["linux/amd64", "linux/arm64"]
  env = {
    PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  }
  workdir = "/home/nonroot"
  labels = {
    "org.opencontainers.image.title"       = NAME
    "org.opencontainers.image.description" = "distroless base files"
  }
  annotations = {
    "org.opencontainers.image.title" = NAME
  }

  accounts {
    group "root" { gid = 0 }
    group "tty" { gid = 5 }
    group "staff" { gid = 50 }
    group "nobody" { gid = 65534 }
    group "nonroot" { gid = NONROOT_UID }
    user "root" {
      uid  = 0
      home = "/root"
    }
    user "nobody" {
      uid  = 65534
      home = "/nonexistent"
    }
    user "nonroot" { uid = NONROOT_UID }
    run_as = "nonroot"
  }
  file "/etc/nsswitch.conf" {
    content = "hosts: files dns\n"
  }
  file "/usr/lib/os-release" {
    content = <<-EOT
      PRETTY_NAME="Distroless ${NAME}"
      NAME="Distroless"
      ID=distroless
      HOME_URL="https://github.com/distill-build/distill"
    EOT
  }
  symlink "/etc/os-release" { target = "../usr/lib/os-release" }

  directory "/tmp" { mode = "1777" }
}
