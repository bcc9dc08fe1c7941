# The builtin images' base image, published by each release as
# ghcr.io/swarmgen/swarmgen:vVERSION for linux/amd64 and linux/arm64
# (.goreleaser.yaml, dockers_v2): the static swarmgen-linux-ARCH binary,
# FROM scratch, as builtinimage.BaseDockerfile makes it from a local one.
# A bootstrap.sh run without swarmgen makes the echo and visualizer images
# from it (model.BuiltinBase).
FROM scratch
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/swarmgen-linux-* /swarmgen
ENTRYPOINT ["/swarmgen"]
