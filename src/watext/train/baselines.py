"""Rule baselines the model must beat, evaluated on the same folds.

- :class:`KeywordBaseline`: a goal gets a passage when one of its "typical evidence"
  words from TAXONOMY.md (``rules/baseline_lexicon.jsonl``) occurs as a lowercase substring.
- :class:`RegexBodyBaseline`: regular expressions for named units (→ ``fachstelle`` with the
  match as name), the mayor (→ ``chefsache``) and cross-cutting wording (→ ``querschnittsaufgabe``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from watext.tag.analysis import load_lexicon
from watext.model import GOAL_LABELS
from watext.tag.nlp import RULES_DIR

__all__ = ["KeywordBaseline", "RegexBodyBaseline"]

_UNIT = re.compile(
    r"\b(?:Amt|Fachbereich|Dezernat|Referat|Stabsstelle|Koordinierungsstelle|Department|Office)"
    r"(?:\s+(?:für|for|of|der|des))?(?:\s*(?:,|und|and|&)?\s*[A-ZÄÖÜ][\w-]+){0,4}"
)
_CHEF = re.compile(r"\b(?:Ober)?[Bb]ürgermeister(?:in)?\b|\b(?:Lord )?[Mm]ayor\b")
_CROSS = re.compile(r"[Qq]uerschnitt|cross[- ]cutting|\ball (?:departments|services)\b|alle[n]? Ämter", re.I)


def _text(r: Mapping[str, Any] | str) -> str:
    return r if isinstance(r, str) else r.get("text", "")


class KeywordBaseline:
    """Goal labels from TAXONOMY.md's typical-evidence words (substring match)."""

    def __init__(self) -> None:
        self.lexicon = load_lexicon(RULES_DIR / "baseline_lexicon.jsonl")
        self.classes_ = np.asarray(GOAL_LABELS, dtype=object)

    def predict(self, records: Sequence[Mapping[str, Any] | str]) -> np.ndarray:
        """Indicator matrix ordered like ``GOAL_LABELS`` (also usable as 0/1 probabilities)."""
        out = np.zeros((len(records), len(self.classes_)), dtype=int)
        for i, r in enumerate(records):
            low = _text(r).lower()
            for j, lab in enumerate(self.classes_):
                out[i, j] = int(any(t in low for t in self.lexicon.get(lab, ())))
        return out


class RegexBodyBaseline:
    """Body type and name by regular expression: unit > mayor > cross-cutting."""

    def predict(self, records: Sequence[Mapping[str, Any] | str]) -> list[tuple[str | None, str | None]]:
        """``(body, body_name)`` per record."""
        out: list[tuple[str | None, str | None]] = []
        for r in records:
            text = _text(r)
            if m := _UNIT.search(text):
                name = re.sub(r"[\s,&]+(?:und|and)?$", "", m.group(0)).strip()
                out.append(("fachstelle", name))
            elif _CHEF.search(text):
                out.append(("chefsache", None))
            elif _CROSS.search(text):
                out.append(("querschnittsaufgabe", None))
            else:
                out.append((None, None))
        return out
