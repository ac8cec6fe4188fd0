"""Persistence of watext: one :class:`Store` over SQLite or PostgreSQL.

    with open_store("sqlite:///watext.db") as store:
        result = store.save_document(doc, passages)
"""

from __future__ import annotations

from watext.store.repo import SaveResult, SaveStatus, Store, normalize_url

__all__ = ["SaveResult", "SaveStatus", "Store", "normalize_url", "open_store"]


def open_store(url: str) -> Store:
    """Open (and if needed create) the database at ``url``; raises StoreError if unusable."""
    return Store(url)
