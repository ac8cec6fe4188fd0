#!/usr/bin/env bash
# Set up watext and run the main job on the bundled corpus (SQLite, no server):
# the partner cities' survey answers -> passages -> classification -> comparison tables.
#   bash scripts/demo.sh [OUTDIR]     (default ./out)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
out=$(realpath -m "${1:-out}")
mkdir -p "$out"
db="sqlite:///$out/watext.db"
status=0
# The main job: ingest the seven partner cities' survey answers, classify, build the tables.
.venv/bin/watext run corpus/docs/table_test --out "$out" --db "$db" --flow || status=$?
if [[ $status -ne 0 && $status -ne 3 ]]; then exit $status; fi
# What was stored, as JSON lines next to the tables.
.venv/bin/watext documents --db "$db" > "$out/documents.jsonl"
.venv/bin/watext passages --db "$db" > "$out/passages.jsonl"
.venv/bin/watext errors --db "$db" --all > "$out/errors.jsonl"
