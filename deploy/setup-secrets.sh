#!/usr/bin/env sh
# Make deploy/secrets/ for compose.yaml, once: the bot token (asked), a random webhook secret,
# a new server key, and a copy of your coalitions file. Nothing here is ever printed.
set -eu
cd "$(dirname "$0")"
umask 077
ENGINE=${ENGINE:-$(command -v docker >/dev/null 2>&1 && echo docker || echo podman)}
# The bot's image: BOT_IMAGE from deploy/.env if set there (deploy/offline-images.sh), as compose.
[ -n "${BOT_IMAGE:-}" ] || [ ! -f .env ] || BOT_IMAGE=$(sed -n 's/^BOT_IMAGE=//p' .env | tail -n 1)
IMAGE=${BOT_IMAGE:-complaint-bot:local}
mkdir -p secrets
if [ ! -s secrets/telegram_bot_token ]; then
    printf 'Bot token from @BotFather: ' >&2
    stty -echo 2>/dev/null || true
    read -r token
    stty echo 2>/dev/null || true
    printf '\n' >&2
    printf '%s' "$token" > secrets/telegram_bot_token
fi
[ -s secrets/webhook_secret_token ] || \
    python3 -c 'import secrets; print(secrets.token_urlsafe(48), end="")' > secrets/webhook_secret_token
if [ ! -s secrets/server-key.json ]; then
    "$ENGINE" image inspect "$IMAGE" >/dev/null 2>&1 || \
        "$ENGINE" build -f Dockerfile -t "$IMAGE" ..
    "$ENGINE" run --rm --entrypoint complaint-bot -v "$PWD/secrets:/out" -u "$(id -u)" \
        "$IMAGE" keys server --out /out/server-key.json
fi
[ -s secrets/coalitions.yaml ] || { echo "copy your coalitions file to deploy/secrets/coalitions.yaml" >&2; exit 1; }
[ -s .env ] || { echo "write BOT_DOMAIN=bot.example.org and ACME_EMAIL=you@example.org to deploy/.env" >&2; exit 1; }
# Compose mounts these files as they are (an engine without swarm ignores the uid and mode
# compose.yaml asks for), so they must belong to the bot's user, 10001, and be read-only.
if [ "$(id -u)" = 0 ]; then
    chown 10001:10001 secrets/* && chmod 0400 secrets/*
elif [ "$ENGINE" = podman ]; then
    podman unshare sh -c 'chown 10001:10001 secrets/* && chmod 0400 secrets/*'
else
    echo "now run: sudo chown 10001:10001 deploy/secrets/* && sudo chmod 0400 deploy/secrets/*" >&2
fi
echo "secrets ready in deploy/secrets (back up server-key.json offline, apart from the database)" >&2
