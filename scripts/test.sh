#!/usr/bin/env bash
# Set up everything the tests need and run them: bash scripts/test.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
# A real PostgreSQL server for the store tests (installed and started when missing).
if [[ -z "${WATEXT_TEST_PG_URL:-}" ]]; then
    if pg_export=$(bash scripts/pg-start.sh); then
        eval "$pg_export"
    elif [[ "${CI:-}" == "true" ]]; then
        echo "test: could not start PostgreSQL" >&2; exit 1
    fi
fi
exec .venv/bin/python -m pytest "$@"
