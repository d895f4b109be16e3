# syntax=distillbuild/frontend:0
#
# Google's distroless catalogue for Debian 13, rebuilt from Debian's own .debs
# with a dependency solver: every image is a target.
#
#   distill build --target base-nonroot examples/distroless-debian13/distill.hcl
#   docker buildx build -f distill.hcl --target python3 --platform linux/amd64,linux/arm64 \
#     --build-arg MIRROR=<Debian mirror> -o type=oci,dest=python3.tar .
#
# Runtime images get exactly the closure of their packages: no maintainer
# scripts run, and each package has its dpkg record in
# /var/lib/dpkg/status.d so scanners see it.

variable "MIRROR" {
  default     = ""
  description = "a Debian mirror's URL; distill build takes it from this machine's apt sources"
}

variable "SECURITY_MIRROR" {
  default     = ""
  description = "the Debian security archive's URL; distill build takes it from apt's sources"
}

variable "SNAPSHOT" {
  default     = ""
  description = "optional: the base of archives laid out like Debian's snapshot service (SNAPSHOT/debian/20260101T000000Z/pool/…), where a locked file the mirror has dropped is fetched as of the lock's time"
}

variable "NONROOT" {
  default     = 65532
  description = "uid and gid of the nonroot account"
}

variable "PLATFORMS" {
  default     = "linux/amd64,linux/arm64"
  description = "comma-separated; linux/arm/v7, linux/ppc64le, linux/s390x and linux/riscv64 work too"
}

variable "BUSYBOX_APPLETS" {
  description = "the applets linked under /busybox in the debug images"
  default = [
    "[", "[[", "awk", "base64", "basename", "cat", "chmod", "chown", "cp", "cut",
    "date", "dd", "df", "diff", "dirname", "du", "echo", "env", "expr", "false",
    "find", "grep", "gunzip", "gzip", "head", "hostname", "id", "kill", "less", "ln",
    "ls", "md5sum", "mkdir", "mktemp", "more", "mv", "nc", "nslookup", "ping", "printf",
    "ps", "pwd", "readlink", "realpath", "rm", "rmdir", "sed", "seq", "sh", "sha256sum",
    "sleep", "sort", "stat", "tail", "tar", "tee", "test", "top", "touch", "tr",
    "true", "uname", "uniq", "vi", "wc", "wget", "which", "whoami", "xargs", "yes",
  ]
}

repository "debian" {
  url      = MIRROR
  suite    = "trixie"
  snapshot = SNAPSHOT == "" ? "" : "${SNAPSHOT}/debian"
}

repository "updates" {
  url      = MIRROR
  suite    = "trixie-updates"
  snapshot = SNAPSHOT == "" ? "" : "${SNAPSHOT}/debian"
}

repository "security" {
  url      = SECURITY_MIRROR
  suite    = "trixie-security"
  snapshot = SNAPSHOT == "" ? "" : "${SNAPSHOT}/debian-security"
}

# static: the files every image carries, for statically linked programs.
image "static" {
  description = "distroless static: accounts, CA certificates, tzdata, no libc"
  platforms   = split(",", PLATFORMS)
  # Debian 13 split the old zone names into tzdata-legacy; distroless keeps them.
  packages = ["base-files", "netbase", "tzdata", "tzdata-legacy", "media-types"]
  # base-files pre-depends on awk and tzdata on debconf: both only serve
  # maintainer scripts, which never run here.
  exclude         = ["mawk", "debconf"]
  ca_certificates = true
  env = {
    PATH          = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    SSL_CERT_FILE = "/etc/ssl/certs/ca-certificates.crt"
  }

  # /etc/passwd, /etc/group and the homes /root and /home/nonroot (0700,
  # owned by their user), as distroless has them.
  accounts {
    group "root" { gid = 0 }
    group "tty" { gid = 5 }
    group "staff" { gid = 50 }
    group "nobody" { gid = 65534 }
    group "nonroot" { gid = NONROOT }
    user "root" {
      uid  = 0
      home = "/root"
    }
    user "nobody" {
      uid  = 65534
      home = "/nonexistent"
    }
    user "nonroot" { uid = NONROOT }
    run_as = "root"
  }
  file "/etc/nsswitch.conf" {
    content = "hosts: files dns\n"
  }
  file "/usr/lib/os-release" {
    content = <<-EOT
      PRETTY_NAME="Distroless"
      NAME="Debian GNU/Linux"
      ID="debian"
      VERSION_ID="13"
      VERSION="Debian GNU/Linux 13 (trixie)"
      HOME_URL="https://github.com/distill-build/distill"
    EOT
  }
  symlink "/etc/os-release" { target = "../usr/lib/os-release" }
  directory "/tmp" { mode = "1777" }
}

image "base-nossl" {
  description = "distroless base-nossl: static plus glibc"
  from        = image.static
  packages    = ["libc6"]
  # libc6 depends on libgcc-s1 for pthread_cancel's unwinding; distroless
  # leaves it to cc, which asks for it.
  exclude = ["libgcc-s1"]
}

image "base" {
  description = "distroless base: glibc and OpenSSL"
  from        = image.base-nossl
  packages    = ["libssl3t64"]
}

image "cc" {
  description = "distroless cc: base plus the C++ runtime"
  from        = image.base
  packages    = ["libgcc-s1", "libstdc++6", "libgomp1"]
}

image "python3" {
  description = "distroless python3: CPython 3.13"
  from        = image.cc
  packages    = ["python3"]
  # python3-minimal depends on dpkg for its maintainer scripts.
  exclude    = ["dpkg"]
  entrypoint = ["/usr/bin/python3"]
}

image "java" {
  description = "Debian's OpenJDK 21 runtime"
  from        = image.cc
  # default-jre-headless ships /usr/lib/jvm/default-java, a link that names
  # the architecture's JVM directory, so the links below hold on every
  # architecture.
  packages = ["openjdk-21-jre-headless", "default-jre-headless"]
  # ca-certificates-java and java-common only serve maintainer scripts; the
  # trust store comes from java_cacerts instead. util-linux is for scripts too.
  exclude      = ["ca-certificates-java", "java-common", "util-linux"]
  java_cacerts = true
  env          = { JAVA_HOME = "/usr/lib/jvm/default-java" }
  entrypoint   = ["/usr/bin/java"]
  # What update-alternatives would make in the maintainer script, without
  # the /etc/alternatives indirection.
  symlink "/usr/bin/java" { target = "../lib/jvm/default-java/bin/java" }
  symlink "/usr/bin/keytool" { target = "../lib/jvm/default-java/bin/keytool" }
}

image "java-nonroot" {
  from    = image.java
  workdir = "/home/nonroot"
  accounts { run_as = "nonroot" }
}

image "java-debug" {
  from = [image.java, image.debug]
}

image "nodejs" {
  description = "Node.js from Debian"
  from        = image.cc
  packages    = ["nodejs"]
  entrypoint  = ["/usr/bin/node"]
}

# The nonroot variants run as nonroot: run_as puts its uid, 65532, in the
# config, so Kubernetes' runAsNonRoot can check it.
image "static-nonroot" {
  from    = image.static
  workdir = "/home/nonroot"
  accounts { run_as = "nonroot" }
}

image "base-nonroot" {
  from    = image.base
  workdir = "/home/nonroot"
  accounts { run_as = "nonroot" }
}

image "cc-nonroot" {
  from    = image.cc
  workdir = "/home/nonroot"
  accounts { run_as = "nonroot" }
}

image "python3-nonroot" {
  from    = image.python3
  workdir = "/home/nonroot"
  accounts { run_as = "nonroot" }
}

# The debug variants add a busybox shell under /busybox: "debug" is a mixin
# (buildable alone, as busybox on nothing), listed last in from.
image "debug" {
  description = "busybox shell under /busybox, for the -debug images"
  packages    = ["busybox-static"]
  entrypoint  = ["/busybox/sh"]
  env         = { PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox" }
  dynamic "symlink" {
    for_each = BUSYBOX_APPLETS
    labels   = ["/busybox/${symlink.value}"]
    content { target = "/bin/busybox" }
  }
}

image "static-debug" {
  from = [image.static, image.debug]
}

image "base-debug" {
  from = [image.base, image.debug]
}

image "cc-debug" {
  from = [image.cc, image.debug]
}

image "python3-debug" {
  from = [image.python3, image.debug]
}

image "nodejs-debug" {
  from = [image.nodejs, image.debug]
}
