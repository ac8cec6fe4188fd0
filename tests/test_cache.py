"""The per-user cache of derived things (fitted question recogniser, unpacked model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from watext import cache


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATEXT_CACHE_DIR", str(tmp_path / "c"))


def test_built_once_then_read_back() -> None:
    calls: list[int] = []
    assert cache.cached("thing", "k1", lambda: calls.append(1) or {"a": [1, 2]}) == {"a": [1, 2]}
    assert cache.cached("thing", "k1", lambda: calls.append(1) or {"a": "other"}) == {"a": [1, 2]}
    assert calls == [1]
    assert cache.cached("thing", "k2", lambda: "new key") == "new key"


def test_a_damaged_entry_is_rebuilt() -> None:
    cache.cached("thing", "k", lambda: 1)
    (entry,) = cache.cache_dir().glob("thing-k.*")
    entry.write_bytes(b"not a pickle")
    assert cache.cached("thing", "k", lambda: 2) == 2
    assert cache.cached("thing", "k", lambda: 3) == 2


def test_old_entries_are_dropped_and_an_unwritable_cache_is_skipped(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    for i in range(cache.KEEP + 2):
        cache.cached("m", f"v{i}", lambda i=i: i)
    assert len(list(cache.cache_dir().glob("m-*"))) == cache.KEEP
    blocked = tmp_path / "file"
    blocked.write_text("x")
    monkeypatch.setenv("WATEXT_CACHE_DIR", str(blocked / "sub"))  # cannot be created
    assert cache.cached("m", "v", lambda: "still works") == "still works"


def test_the_key_changes_with_the_file(tmp_path: Path) -> None:
    f = tmp_path / "model.joblib"
    f.write_bytes(b"1")
    before = cache.file_key(f)
    f.write_bytes(b"12")
    assert cache.file_key(f) != before
