"""Golden-file comparison shared by the extractor tests.

Expected output is a JSON file; set ``WATEXT_REGEN_GOLDEN=1`` to (re)write it, then
review the change as a diff. A missing golden file fails: it is never written silently
and then compared with itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from watext.model import Document

REGEN = "WATEXT_REGEN_GOLDEN"


def check_golden(actual: Any, expected: Path) -> None:
    """Compare ``actual`` (JSON-ready) with the stored ``expected`` file."""
    if os.environ.get(REGEN) == "1":
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(json.dumps(actual, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not expected.exists():
        pytest.fail(f"golden file {expected.name} missing; write it with {REGEN}=1 and review it", pytrace=False)
    assert actual == json.loads(expected.read_text(encoding="utf-8"))


def document_golden(doc: Document) -> dict[str, Any]:
    """What a document's golden file holds: title, pages, metadata and all blocks."""
    return {"title": doc.title, "pages": doc.pages, "metadata": doc.metadata,
            "blocks": [b.to_dict() for b in doc.blocks]}  # fmt: skip
