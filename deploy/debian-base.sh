#!/usr/bin/env bash
# Make a Debian bookworm base image with python3 from Debian's own packages (debootstrap), for
# building deploy/Dockerfile where no image registry can be reached (CI does this):
#
#   deploy/debian-base.sh [IMAGE]        default IMAGE: localhost/complaint-bot-base:bookworm
#   podman build -f deploy/Dockerfile --build-arg BASE=localhost/complaint-bot-base:bookworm .
#
# Needs root, debootstrap and podman. The root file system is cached in $CACHE between runs.
set -euo pipefail
IMAGE=${1:-localhost/complaint-bot-base:bookworm}
CACHE=${CACHE:-/var/cache/complaint-bot-ci}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

if podman image exists "$IMAGE"; then
    exit 0
fi
mkdir -p "$CACHE"
rootfs="$CACHE/rootfs"
if [ ! -x "$rootfs/usr/bin/python3" ]; then
    rm -rf "$rootfs"
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
        bookworm "$rootfs" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1 \
        || { tail -n 20 "$CACHE/debootstrap.log" >&2; exit 1; }
fi
# Leave out what an image does not need: package caches and lists, docs.
tar -C "$rootfs" --exclude=./var/cache/apt/archives/*.deb --exclude=./var/lib/apt/lists/* \
    --exclude=./usr/share/doc/* --exclude=./usr/share/man/* --exclude=./proc/* \
    --exclude=./sys/* --exclude=./dev/* -c . \
    | podman import --change 'CMD ["/bin/bash"]' - "$IMAGE" > /dev/null
echo "base image $IMAGE made from Debian bookworm packages" >&2
