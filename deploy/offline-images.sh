#!/usr/bin/env bash
# Build the images of deploy/compose.yaml without any image registry, from Debian's own
# packages on a debootstrap base (deploy/debian-base.sh): the bot, PostgreSQL and Caddy.
#
#   deploy/offline-images.sh [bot] [postgres] [caddy]      (default: all three)
#
# then put the lines it prints in deploy/.env, so `podman compose up` runs these images
# instead of pulling docker.io/library/postgres and caddy. Needs root, debootstrap and podman,
# and Debian's package mirror (DEBIAN_MIRROR) and PyPI (for the bot's locked wheels).
# An image already there under its name is kept: remove it to build it anew.
set -euo pipefail
cd "$(dirname "$0")"
BASE=${BASE:-localhost/complaint-bot-base:bookworm}
BOT_IMAGE=${BOT_IMAGE:-complaint-bot:local}
POSTGRES_IMAGE=${POSTGRES_IMAGE:-localhost/complaint-bot-postgres:bookworm}
CADDY_IMAGE=${CADDY_IMAGE:-localhost/complaint-bot-caddy:bookworm}
[ "$#" -gt 0 ] || set -- bot postgres caddy

./debian-base.sh "$BASE"
for image in "$@"; do
    case "$image" in
        bot) name=$BOT_IMAGE; file=Dockerfile; context=.. ;;
        postgres) name=$POSTGRES_IMAGE; file=offline/postgres.Containerfile; context=offline ;;
        caddy) name=$CADDY_IMAGE; file=offline/caddy.Containerfile; context=offline ;;
        *) echo "offline-images: unknown image $image (bot, postgres or caddy)" >&2; exit 2 ;;
    esac
    if ! podman image exists "$name"; then
        # Host networking for apt-get and pip only while building; nothing runs this way.
        podman build --quiet --format docker --layers=false --network host --build-arg "BASE=$BASE" \
            -f "$file" -t "$name" "$context" > /dev/null
        echo "offline-images: built $name" >&2
    fi
    echo "$(echo "$image" | tr '[:lower:]' '[:upper:]')_IMAGE=$name"
done
