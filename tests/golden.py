"""Golden-file comparison shared by the extractor tests.

Expected output lives beside the input as ``<name>.expected.json``; set
``WATEXT_REGEN_GOLDEN=1`` to rewrite it, then review the change as a diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from watext.model import Document


def check_golden(doc: Document, expected: Path) -> None:
    """Compare a document's blocks (and title, pages, metadata) with the stored JSON."""
    actual = {"title": doc.title, "pages": doc.pages, "metadata": doc.metadata,
              "blocks": [b.to_dict() for b in doc.blocks]}  # fmt: skip
    if os.environ.get("WATEXT_REGEN_GOLDEN") == "1" or not expected.exists():
        expected.write_text(json.dumps(actual, ensure_ascii=False, indent=1), encoding="utf-8")
    assert actual == json.loads(expected.read_text(encoding="utf-8"))
