#!/usr/bin/env sh
# Make deploy/secrets/ for compose.yaml, once: the bot token (asked), a random webhook secret,
# a new server key, and a copy of your coalitions file. Nothing here is ever printed.
set -eu
cd "$(dirname "$0")"
umask 077
ENGINE=${ENGINE:-$(command -v docker >/dev/null 2>&1 && echo docker || echo podman)}
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
    "$ENGINE" image inspect complaint-bot:local >/dev/null 2>&1 || \
        "$ENGINE" build -f Dockerfile -t complaint-bot:local ..
    "$ENGINE" run --rm --entrypoint complaint-bot -v "$PWD/secrets:/out" -u "$(id -u)" \
        complaint-bot:local keys server --out /out/server-key.json
fi
[ -s secrets/coalitions.yaml ] || { echo "copy your coalitions file to deploy/secrets/coalitions.yaml" >&2; exit 1; }
[ -s .env ] || { echo "write BOT_DOMAIN=bot.example.org (and ACME_EMAIL=...) to deploy/.env" >&2; exit 1; }
echo "secrets ready in deploy/secrets (back up server-key.json offline, apart from the database)" >&2
