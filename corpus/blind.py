"""Export corpus sources without their labels, for a second, independent annotator.

    .venv/bin/python corpus/blind.py WRITER_PREFIX OUT.jsonl   (e.g. ``j corpus/labels/blind_j.jsonl``)

One line per document: its metadata and its passages in order (gold id, section heading,
kind, text). The annotator returns ``corpus/labels/<prefix>.jsonl`` with one line per
passage ``{"id", "labels", "body", "body_name", "topic"}``; ``corpus/build.py`` takes those
labels as the gold and reports agreement with the writer's own labels.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from build import gold_lines  # noqa: E402


def main(prefix: str, out: str) -> int:
    docs = []
    for path in sorted((HERE / "src").glob(f"*/{prefix}-*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        heads = [s.get("heading", "") for s in doc["sections"]]
        docs.append({
            "doc": doc["id"], "city": doc["city"], "doc_type": doc["doc_type"], "lang": doc["lang"],
            "title": doc["title"], "date": doc["date"],
            "passages": [{"id": g["id"], "section_heading": heads[g["section"]], "kind": g["kind"],
                          "text": g["text"]} for g in gold_lines(doc)],
        })  # fmt: skip
    Path(out).write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    print(f"{len(docs)} documents, {sum(len(d['passages']) for d in docs)} passages -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
