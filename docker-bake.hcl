# docker buildx bake: the frontend image, the release, and the examples built
# through the frontend image made in the same bake.
#
#   docker buildx bake frontend --set frontend.tags=<registry>/distill/frontend:latest --push
#   MIRROR=http://<mirror>/debian SECURITY_MIRROR=http://<mirror>/debian-security \
#     docker buildx bake distroless-debian12
#   REGISTRY=<registry> VERSION=v1.0.0 docker buildx bake release
#
# An example's dockerfile is its distill definition: its "# syntax=" line
# names the frontend image, which contexts points at the frontend target, so
# the examples build with the frontend of this checkout.

variable "MIRROR" {
  default     = ""
  description = "a Debian mirror's URL"
}

variable "SECURITY_MIRROR" {
  default     = ""
  description = "the Debian security archive's URL"
}

variable "FRONTEND" {
  default     = "distillbuild/frontend:0"
  description = "the image the examples' # syntax= lines name"
}

variable "CATALOGUE" {
  description = "the images of the distroless catalogue examples"
  default = [
    "static", "base-nossl", "base", "cc", "python3", "java", "java-nonroot", "java-debug", "nodejs",
    "static-nonroot", "base-nonroot", "cc-nonroot", "python3-nonroot", "debug",
    "static-debug", "base-debug", "cc-debug", "python3-debug", "nodejs-debug",
  ]
}

variable "REGISTRY" {
  default     = ""
  description = "where release pushes the frontend image"
}

variable "VERSION" {
  default     = "dev"
  description = "the release's version: the frontend image's tag"
}

group "default" {
  targets = ["frontend"]
}

target "frontend" {
  context    = "."
  dockerfile = "Dockerfile"
  target     = "frontend"
  platforms  = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/ppc64le", "linux/s390x", "linux/riscv64"]
}

# What a release publishes: the multi-platform frontend image with its SBOM
# and provenance, and static CLI binaries with their checksums in ./dist.
group "release" {
  targets = ["frontend-release", "cli"]
}

target "frontend-release" {
  inherits = ["frontend"]
  tags     = ["${REGISTRY}/distill/frontend:${VERSION}"]
  attest   = ["type=sbom", "type=provenance,mode=max"]
  output   = ["type=image,push=true"]
}

target "cli" {
  context    = "."
  dockerfile = "Dockerfile"
  target     = "cli"
  platforms  = ["linux/amd64", "linux/arm64"]
  output     = ["type=local,dest=dist"]
}

# The examples, each through the frontend target.
target "_example" {
  contexts = { "${FRONTEND}" = "target:frontend" }
  args     = { MIRROR = MIRROR, SECURITY_MIRROR = SECURITY_MIRROR }
}

target "base-files" {
  inherits   = ["_example"]
  context    = "examples/base-files"
  dockerfile = "distill.hcl"
  platforms  = ["linux/amd64", "linux/arm64"]
  output     = ["type=oci,dest=base-files.oci.tar"]
}

# One target per catalogue image, and a group per catalogue: one bake builds
# them all, and BuildKit builds what they share once.
target "debian12" {
  name       = "debian12-${image}"
  inherits   = ["_example"]
  matrix     = { image = CATALOGUE }
  context    = "examples/distroless-debian12"
  dockerfile = "distill.hcl"
  target     = image
  output     = ["type=oci,dest=out/debian12/${image}.oci.tar"]
}

target "debian13" {
  name       = "debian13-${image}"
  inherits   = ["_example"]
  matrix     = { image = CATALOGUE }
  context    = "examples/distroless-debian13"
  dockerfile = "distill.hcl"
  target     = image
  output     = ["type=oci,dest=out/debian13/${image}.oci.tar"]
}

group "distroless-debian12" {
  targets = ["debian12"]
}

group "distroless-debian13" {
  targets = ["debian13"]
}
