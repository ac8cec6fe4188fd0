#!/usr/bin/env bash
# Set up watext and run the main job on the bundled sample corpus (SQLite, no server).
#   bash scripts/demo.sh [OUTDIR]     (default ./out)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1
out=${1:-out}
mkdir -p "$out"
db="sqlite:///$PWD/$out/watext.db"
status=0
.venv/bin/watext ingest corpus/sample --db "$db" || status=$?
if [[ $status -ne 0 && $status -ne 3 ]]; then exit $status; fi
.venv/bin/watext documents --db "$db" > "$out/documents.jsonl"
.venv/bin/watext passages --db "$db" > "$out/passages.jsonl"
.venv/bin/watext errors --db "$db" > "$out/errors.jsonl"
echo "watext: $(wc -l < "$out/documents.jsonl") documents, $(wc -l < "$out/passages.jsonl") passages, $(wc -l < "$out/errors.jsonl") files failed (see $out/errors.jsonl); database $out/watext.db" >&2
