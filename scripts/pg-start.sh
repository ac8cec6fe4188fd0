#!/usr/bin/env bash
# Make a throw-away PostgreSQL server available for watext's tests, then print
#
#     export WATEXT_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:<port>/watext_test
#
# on stdout (everything else goes to stderr), so you can run
#
#     eval "$(bash scripts/pg-start.sh)"
#
# Idempotent: when the server is already up it only ensures the database and prints the
# line. Installs the Debian "postgresql" package when no initdb/pg_ctl is found (needs
# root). As root, the server runs as the "postgres" OS user (or "watextpg", created when
# neither exists). Trust authentication, listening on 127.0.0.1 only.
#
# Environment: WATEXT_PG_DIR (default /tmp/watext-pg; must be reachable by the server
# user), WATEXT_PG_PORT (default 55432). Stop with scripts/pg-stop.sh.
set -euo pipefail

PG_DIR=${WATEXT_PG_DIR:-/tmp/watext-pg}
PG_PORT=${WATEXT_PG_PORT:-55432}
DATA="$PG_DIR/data"
LOG="$PG_DIR/server.log"
DB=watext_test
SUPERUSER=postgres

log() { echo "pg-start: $*" >&2; }

find_bindir() {
    local d
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v pg_ctl)")"
        return 0
    fi
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

if ! BIN=$(find_bindir); then
    if [[ $(id -u) -ne 0 ]]; then
        log "PostgreSQL not found and not root: install the 'postgresql' package first"
        exit 1
    fi
    log "installing PostgreSQL (apt-get) ..."
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN=$(find_bindir) || { log "PostgreSQL still not found after install"; exit 1; }
fi
log "using $BIN"

# The server refuses to run as root: pick an unprivileged OS user.
if [[ $(id -u) -eq 0 ]]; then
    if id postgres >/dev/null 2>&1; then
        OS_USER=postgres
    else
        OS_USER=watextpg
        id "$OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home \
            --shell /usr/sbin/nologin "$OS_USER"
    fi
    as_user() { runuser -u "$OS_USER" -- "$@"; }
else
    OS_USER=$(id -un)
    as_user() { "$@"; }
fi

pg() { as_user "$BIN/$1" "${@:2}"; }
ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -U "$SUPERUSER"; }

mkdir -p "$PG_DIR"
if [[ $(id -u) -eq 0 ]]; then
    chown "$OS_USER" "$PG_DIR"
    chmod 0755 "$PG_DIR"
fi

if [[ -f "$DATA/PG_VERSION" ]] && pg pg_ctl status -D "$DATA" >/dev/null 2>&1; then
    log "server already running (data dir $DATA)"
else
    if [[ -f "$DATA/PG_VERSION" ]]; then
        log "reusing existing cluster in $DATA"
    else
        log "initialising a new cluster in $DATA"
        rm -rf "$DATA"
        pg initdb -D "$DATA" -U "$SUPERUSER" --auth=trust --encoding=UTF8 --locale=C \
            >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
    fi
    log "starting on 127.0.0.1:$PG_PORT (log: $LOG)"
    if ! pg pg_ctl start -D "$DATA" -l "$LOG" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $DATA" >&2; then
        tail -n 20 "$LOG" >&2 || true
        exit 1
    fi
fi

for _ in $(seq 1 60); do
    ready && break
    sleep 0.5
done
ready || { log "server did not become ready on port $PG_PORT"; tail -n 20 "$LOG" >&2; exit 1; }

psql_q() { "$BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$SUPERUSER" -d postgres -tAq "$@"; }
if [[ $(psql_q -c "SELECT 1 FROM pg_database WHERE datname = '$DB'") != 1 ]]; then
    log "creating database $DB"
    psql_q -c "CREATE DATABASE $DB" >&2
fi

echo "export WATEXT_TEST_PG_URL=postgresql+psycopg://$SUPERUSER@127.0.0.1:$PG_PORT/$DB"
