"""One language per audience: every text area exists in every language with the same keys
and the same placeholders, and the helpers format numbers, dates and lists per language."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

import pytest

from watext import i18n


def _flat(d: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in d.items():
        if isinstance(v, Mapping):
            out |= _flat(v, f"{prefix}{k}.")
        elif isinstance(v, list):
            out |= {f"{prefix}{k}[{i}]": str(x) for i, x in enumerate(v)}
        else:
            out[f"{prefix}{k}"] = str(v)
    return out


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("area", i18n.areas())
def test_every_language_has_the_same_keys_and_placeholders(area: str) -> None:
    base = _flat(i18n.texts(area, i18n.DEFAULT))
    for code in i18n.LANGS[1:]:
        other = _flat(i18n.texts(area, code))
        assert set(other) == set(base), f"{code}/{area}.json: keys differ: {set(other) ^ set(base)}"
        for key, text in base.items():
            assert _fields(other[key]) == _fields(text), f"{code}/{area}.json {key}: placeholders differ"
            assert other[key].strip(), f"{code}/{area}.json {key} is empty"


def test_label_kinds_cover_the_label_enums() -> None:
    from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS

    for code in i18n.LANGS:
        assert tuple(i18n.names("goal", code)) == GOAL_LABELS
        assert tuple(i18n.names("body", code)) == BODY_LABELS
        assert tuple(i18n.names("topic", code)) == TOPIC_LABELS
        assert list(i18n.names("question", code)) == [str(n) for n in range(1, 8)]


def test_german_is_the_default_and_use_switches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATEXT_LANG", raising=False)
    assert i18n.lang() == "de"
    assert i18n.number(0.5) == "0,50"
    assert i18n.when("2026-11-29T11:42:00+00:00") == "29.11.2026, 11:42 UTC"
    assert i18n.join(["A", "B", "C"]) == "A, B und C"
    assert i18n.name("goal", "humanitaere_hilfe") == "Humanitäre Hilfe"
    assert i18n.name("goal", "unknown_id") == "unknown_id"
    with i18n.use("en"):
        assert i18n.lang() == "en"
        assert i18n.number(0.5) == "0.50"
        assert i18n.when("2026-11-29T11:42:00+00:00") == "2026-11-29 11:42 UTC"
        assert i18n.join(["A", "B", "C"]) == "A, B and C"
        assert i18n.name("goal", "humanitaere_hilfe") == "Humanitarian aid"
    assert i18n.lang() == "de"
    monkeypatch.setenv("WATEXT_LANG", "en")
    assert i18n.lang() == "en"
    with pytest.raises(ValueError, match="choose de or en"):
        with i18n.use("fr"):
            pass
