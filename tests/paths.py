"""Where the tests find their inputs: the one definition of each path.

``../shared`` (seeds, real documents) sits beside the checkout; ``WATEXT_SHARED``
points elsewhere. Tests that need it skip when it is missing (``needs_seeds``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
SHARED = Path(os.environ.get("WATEXT_SHARED") or ROOT.parent / "shared")
SEEDS = SHARED / "seeds"
REAL_DOCS = SHARED / "real-docs"
TABLE_TEST = ROOT / "corpus" / "docs" / "table_test"

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} not present")
needs_real_docs = pytest.mark.skipif(not REAL_DOCS.is_dir(), reason=f"{REAL_DOCS} not present")
