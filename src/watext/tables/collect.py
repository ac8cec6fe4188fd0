"""The effective view of stored passages that the comparison tables are built from.

For every current passage: its document's fields, the current model's prediction, the
latest review (a correction wins over the model, field by field: a reviewed passage
uses the reviewer's goals, body and topic), and the survey question it answers (stored
at classify time: :mod:`watext.tag.survey`). Where a document has no survey structure,
the (reviewed or predicted) topic is used. How binding a passage is comes from its document's
metadata (:func:`watext.enrich.binding.binding_of`, at table time). One SQL query: :meth:`Store.effective_passages`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from watext.enrich.binding import binding_of
from watext.model import TOPIC_LABELS, EffectivePassage, Prediction, ReviewState
from watext.store import Store
from watext.tables.model import Evidence
from watext.tag.survey import load_questions

__all__ = ["TablePassage", "collect"]

#: EffectivePassage fields a TablePassage takes over unchanged.
_PASSAGE_FIELDS = ("id", "document", "source", "title", "format", "city", "doc_type", "page", "kind", "heading",
                   "text", "lang", "metadata", "binding")  # fmt: skip

@dataclass(frozen=True, slots=True)
class TablePassage(EffectivePassage):
    """An effective passage as the tables see it: the labels that count (a reviewer's
    over the model's), and the survey question only where the document has a survey
    structure."""

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
            binding=self.binding,
        )  # fmt: skip


def collect(store: Store, model_name: str | None, model_version: str | None, cities: Iterable[str] | None = None,
            under: str | None = None) -> tuple[list[TablePassage], dict[str, int]]:  # fmt: skip
    """Effective passages of current documents (optionally only ``cities``, or documents
    below the folder ``under``) and counts (``passages``, ``classified``, ``reviewed``,
    ``unclassified``)."""
    by_doc: dict[str, list[EffectivePassage]] = {}
    for ep in store.effective_passages(model_name, model_version, cities, under=under, binding=binding_of):
        by_doc.setdefault(ep.document, []).append(ep)
    out: list[TablePassage] = []
    counts = {"passages": 0, "classified": 0, "reviewed": 0, "unclassified": 0}
    question_topic = {q.no: q.topic for q in load_questions()}
    for rows in by_doc.values():
        survey = any(p.question is not None for p in rows)
        for p in rows:
            counts["passages"] += 1
            pred, rev = p.prediction, (p.review if p.reviewed else None)
            if rev:
                counts["reviewed"] += 1
            elif pred:
                counts["classified"] += 1
            else:
                counts["unclassified"] += 1
                continue
            src: Prediction | ReviewState = rev if rev else pred  # type: ignore[assignment]
            qno, is_q = (p.question, p.is_question) if survey else (None, False)
            topic = question_topic.get(qno) if qno else None
            # a reviewer's topic wins over the survey structure; the model's topic is used
            # only for documents without survey structure
            if (rev or not survey) and src.topic in TOPIC_LABELS:
                topic = src.topic
            out.append(TablePassage(
                **{f: getattr(p, f) for f in _PASSAGE_FIELDS}, question=qno, is_question=is_q,
                prediction=pred, review=rev, topic=None if is_q else topic,
                labels=list(src.labels or []), scores=dict(pred.scores) if pred else {},
                body=src.body, body_name=src.body_name, verified=bool(rev),
                model_labels=list(pred.labels) if pred else [],
                model_version=pred.model_version if pred else None,
                own_topic=src.topic if src.topic in TOPIC_LABELS else None,
            ))  # fmt: skip
    return out, counts
