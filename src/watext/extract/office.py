"""Helpers shared by the Office Open XML adapters (DOCX, PPTX)."""

from __future__ import annotations

from typing import Any

__all__ = ["read_core_properties"]


def read_core_properties(core: Any) -> dict[str, Any]:
    """Non-empty core properties of a python-docx/python-pptx package, dates as ISO 8601."""
    raw = {
        "author": core.author, "title": core.title, "subject": core.subject,
        "keywords": core.keywords, "last_modified_by": core.last_modified_by,
        "created": core.created.isoformat() if core.created else None,
        "modified": core.modified.isoformat() if core.modified else None,
    }  # fmt: skip
    return {k: v for k, v in raw.items() if v}
