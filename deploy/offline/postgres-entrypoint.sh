#!/bin/sh
# The part of the official postgres image's entrypoint that deploy/compose.yaml relies on: a
# first start makes the cluster in $PGDATA with POSTGRES_USER as its superuser and POSTGRES_DB,
# reachable over the network with POSTGRES_HOST_AUTH_METHOD (or a POSTGRES_PASSWORD).
set -eu
: "${PGDATA:=/var/lib/postgresql/data}"
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA"
    chown postgres:postgres "$PGDATA"
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
user=${POSTGRES_USER:-postgres}
database=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    method=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
    if [ "$method" != trust ] && [ -z "${POSTGRES_PASSWORD:-}" ]; then
        echo "postgres: set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust" >&2
        exit 1
    fi
    password_file=/dev/null
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
        password_file=$(mktemp)
        printf '%s' "$POSTGRES_PASSWORD" > "$password_file"
    fi
    initdb --pgdata="$PGDATA" --username="$user" --auth-local=trust --auth-host="$method" \
        --encoding=UTF8 --locale=C.UTF-8 \
        ${POSTGRES_PASSWORD:+--pwfile="$password_file"} >/dev/null
    [ "$password_file" = /dev/null ] || rm -f "$password_file"
    printf 'host all all all %s\n' "$method" >> "$PGDATA/pg_hba.conf"
    if [ "$database" != postgres ]; then
        echo "CREATE DATABASE \"$database\" OWNER \"$user\"" \
            | postgres --single -j -D "$PGDATA" postgres >/dev/null
    fi
    echo "postgres: cluster made in $PGDATA" >&2
fi
if [ "${1:-}" = postgres ]; then
    shift
    exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi
exec "$@"
