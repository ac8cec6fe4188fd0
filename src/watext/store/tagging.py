"""The tag stage's side of the store: predictions, survey questions, and the effective
passages the tables and the review page are built from (one SQL join, not Python).

Mixed into :class:`watext.store.repo.Store` (needs ``_engine``, ``_writer``, ``_stream``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, and_, delete, exists, func, insert, select

from watext.model import EffectivePassage, Prediction, ReviewState
from watext.store.engine import _db_errors
from watext.store.schema import (  # fmt: skip
    CURRENT, CorrectionRow, DocumentRow, PassageQuestionRow, PassageRow, PredictionRow, utcnow,
)

__all__ = ["BindingRule", "TaggingMixin"]

#: ``(document metadata, doc_type, format) -> binding`` (see :meth:`TaggingMixin.effective_passages`).
BindingRule = Callable[[Mapping[str, Any], "str | None", "str | None"], str]

D, P, PR = DocumentRow.__table__, PassageRow.__table__, PredictionRow.__table__
Q, C = PassageQuestionRow.__table__, CorrectionRow.__table__


def _prediction(r: Mapping[str, Any]) -> Prediction:
    return Prediction(r["passage_id"], r["model_name"], r["model_version"], tuple(r["labels"] or ()),
                      dict(r["scores"] or {}), r["body"], r["body_name"], r["topic"])  # fmt: skip


class TaggingMixin:
    """Predictions, survey questions and effective passages."""

    _engine: Engine
    _writer: Engine

    _stream: Callable[[Any, str], Iterator[dict[str, Any]]]  # Store's streaming reader

    # --- predictions ------------------------------------------------------------------

    def passages_without_prediction(
        self, model_name: str, model_version: str, batch: int = 500
    ) -> Iterator[list[dict[str, Any]]]:
        """Batches of ``{"id", "text", "lang"}`` of current passages lacking a prediction
        of this model version (keyset-paged by id, so saving while iterating is safe)."""
        done = select(PR.c.passage_id).where(
            PR.c.model_name == model_name, PR.c.model_version == model_version
        )
        last = ""
        while True:
            stmt = (
                select(P.c.id, P.c.text, func.coalesce(P.c.language, D.c.language).label("lang"))
                .join_from(P, D, P.c.document_id == D.c.id)
                .where(D.c.status == CURRENT, P.c.id > last, P.c.id.not_in(done))
                .order_by(P.c.id).limit(batch)
            )  # fmt: skip
            with _db_errors("reading passages to classify"), self._engine.connect() as conn:
                rows = [dict(r) for r in conn.execute(stmt).mappings()]
            if not rows:
                return
            last = rows[-1]["id"]
            yield rows

    def save_predictions(self, preds: Sequence[Prediction]) -> int:
        """Store ``preds`` in one transaction; those already stored for their model
        version are skipped. Returns how many were new."""
        if not preds:
            return 0
        now = utcnow()
        values = [{**p.to_dict(), "created_at": now} for p in preds]
        keys = {(p.passage_id, p.model_name, p.model_version) for p in preds}
        with _db_errors("saving predictions"), self._writer.begin() as conn:
            found = set(conn.execute(
                select(PR.c.passage_id, PR.c.model_name, PR.c.model_version).where(
                    PR.c.passage_id.in_([k[0] for k in keys]),
                    PR.c.model_name.in_({k[1] for k in keys}),
                    PR.c.model_version.in_({k[2] for k in keys}),
                )
            ).tuples())  # fmt: skip
            new = [v for v in values if (v["passage_id"], v["model_name"], v["model_version"]) not in found]
            if new:
                conn.execute(insert(PR), new)
        return len(new)

    def predictions(self, model_name: str, model_version: str | None = None) -> Iterator[Prediction]:
        """Stored predictions of a model (one version, or all), by passage id."""
        stmt = select(PR).where(PR.c.model_name == model_name).order_by(PR.c.passage_id, PR.c.model_version)
        if model_version is not None:
            stmt = stmt.where(PR.c.model_version == model_version)
        for row in self._stream(stmt, "reading predictions"):
            yield _prediction(row)

    # --- survey questions -------------------------------------------------------------

    def documents_without_questions(self, version: str) -> list[str]:
        """Ids of current documents whose survey structure is not stored under ``version``."""
        done = exists().where(Q.c.document_id == D.c.id, Q.c.version == version)
        stmt = select(D.c.id).where(D.c.status == CURRENT, ~done).order_by(D.c.source)
        with _db_errors("reading documents to mark"), self._engine.connect() as conn:
            return [r.id for r in conn.execute(stmt)]

    def document_passages(self, document_id: str) -> list[dict[str, Any]]:
        """``{"id", "text", "heading", "doc_type"}`` of a document's passages in reading order."""
        stmt = (select(P.c.id, P.c.text, P.c.heading, D.c.doc_type).join_from(P, D, P.c.document_id == D.c.id)
                .where(P.c.document_id == document_id).order_by(P.c.ordinal))  # fmt: skip
        with _db_errors("reading a document's passages"), self._engine.connect() as conn:
            return [{**dict(r), "heading": list(r.heading or [])} for r in conn.execute(stmt).mappings()]

    def save_questions(self, document_id: str, version: str, marks: Mapping[str, tuple[int | None, bool]]) -> None:
        """Replace the stored survey structure of a document: ``{passage id: (question,
        is_the_question_itself)}``; its other passages answer no question."""
        with _db_errors("saving survey questions"), self._writer.begin() as conn:
            ids = [r.id for r in conn.execute(select(P.c.id).where(P.c.document_id == document_id))]
            conn.execute(delete(Q).where(Q.c.document_id == document_id))
            if ids:
                conn.execute(insert(Q), [
                    {"passage_id": pid, "document_id": document_id, "question": marks.get(pid, (None, False))[0],
                     "is_question": bool(marks.get(pid, (None, False))[1]), "version": version}
                    for pid in ids
                ])  # fmt: skip

    # --- what the tables and the review page read --------------------------------------

    def effective_passages(self, model_name: str | None, model_version: str | None,
                           cities: Iterable[str] | None = None, ids: Iterable[str] | None = None,
                           under: str | None = None, binding: BindingRule | None = None,
                           ) -> Iterator[EffectivePassage]:  # fmt: skip
        """Current passages (of ``cities``, of documents whose path starts with ``under``, or
        only ``ids``) in reading order, each with its
        document's fields and metadata, its survey question, the prediction of this model version and
        the latest review record (None when never reviewed). ``binding``: the rule
        ``(metadata, doc_type, format) -> binding`` (``watext.enrich.binding.binding_of``, passed by
        the reader: the store does not import enrich), computed once per document."""
        latest = (select(C.c.passage_id, func.max(C.c.revision).label("rev"))
                  .group_by(C.c.passage_id).subquery())  # fmt: skip
        rev = select(C).join(latest, and_(C.c.passage_id == latest.c.passage_id, C.c.revision == latest.c.rev)
                             ).subquery()  # fmt: skip
        pred = select(PR).where(PR.c.model_name == (model_name or ""),
                                PR.c.model_version == (model_version or "")).subquery()  # fmt: skip
        stmt = (
            select(
                P.c.id, P.c.document_id, D.c.source, D.c.title, D.c.format, D.c.city, D.c.doc_type, P.c.page,
                D.c["metadata"].label("d_metadata"),
                P.c.kinds, P.c.heading, P.c.text, func.coalesce(P.c.language, D.c.language).label("lang"),
                Q.c.question, Q.c.is_question, pred.c.model_version.label("p_version"),
                pred.c.labels.label("p_labels"), pred.c.scores.label("p_scores"), pred.c.body.label("p_body"),
                pred.c.body_name.label("p_body_name"), pred.c.topic.label("p_topic"),
                rev.c.revision.label("r_revision"), rev.c.reviewed.label("r_reviewed"),
                rev.c.labels.label("r_labels"), rev.c.body.label("r_body"), rev.c.body_name.label("r_body_name"),
                rev.c.topic.label("r_topic"), rev.c.reviewer.label("r_reviewer"), rev.c.action.label("r_action"),
                rev.c.created_at.label("r_created_at"),
            )
            .join_from(P, D, P.c.document_id == D.c.id)
            .outerjoin(Q, Q.c.passage_id == P.c.id)
            .outerjoin(pred, pred.c.passage_id == P.c.id)
            .outerjoin(rev, rev.c.passage_id == P.c.id)
            .where(D.c.status == CURRENT)
            .order_by(D.c.source, D.c.version, P.c.ordinal)
        )  # fmt: skip
        wanted = {c.casefold() for c in cities} if cities is not None else None
        if ids is not None:
            stmt = stmt.where(P.c.id.in_(list(ids)))
        if under is not None:
            stmt = stmt.where(D.c.source.startswith(under, autoescape=True))
        docs: dict[str, tuple[dict[str, Any], str | None]] = {}  # id -> (metadata, binding)
        for r in self._stream(stmt, "reading passages"):
            if wanted is not None and (r["city"] or "").casefold() not in wanted:
                continue
            if r["document_id"] not in docs:
                meta = dict(r["d_metadata"] or {})
                docs[r["document_id"]] = (meta, binding(meta, r["doc_type"], r["format"]) if binding else None)
            meta, bound = docs[r["document_id"]]
            kinds = list(r["kinds"] or [])
            prediction = None if r["p_version"] is None else Prediction(
                r["id"], model_name or "", r["p_version"], tuple(r["p_labels"] or ()), dict(r["p_scores"] or {}),
                r["p_body"], r["p_body_name"], r["p_topic"])  # fmt: skip
            review = None if r["r_revision"] is None else ReviewState(
                r["r_revision"], bool(r["r_reviewed"]), tuple(r["r_labels"]) if r["r_labels"] is not None else None,
                r["r_body"], r["r_body_name"], r["r_topic"], r["r_reviewer"], r["r_action"],
                r["r_created_at"].isoformat() if r["r_created_at"] else None)  # fmt: skip
            yield EffectivePassage(
                id=r["id"], document=r["document_id"], source=r["source"], title=r["title"], format=r["format"],
                city=r["city"], doc_type=r["doc_type"], page=r["page"], kind=kinds[0] if kinds else None,
                heading=tuple(r["heading"] or ()), text=r["text"], lang=r["lang"], question=r["question"],
                is_question=bool(r["is_question"]), prediction=prediction, review=review, metadata=meta,
                binding=bound,
            )  # fmt: skip
