# docker buildx bake: the frontend image and the examples.
#
#   docker buildx bake frontend --set frontend.tags=<registry>/distill/frontend:latest --push
#   docker buildx bake base-files
#   docker buildx bake base-files --set base-files.args.BUILDKIT_SYNTAX=<frontend image>
#
# An example's dockerfile is its distill definition: its "# syntax=" line
# hands the build to the distill frontend image; the BUILDKIT_SYNTAX build
# argument overrides that line.

group "default" {
  targets = ["frontend"]
}

target "frontend" {
  context    = "."
  dockerfile = "Dockerfile"
  target     = "frontend"
  platforms  = ["linux/amd64", "linux/arm64", "linux/arm/v7", "linux/ppc64le", "linux/s390x", "linux/riscv64"]
}

target "base-files" {
  context    = "examples/base-files"
  dockerfile = "distill.hcl"
  platforms  = ["linux/amd64", "linux/arm64"]
  output     = ["type=oci,dest=base-files.oci.tar"]
}
