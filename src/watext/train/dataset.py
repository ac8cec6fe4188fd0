"""Reviewed passages as training data: export in the gold format and merge with gold.

- :func:`correction_records`: the latest review state (not undone) of every reviewed
  passage, as gold records (``id`` = passage id, ``text``, ``lang``, ``city``,
  ``labels``, ``body``, ``body_name``, ``topic``, plus ``reviewer`` and ``revision``).
- :func:`merge_training`: gold plus corrections; a correction whose text equals a gold
  passage's text replaces that gold record, the others are appended.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from watext.files import write_jsonl
from watext.store import Store

__all__ = ["correction_records", "export_corrections", "merge_training", "records_sha256"]


def correction_records(store: Store) -> list[dict[str, Any]]:
    """Gold-format records of all reviewed passages (latest state, not undone), by id."""
    return [
        {"id": p["id"], "text": p["text"], "lang": p["lang"] or "de", "city": p["city"],
         "labels": list(st.labels or []), "body": st.body, "body_name": st.body_name, "topic": st.topic,
         "reviewer": st.reviewer, "revision": st.revision}
        for p, st in store.reviewed_passages()
    ]  # fmt: skip


def export_corrections(store: Store, out: str | Path) -> int:
    """Write the reviewed passages of ``store`` to ``out`` (gold JSON lines); returns the count."""
    return write_jsonl(correction_records(store), out)


def merge_training(
    gold: Sequence[Mapping[str, Any]], corrections: Sequence[Mapping[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Gold with corrections applied: same text -> the correction replaces the gold record
    (every gold record with that text; the gold city is kept when the passage has none);
    other corrections are appended. Returns the records and ``{"replaced", "appended"}``
    counts (gold records replaced, corrections appended)."""
    records = [dict(r) for r in gold]
    by_text: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        by_text.setdefault(r["text"], []).append(i)
    replaced = appended = 0
    for c in corrections:
        idxs = by_text.get(c["text"])
        if idxs:
            for i in idxs:  # every gold copy of that text (identical texts must agree)
                records[i] = {**c, "city": c.get("city") or records[i].get("city")}
                replaced += 1
        else:
            by_text[c["text"]] = [len(records)]
            records.append({**c, "city": c.get("city") or "unknown"})
            appended += 1
    return records, {"replaced": replaced, "appended": appended}


_KEYS = ("text", "lang", "city", "labels", "body", "body_name", "topic")


def records_sha256(records: Iterable[Mapping[str, Any]]) -> str:
    """SHA-256 over the training-relevant fields of ``records`` (order-sensitive)."""
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps([r.get(k) for k in _KEYS], ensure_ascii=False).encode() + b"\n")
    return h.hexdigest()
