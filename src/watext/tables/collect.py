"""The effective view of stored passages that the comparison tables are built from.

For every current passage: its document's fields, the current model's prediction, the
latest review (a correction wins over the model, field by field: a reviewed passage
uses the reviewer's goals, body and topic), and the survey question it answers.

Survey question: a heading or passage recognised as one of the seven questions (by
meaning, in any language and numbering: :mod:`.questions`) opens that question's answer;
the following passages of the document answer it until the next question. Where no survey
structure is found, the (reviewed or predicted) topic is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .model import Evidence
from .questions import MAX_CHARS, answer_after_question, question_recognizer

__all__ = ["Question", "TablePassage", "collect", "load_questions", "survey_questions"]

RULES_DIR = Path(__file__).parent / "rules"


@dataclass(frozen=True, slots=True)
class Question:
    no: int
    topic: str
    de: str


@lru_cache(maxsize=4)
def _survey_rules(path: str | None = None) -> tuple[tuple[Question, ...], tuple[re.Pattern[str], ...]]:
    """Questions and end patterns of ``rules/survey.json`` (read and validated once)."""
    from ..tag.labels import TOPIC_LABELS

    p = Path(path) if path else RULES_DIR / "survey.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
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


@dataclass(slots=True)
class TablePassage:
    """One passage as the tables see it (effective labels after review)."""

    id: str
    document: str
    source: str
    title: str | None
    format: str | None
    city: str | None
    doc_type: str | None
    page: int | None
    kind: str | None
    heading: list[str]
    text: str
    lang: str | None
    question: int | None  # survey question answered (1–7), None when not a survey answer
    is_question: bool
    topic: str | None
    labels: list[str]
    scores: dict[str, float]
    body: str | None
    body_name: str | None
    verified: bool
    model_labels: list[str]  # what the model said (to tell reviewed-away cells)
    model_version: str | None
    #: The topic the model (or a reviewer) gave, whatever the survey structure says: the
    #: fallback for question 1 when no answer to it was recognised.
    own_topic: str | None = None

    def evidence(self, label: str | None = None, origin: str | None = None) -> Evidence:
        """This passage as evidence (confidence = the model's score for ``label``)."""
        conf = None if self.verified or label is None else self.scores.get(label)
        return Evidence(
            passage_id=self.id, document_id=self.document, source=self.source, title=self.title,
            city=self.city, page=self.page, text=self.text, confidence=conf, verified=self.verified,
            origin=origin or ("review" if self.verified else "model"), format=self.format,
        )  # fmt: skip


def collect(store: Any, model_name: str | None, model_version: str | None,
            cities: Iterable[str] | None = None) -> tuple[list[TablePassage], dict[str, int]]:  # fmt: skip
    """Effective passages of current documents (optionally only ``cities``) and counts
    (``passages``, ``classified``, ``reviewed``, ``unclassified``)."""
    from ..tag.labels import TOPIC_LABELS

    wanted = {c.casefold() for c in cities} if cities else None
    docs = {d["id"]: d for d in store.iter_documents()}
    preds: dict[str, dict[str, Any]] = {}
    if model_name and model_version:
        for p in store.iter_predictions(model_name):
            if p["model_version"] == model_version:
                preds[p["passage_id"]] = p
    reviews = store.reviewed_states()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for p in store.iter_passages():
        if wanted is not None and (p["city"] or "").casefold() not in wanted:
            continue
        by_doc.setdefault(p["document"], []).append(p)
    out: list[TablePassage] = []
    counts = {"passages": 0, "classified": 0, "reviewed": 0, "unclassified": 0}
    question_topic = {q.no: q.topic for q in load_questions()}
    for doc_id, rows in by_doc.items():
        doc = docs.get(doc_id, {})
        qs = survey_questions(rows, rows[0].get("doc_type"))
        for p in rows:
            counts["passages"] += 1
            pred, rev = preds.get(p["id"]), reviews.get(p["id"])
            if rev:
                counts["reviewed"] += 1
            elif pred:
                counts["classified"] += 1
            else:
                counts["unclassified"] += 1
                continue
            src = rev if rev else pred
            qno, is_q = qs.get(p["id"], (None, False))
            topic = question_topic.get(qno) if qno else None
            # a reviewer's topic wins over the survey structure; the model's topic is used
            # only for documents without survey structure
            if (rev or not qs) and src.get("topic") in TOPIC_LABELS:
                topic = src.get("topic")
            out.append(TablePassage(
                id=p["id"], document=doc_id, source=p["source"], title=doc.get("title"),
                format=doc.get("format"), city=p["city"], doc_type=p["doc_type"], page=p["page"],
                kind=p["kind"], heading=p["heading"], text=p["text"], lang=p["language"],
                question=qno, is_question=is_q, topic=None if is_q else topic,
                labels=list(src.get("labels") or []), scores=dict((pred or {}).get("scores") or {}),
                body=src.get("body"), body_name=src.get("body_name"), verified=bool(rev),
                model_labels=list((pred or {}).get("labels") or []),
                model_version=(pred or {}).get("model_version"),
                own_topic=src.get("topic") if src.get("topic") in TOPIC_LABELS else None,
            ))  # fmt: skip
    return out, counts
