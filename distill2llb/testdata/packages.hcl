# Packages, the CA bundles, accounts and symlinks: every kind of file action
# and every helper command line.
repository "debian" {
  url        = "http://mirror.invalid/debian"
  suite      = "bookworm"
  components = ["main"]
}

image "base" {
  platforms       = ["linux/amd64", "linux/arm64"]
  packages        = ["base-files", "netbase", "tzdata"]
  ca_certificates = true

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
  symlink "/etc/os-release" { target = "../usr/lib/os-release" }
}

image "java" {
  from         = image.base
  packages     = ["libc6"]
  java_cacerts = true
  symlink "/bin" { target = "usr/bin" }
  file "/usr/bin/app" {
    source = "app.sh"
    mode   = "0755"
  }
}
