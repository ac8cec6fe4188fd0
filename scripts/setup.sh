#!/usr/bin/env bash
# Set up watext in ./.venv from the pinned dependency set (idempotent).
#   bash scripts/setup.sh          runtime + dev dependencies
#   bash scripts/setup.sh --system also install the Debian packages the tests use
#                                  (tesseract/ocrmypdf for OCR, chromium for browser tests,
#                                  LibreOffice to render the exports to PDF;
#                                  PostgreSQL comes via pg-start.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ "${1:-}" == "--system" ]] && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    if ! command -v ocrmypdf >/dev/null || ! command -v tesseract >/dev/null; then
        echo "setup: installing OCR tools (apt-get) ..." >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ocrmypdf tesseract-ocr-deu >&2
    fi
    if [[ ! -x /usr/bin/chromium ]]; then  # browser tests: Playwright drives Debian's Chromium
        echo "setup: installing chromium (apt-get) ..." >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
    fi
    if ! command -v soffice >/dev/null; then  # office render tests: slides and workbook as PDF
        echo "setup: installing LibreOffice (apt-get) ..." >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            libreoffice-impress libreoffice-calc libreoffice-writer >&2
    fi
fi

PY=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
    "$PY" -m venv .venv
fi
stamp=.venv/.watext-installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [[ ! -f $stamp ]] || [[ "$(cat $stamp)" != "$want" ]]; then
    echo "setup: installing Python dependencies into .venv ..." >&2
    .venv/bin/python -m pip install -q --upgrade pip >&2
    .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]" >&2
    echo "$want" > $stamp
fi
