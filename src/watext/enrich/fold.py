"""Spelling-tolerant comparison of names: lower case, umlauts and a few letters transliterated."""

from __future__ import annotations

__all__ = ["fold", "transliterate"]


def transliterate(s: str) -> str:
    """Umlauts and a few letters written in ASCII (ä -> ae, ß -> ss, ł -> l)."""
    return (s.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae")
            .replace("Ö", "Oe").replace("Ü", "Ue").replace("ß", "ss").replace("ñ", "n")
            .replace("ł", "l").replace("Ł", "L"))


def fold(s: str) -> str:
    """Lower-case and transliterate umlauts, for spelling-tolerant comparisons."""
    return transliterate(s.lower())
