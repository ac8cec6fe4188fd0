"""Validate corpus source files without building anything (for writers).

    .venv/bin/python corpus/validate_src.py corpus/src/train/g-*.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import soft_warnings, validate  # noqa: E402


def main(paths: list[str]) -> int:
    bad = 0
    for name in paths:
        path = Path(name)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"{path}: cannot read: {exc}")
            bad += 1
            continue
        errs = validate(doc, path)
        for e in errs:
            print(f"{path}: ERROR {e}")
        if not errs:
            for w in soft_warnings(doc):
                print(f"{path}: warning {w}")
        bad += bool(errs)
    print(f"{len(paths) - bad}/{len(paths)} files valid")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
