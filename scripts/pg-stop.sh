#!/usr/bin/env bash
# Stop the test PostgreSQL server started by scripts/pg-start.sh.
#   --purge   also delete its directory (${WATEXT_PG_DIR:-/tmp/watext-pg})
set -euo pipefail

PG_DIR=${WATEXT_PG_DIR:-/tmp/watext-pg}
DATA="$PG_DIR/data"

log() { echo "pg-stop: $*" >&2; }

if [[ ! -f "$DATA/PG_VERSION" ]]; then
    log "no cluster in $DATA"
else
    BIN=""
    for d in "$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || echo /nonexistent)")")" \
        $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$d/pg_ctl" ]]; then BIN=$d; break; fi
    done
    [[ -n "$BIN" ]] || { log "pg_ctl not found"; exit 1; }
    OWNER=$(stat -c %U "$DATA")
    if [[ $(id -u) -eq 0 && "$OWNER" != root ]]; then
        run() { runuser -u "$OWNER" -- "$@"; }
    else
        run() { "$@"; }
    fi
    if run "$BIN/pg_ctl" status -D "$DATA" >/dev/null 2>&1; then
        run "$BIN/pg_ctl" stop -D "$DATA" -m fast -w >&2
        log "stopped"
    else
        log "server not running"
    fi
fi

if [[ "${1:-}" == "--purge" ]]; then
    rm -rf "$PG_DIR"
    log "removed $PG_DIR"
fi
