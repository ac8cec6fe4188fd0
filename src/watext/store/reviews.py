"""Review corrections in the store: append-only records with optimistic concurrency.

Mixed into :class:`watext.store.repo.Store`. A passage's review state is its latest
correction record; every save names the revision it was based on, and a save based on
an outdated revision raises :class:`~watext.errors.ConflictError` carrying the stored
state, so two reviewers never silently overwrite each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from watext.errors import ConflictError, NotFoundError, ValidationError
from watext.store.schema import CorrectionRow, DocumentRow, PassageRow, utcnow
from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS, ReviewRecord, ReviewState

__all__ = ["STATE_KEYS", "ReviewsMixin"]

C, P, D = CorrectionRow.__table__, PassageRow.__table__, DocumentRow.__table__
#: The fields a reviewer decides.
STATE_KEYS = ("labels", "body", "body_name", "topic")


def _check_state(labels: Sequence[str], body: str | None, topic: str | None) -> None:
    bad = set(labels) - set(GOAL_LABELS)
    if bad:
        raise ValidationError(f"unknown goal labels {sorted(bad)}")
    if body not in (None, *BODY_LABELS):
        raise ValidationError(f"unknown body type {body!r}")
    if topic not in (None, *TOPIC_LABELS):
        raise ValidationError(f"unknown topic {topic!r}")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def _state(row: Mapping[str, Any] | None) -> ReviewState:
    if not row:
        return ReviewState()
    labels = row["labels"]
    return ReviewState(row["revision"], bool(row["reviewed"]), tuple(labels) if labels is not None else None,
                       row["body"], row["body_name"], row["topic"], row["reviewer"], row["action"],
                       _iso(row["created_at"]))  # fmt: skip


def _record(row: Mapping[str, Any]) -> ReviewRecord:
    labels = row["labels"]
    return ReviewRecord(row["id"], row["passage_id"], row["revision"], row["reviewer"], row["action"],
                        bool(row["reviewed"]), tuple(labels) if labels is not None else None, row["body"],
                        row["body_name"], row["topic"], row["before"], row["model_version"],
                        _iso(row["created_at"]))  # fmt: skip


class ReviewsMixin:
    """Methods of the store for review corrections (needs ``_engine`` and ``_writer``)."""

    _engine: Engine
    _writer: Engine

    def review_state(self, passage_id: str) -> ReviewState:
        """The latest review record of a passage (``revision`` 0 when never reviewed)."""
        stmt = select(C).where(C.c.passage_id == passage_id).order_by(C.c.revision.desc()).limit(1)
        with self._engine.connect() as conn:
            row = conn.execute(stmt).mappings().first()
        return _state(dict(row) if row else None)

    def save_correction(
        self, passage_id: str, reviewer: str, *, labels: Sequence[str], body: str | None = None,
        body_name: str | None = None, topic: str | None = None, base_revision: int,
        action: str = "correct", model_version: str | None = None,
    ) -> ReviewState:  # fmt: skip
        """Append a review of ``passage_id`` on top of ``base_revision`` (what the reviewer
        saw). Returns the new state; raises ConflictError when someone saved in between."""
        if action not in ("correct", "accept"):
            raise ValidationError(f"unknown review action {action!r}")
        labels = [lab for lab in GOAL_LABELS if lab in set(labels)]
        _check_state(labels, body, topic)
        new = {"labels": labels, "body": body, "body_name": (body_name or None), "topic": topic,
               "reviewed": True}  # fmt: skip
        return self._append(passage_id, reviewer, action, new, base_revision, model_version)

    def undo_correction(self, passage_id: str, reviewer: str, *, base_revision: int) -> ReviewState:
        """Restore the state before the latest record (as a new record: history stays)."""
        cur = self._latest(passage_id)
        if cur is None:
            raise ValidationError(f"passage {passage_id} has no review to undo")
        before = cur["before"] or {"reviewed": False}
        new = {k: before.get(k) for k in STATE_KEYS}
        new["reviewed"] = bool(before.get("reviewed"))
        return self._append(passage_id, reviewer, "undo", new, base_revision, cur["model_version"])

    def _latest(self, passage_id: str) -> dict[str, Any] | None:
        stmt = select(C).where(C.c.passage_id == passage_id).order_by(C.c.revision.desc()).limit(1)
        with self._engine.connect() as conn:
            row = conn.execute(stmt).mappings().first()
        return dict(row) if row else None

    def _append(self, passage_id: str, reviewer: str, action: str, new: dict[str, Any],
                base_revision: int, model_version: str | None) -> ReviewState:  # fmt: skip
        if not reviewer or not reviewer.strip():
            raise ValidationError("a review needs a reviewer name")
        try:
            with self._writer.begin() as conn:
                if conn.execute(select(P.c.id).where(P.c.id == passage_id)).first() is None:
                    raise NotFoundError(f"no passage {passage_id!r}")
                row = conn.execute(
                    select(C).where(C.c.passage_id == passage_id).order_by(C.c.revision.desc()).limit(1)
                ).mappings().first()
                current = dict(row) if row else None
                revision = current["revision"] if current else 0
                if revision != base_revision:
                    raise ConflictError(
                        f"passage {passage_id} was changed by {current['reviewer'] if current else '?'} "
                        f"(revision {revision}, you saw {base_revision})", _state(current).to_dict())
                before = {k: current[k] for k in (*STATE_KEYS, "reviewed")} if current else None
                values = {"passage_id": passage_id, "revision": revision + 1, "reviewer": reviewer.strip(),
                          "action": action, "before": before, "model_version": model_version,
                          "created_at": utcnow(), **new}  # fmt: skip
                conn.execute(insert(C).values(**values))
        except IntegrityError as exc:  # a concurrent writer took this revision first
            raise ConflictError(f"passage {passage_id} was changed concurrently",
                                self.review_state(passage_id).to_dict()) from exc
        return _state(values)

    @staticmethod
    def _carry_reviews(conn: Any, old_document: str, new_passages: Sequence[Any]) -> int:
        """Inside ``save_document``'s transaction: copy the review state of each reviewed
        passage of the superseded ``old_document`` to the passage of the new version with
        the same text (whitespace-normalised; only when the text occurs once in each
        version). The copy is a new record (action ``carry``, the original reviewer, its
        ``before`` naming the source passage), so undo returns the new passage to the model."""
        def norm(text: str) -> str:
            return " ".join(text.split())

        stmt = select(P.c.id, P.c.text).where(P.c.document_id == old_document)
        old = {r.id: norm(r.text) for r in conn.execute(stmt)}
        if not old:
            return 0
        latest = (select(C.c.passage_id, func.max(C.c.revision).label("rev"))
                  .where(C.c.passage_id.in_(list(old))).group_by(C.c.passage_id).subquery())  # fmt: skip
        rows = conn.execute(select(C).join(
            latest, (C.c.passage_id == latest.c.passage_id) & (C.c.revision == latest.c.rev))).mappings()
        reviewed = [dict(r) for r in rows if r["reviewed"]]
        if not reviewed:
            return 0
        old_count = Counter(old.values())
        new_by_text: dict[str, list[str]] = {}
        for p in new_passages:
            new_by_text.setdefault(norm(p.text), []).append(p.id)
        records = []
        for r in reviewed:
            text = old[r["passage_id"]]
            targets = new_by_text.get(text, [])
            if old_count[text] != 1 or len(targets) != 1:
                continue
            records.append({
                "passage_id": targets[0], "revision": 1, "reviewer": r["reviewer"], "action": "carry",
                "reviewed": True, **{k: r[k] for k in STATE_KEYS}, "model_version": r["model_version"],
                "before": {"reviewed": False, "carried_from": r["passage_id"], "revision": r["revision"]},
                "created_at": utcnow(),
            })  # fmt: skip
        if records:
            conn.execute(insert(C), records)
        return len(records)

    def history(self, passage_id: str) -> list[ReviewRecord]:
        """All review records of a passage, oldest first."""
        stmt = select(C).where(C.c.passage_id == passage_id).order_by(C.c.revision)
        with self._engine.connect() as conn:
            return [_record(r) for r in conn.execute(stmt).mappings()]

    def reviewed_states(self, passage_ids: Iterable[str] | None = None) -> dict[str, ReviewState]:
        """Latest state of every passage whose latest record is a review (not undone)."""
        latest = (select(C.c.passage_id, func.max(C.c.revision).label("rev"))
                  .group_by(C.c.passage_id).subquery())  # fmt: skip
        stmt = select(C).join(latest, (C.c.passage_id == latest.c.passage_id) & (C.c.revision == latest.c.rev))
        ids = set(passage_ids) if passage_ids is not None else None
        out = {}
        with self._engine.connect() as conn:
            for row in conn.execute(stmt).mappings():
                if row["reviewed"] and (ids is None or row["passage_id"] in ids):
                    out[row["passage_id"]] = _state(row)
        return out

    def reviewed_passages(self) -> Iterator[tuple[dict[str, Any], ReviewState]]:
        """``({"id", "text", "lang", "city"}, state)`` of every passage (superseded versions
        included) whose latest review record stands (reviewed, not undone), by passage id."""
        latest = (select(C.c.passage_id, func.max(C.c.revision).label("rev"))
                  .group_by(C.c.passage_id).subquery())  # fmt: skip
        stmt = (
            select(C, P.c.text, func.coalesce(P.c.language, D.c.language).label("lang"), D.c.city)
            .join(latest, (C.c.passage_id == latest.c.passage_id) & (C.c.revision == latest.c.rev))
            .join(P, P.c.id == C.c.passage_id).join(D, D.c.id == P.c.document_id)
            .where(C.c.reviewed.is_(True)).order_by(C.c.passage_id)
        )  # fmt: skip
        with self._engine.connect() as conn:
            for row in conn.execute(stmt).mappings():
                yield {"id": row["passage_id"], "text": row["text"], "lang": row["lang"], "city": row["city"]}, _state(row)

    def iter_corrections(self) -> Iterator[ReviewRecord]:
        """Every review record (the audit log), oldest first."""
        stmt = select(C).order_by(C.c.id)
        with self._engine.connect() as conn:
            for row in conn.execute(stmt).mappings():
                yield _record(row)
