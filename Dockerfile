# The distill frontend image: FROM scratch plus one static binary, for every
# platform BuildKit may run it on.
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t <registry>/distill:latest --push .
#
# The "binaries" stage can be replaced with prebuilt binaries laid out as
# <os>/<arch>/distill-frontend (--build-context binaries=<dir>), which is how the
# integration test bed builds this image without pulling any base image.

ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
ARG TARGETOS TARGETARCH
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=cache,target=/go/pkg/mod \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/$TARGETOS/$TARGETARCH/ ./cmd/distill-frontend ./cmd/distill

FROM scratch AS binaries
COPY --from=build /out/ /

FROM scratch AS frontend
ARG TARGETOS TARGETARCH
COPY --from=binaries /$TARGETOS/$TARGETARCH/distill-frontend /bin/distill-frontend
LABEL moby.buildkit.frontend.network.none="true"
LABEL moby.buildkit.frontend.caps="moby.buildkit.frontend.inputs,moby.buildkit.frontend.subrequests,moby.buildkit.frontend.contexts"
ENTRYPOINT ["/bin/distill-frontend"]
