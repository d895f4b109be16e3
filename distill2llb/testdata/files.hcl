variable "USER" { default = "65532" }

image "files" {
  platforms  = ["linux/amd64", "linux/arm64"]
  env        = { PATH = "/usr/bin:/bin", LANG = "C.UTF-8" }
  entrypoint = ["/usr/bin/app"]
  user       = USER
  workdir    = "/home/nonroot"
  labels     = { "org.opencontainers.image.title" = "files" }

  directory "/home/nonroot" {
    mode  = "0700"
    owner = "${USER}:${USER}"
  }
  file "/etc/motd" { content = "hello\n" }
  file "/usr/bin/app" {
    source = "app.sh"
    mode   = "0755"
  }
  symlink "/bin" { target = "usr/bin" }
}

image "sticky" {
  directory "/tmp" { mode = "1777" }
  file "/usr/bin/su" {
    content = "#!/bin/false\n"
    mode    = "4755"
  }
}
