"""Survey structure: which of the seven survey questions each passage of a document answers.

A heading or passage recognised as one of the questions (by meaning, in any language and
numbering: :mod:`watext.tag.questions`) opens that question's answer; the following
passages answer it until the next question or a closing formula. Worked out once per
document at classify time and stored (:meth:`Store.save_questions`); the tables read it.
Rules: ``rules/survey.json`` (questions, topics, closing formulas) and the question
recogniser's data files; :func:`questions_version` changes when any of them does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.errors import ConfigError
from watext.files import read_json, sha256_files
from watext.model import TOPIC_LABELS
from watext.tag.questions import MAX_CHARS, answer_after_question, question_recognizer

__all__ = ["Question", "document_questions", "load_questions", "match_question", "questions_version",
           "survey_questions"]  # fmt: skip

RULES_DIR = Path(__file__).parent / "rules"


@dataclass(frozen=True, slots=True)
class Question:
    no: int
    topic: str
    de: str


@lru_cache(maxsize=4)
def _survey_rules(path: str | None = None) -> tuple[tuple[Question, ...], tuple[re.Pattern[str], ...]]:
    """Questions and end patterns of ``rules/survey.json`` (read and validated once)."""
    p = Path(path) if path else RULES_DIR / "survey.json"
    data = read_json(p)
    try:
        qs = tuple(Question(int(q["no"]), q["topic"], q["de"]) for q in data["questions"])
        ends = tuple(re.compile(x, re.IGNORECASE) for x in data["end_patterns"])
    except (OSError, ValueError, KeyError, TypeError, re.error) as exc:
        raise ConfigError(f"{p.name}: invalid survey rules: {exc}") from exc
    bad = [q.topic for q in qs if q.topic not in TOPIC_LABELS]
    if bad:
        raise ConfigError(f"{p.name}: unknown topics {bad}")
    return qs, ends


def _end_patterns() -> tuple[re.Pattern[str], ...]:
    return _survey_rules()[1]


def load_questions(path: str | None = None) -> tuple[Question, ...]:
    """The survey questions of ``rules/survey.json`` (validated)."""
    return _survey_rules(path)[0]


def _question(no: int) -> Question:
    return next(q for q in load_questions() if q.no == no)


def match_question(text: str) -> Question | None:
    """The survey question ``text`` states (recognised by meaning: :mod:`.questions`), else None."""
    m = question_recognizer().match(text)
    return _question(m.no) if m else None


def _is_whole_question(text: str) -> bool:
    """True when the text is only a question line (not a question opening an answer)."""
    return len(text.strip()) <= MAX_CHARS and not answer_after_question(text)


def _heading_question(headings: Sequence[str], by_heading: dict[str, int], reads: set[str]) -> int | None:
    """The question a passage's heading chain (outermost first) puts it under: the first
    heading that reads as a question (numbered or with '?'), else the outermost recognised
    one. A list item's own heading below a question ("Funds for single measures") does not
    open another question."""
    hits = [h for h in headings if h in by_heading]
    if not hits:
        return None
    return by_heading[next((h for h in hits if h in reads), hits[0])]


def survey_questions(passages: Sequence[dict[str, Any]], doc_type: str | None = None
                     ) -> dict[str, tuple[int | None, bool]]:  # fmt: skip
    """``{passage id: (question no, is_the_question_itself)}`` for one document's passages
    in reading order. Empty when the document has no survey structure (fewer than two
    different questions recognised; one is enough in a ``survey_answer``); otherwise
    passages before the first question and after a closing formula map to ``(None, False)``."""
    rec = question_recognizer()
    headings = list(dict.fromkeys(h for p in passages for h in (p.get("heading") or [])))
    found = rec.match_many([p["text"] for p in passages] + headings)
    by_heading = {h: m.no for h, m in zip(headings, found[len(passages):]) if m}
    reads_as_question = {h for h, m in zip(headings, found[len(passages):])
                         if m and (m.number is not None or h.rstrip(" *_").endswith("?"))}  # fmt: skip
    # Where the questions are the document's headings, a passage of its own counts as a
    # question only when it reads as one (a question mark or a numbering): otherwise it is
    # an answer item under a question ("Funds for single measures in certain fields").
    own = {p["id"]: m.no for p, m in zip(passages, found)
           if m and (not by_heading or m.number is not None or p["text"].rstrip(" *_").endswith("?"))}
    distinct = set(own.values()) | {by_heading[h] for p in passages for h in (p.get("heading") or [])
                                    if h in by_heading}  # fmt: skip
    if len(distinct) < (1 if doc_type == "survey_answer" else 2):
        return {}
    out: dict[str, tuple[int | None, bool]] = {}
    current: int | None = None
    closed: int | None = None  # the question a closing formula ended (its heading stays open)
    ends = _end_patterns()
    for p in passages:
        if current is not None and any(e.search(p["text"].strip()) for e in ends):
            current, closed = None, current
            out[p["id"]] = (None, False)
            continue
        if p["id"] in own:
            current, closed = own[p["id"]], None
            out[p["id"]] = (current, _is_whole_question(p["text"]))
            continue
        q = _heading_question(p.get("heading") or [], by_heading, reads_as_question)
        if q and q != closed:  # a signature under the last question's heading stays out
            current, closed = q, None
        out[p["id"]] = (current, False)
    return out if any(q is not None for q, _ in out.values()) else {}




def questions_version() -> str:
    """Short hash over the survey and question-recogniser rule files."""
    return sha256_files([RULES_DIR / "survey.json", *RULES_DIR.glob("question*.json*")])


def document_questions(passages: Sequence[dict[str, Any]]) -> dict[str, tuple[int | None, bool]]:
    """:func:`survey_questions` of one document's passages (``doc_type`` taken from them)."""
    if not passages:
        return {}
    return survey_questions(passages, passages[0].get("doc_type"))
