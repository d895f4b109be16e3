# The distill frontend image: FROM scratch plus one static binary, for every
# platform BuildKit may run it on; and the release's static CLI binaries.
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/distill:latest --push .
#
# BINARIES says where the binaries come from: "compiled" builds them with Go.
# Prebuilt ones, laid out as <os>/<arch>/distill-frontend, are taken with
# --build-arg BINARIES=prebuilt --build-context prebuilt=<dir>: then nothing
# is compiled and no base image is resolved, which is how the integration
# test bed builds this image offline. The release's CLI checksums are summed
# in TOOLS: the Go stage, or a named context with sh and sha256sum.

ARG GO_VERSION=1.26.8
ARG BINARIES=compiled
ARG TOOLS=build

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ARG TARGETOS TARGETARCH
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=cache,target=/go/pkg/mod \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/$TARGETOS/$TARGETARCH/ ./cmd/distill-frontend ./cmd/distill

FROM scratch AS compiled
COPY --from=build /out/ /

# Not a stage: a named context when BINARIES=prebuilt.
FROM ${BINARIES} AS binaries

FROM scratch AS frontend
ARG TARGETOS TARGETARCH
COPY --from=binaries /$TARGETOS/$TARGETARCH/distill-frontend /bin/distill-frontend
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
ENTRYPOINT ["/bin/distill-frontend"]

# The CLI as a release publishes it: distill-<os>-<arch> and its sha256,
# summed where a shell is: the Go stage, or TOOLS, a named context with sh
# and sha256sum on its PATH (the catalogue's busybox "debug" image will do),
# so that prebuilt binaries need no Go image. Exec form: a busybox image
# has no /bin/sh.
FROM --platform=$BUILDPLATFORM ${TOOLS} AS cli-checksummed
ARG TARGETOS TARGETARCH
COPY --from=binaries /$TARGETOS/$TARGETARCH/distill /out/$TARGETOS/$TARGETARCH/distill-$TARGETOS-$TARGETARCH
RUN ["sh", "-c", "cd /out/$TARGETOS/$TARGETARCH && sha256sum distill-$TARGETOS-$TARGETARCH > distill-$TARGETOS-$TARGETARCH.sha256"]

FROM scratch AS cli
ARG TARGETOS TARGETARCH
COPY --from=cli-checksummed /out/$TARGETOS/$TARGETARCH/distill-$TARGETOS-$TARGETARCH /out/$TARGETOS/$TARGETARCH/distill-$TARGETOS-$TARGETARCH.sha256 /
