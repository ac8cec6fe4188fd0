"""What the review page does, without HTTP: which model it reviews, the queue a reviewer
sees, what a passage card shows, and what saving, accepting and undoing do.

Passages, their documents, the model's predictions and the tables-lane ranks are loaded
once (:class:`Snapshot`: they do not change while reviewing); review states are read
fresh from the store on every call. Errors are the store's: :class:`NotFoundError`
(no such passage), :class:`ValidationError` (e.g. unknown labels, nothing to undo) and
:class:`ConflictError` (someone saved in between; carries the stored state).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from watext.enrich.binding import BINDINGS, binding_of
from watext.errors import ConfigError, NotFoundError
from watext.model import EffectivePassage, Prediction, ReviewRecord, ReviewState
from watext.review import queue as Q
from watext.store import Store

__all__ = ["Card", "Choice", "ModelChoice", "QueueView", "ReviewService", "Snapshot", "filters", "load_model"]

FILTERS = ("lane", "city", "document", "goal", "topic", "status", "binding")


def filters(params: Mapping[str, Any], default_lane: str = "uncertain") -> dict[str, str]:
    """The queue filters from query parameters (unknown or missing lanes and statuses fall
    back to ``default_lane`` and ``unreviewed``)."""
    f = {k: (params.get(k) or "").strip() for k in FILTERS}
    f["lane"] = f["lane"] if f["lane"] in Q.LANES else default_lane
    f["status"] = f["status"] if f["status"] in Q.STATUSES else "unreviewed"
    f["binding"] = f["binding"] if f["binding"] in BINDINGS else ""
    return f


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The model whose predictions are reviewed."""

    name: str | None
    version: str | None
    thresholds: dict[str, float]
    doubt_band: tuple[float, float] | None = None


def load_model(store: Store, model_dir: str | Path | None) -> ModelChoice:
    """The model in ``model_dir`` (default: the current one); without a readable model,
    the newest version of the default model that has predictions in ``store``."""
    from watext.tag.registry import DEFAULT_NAME, model_info, read_meta, resolve_model_dir

    try:
        info = model_info(model_dir)
        thresholds = read_meta(resolve_model_dir(model_dir)).get("thresholds") or {}
        return ModelChoice(info.name, info.version, dict(thresholds), info.doubt_band)
    except (ConfigError, OSError, ValueError):
        latest = max((p.model_version for p in store.predictions(DEFAULT_NAME)), default=None)
        return ModelChoice(DEFAULT_NAME if latest else None, latest, {})


class Snapshot:
    """Passages (with their documents and predictions) and queue items, loaded once."""

    def __init__(self, store: Store, model_dir: str | Path | None) -> None:
        from watext.tables.aggregate import goal_cells
        from watext.tables.collect import collect

        self.model = load_model(store, model_dir)
        name, version = self.model.name, self.model.version
        self.passages: dict[str, EffectivePassage] = {
            p.id: p for p in store.effective_passages(name, version, binding=binding_of)}
        effective = collect(store, name, version)[0]
        self.items = Q.build_items(self.passages.values(), self.model.thresholds,
                                   {tp.id: tp.topic for tp in effective})  # fmt: skip
        # the tables lane: passages behind doubtful goal cells, then answers to survey questions
        ranks = Q.table_ranks(goal_cells(effective, doubt_band=self.model.doubt_band),
                              {tp.id: tp.topic for tp in effective if tp.topic and not tp.is_question})
        for it in self.items:
            it.table_rank = ranks.get(it.id, it.table_rank)
        #: passages behind doubtful cells of the goals matrix (first in the ``tables`` lane)
        self.doubtful = sum(1 for it in self.items if it.table_rank[0] == 1.0)
        self.by_id = {it.id: it for it in self.items}
        self.by_doc: dict[str, list[str]] = {}
        self.documents: dict[str, str] = {}  # id -> title (or source), in source order
        for p in self.passages.values():
            self.by_doc.setdefault(p.document, []).append(p.id)
            self.documents.setdefault(p.document, p.title or p.source)
        self.cities = sorted({it.city for it in self.items if it.city}, key=str.casefold)

    def passage(self, pid: str) -> EffectivePassage:
        """The passage ``pid``; raises NotFoundError when there is none."""
        p = self.passages.get(pid)
        if p is None:
            raise NotFoundError("no such passage")
        return p

    def around(self, pid: str) -> tuple[EffectivePassage | None, EffectivePassage | None]:
        """The passages before and after ``pid`` in its document."""
        ids = self.by_doc.get(self.passages[pid].document, [])
        k = ids.index(pid)
        before = self.passages[ids[k - 1]] if k > 0 else None
        after = self.passages[ids[k + 1]] if k < len(ids) - 1 else None
        return before, after


@dataclass(frozen=True, slots=True)
class Choice:
    """What a reviewer chose for a passage (or what the card pre-selects)."""

    labels: tuple[str, ...]
    body: str | None = None
    body_name: str | None = None
    topic: str | None = None


@dataclass(slots=True)
class QueueView:
    """One reviewer's view of the queue under some filters."""

    todo: list[Q.Item]  # the items to review, in lane order
    reviewed: dict[str, ReviewState]
    stats: dict[str, Any]


@dataclass(slots=True)
class Card:
    """Everything a passage card shows."""

    passage: EffectivePassage
    item: Q.Item
    prediction: Prediction | None
    state: ReviewState
    shown: Choice  # pre-selected in the form
    history: list[ReviewRecord]  # newest first
    before: EffectivePassage | None
    after: EffectivePassage | None
    prev: str | None  # passage ids in the queue
    next: str | None
    blind: bool  # second, independent review: the first reviewer's decision stays hidden
    base_revision: int
    conflict: dict[str, Any] | None = None  # the stored state after a conflict
    error: str | None = None


class ReviewService:
    """The review rules on ``store`` (queue ordering ``seed``, double-review share)."""

    def __init__(self, store: Store, model_dir: str | Path | None = None, seed: str = Q.DEFAULT_SEED,
                 double_share: float = Q.DOUBLE_SHARE) -> None:  # fmt: skip
        self.store, self.model_dir, self.seed, self.double_share = store, model_dir, seed, double_share
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        """The snapshot, loaded on first use."""
        with self._lock:
            if self._snapshot is None:
                self._snapshot = Snapshot(self.store, self.model_dir)
            return self._snapshot

    def default_lane(self) -> str:
        """The lane a queue opens in: ``tables`` while doubtful table cells wait for a
        decision (the CLI's advice after building tables), else ``uncertain``."""
        return "tables" if self.snapshot().doubtful else "uncertain"

    def reviewed_for(self, user: str | None) -> tuple[dict[str, ReviewState], dict[str, dict[str, ReviewRecord]]]:
        """(reviewed states as ``user``'s queue sees them, each reviewer's latest record)."""
        by = Q.latest_by_reviewer(self.store.iter_corrections())
        return Q.seen_by(self.store.reviewed_states(), by, user or "", self.seed, self.double_share), by

    def ordered(self, f: Mapping[str, str], reviewed: Mapping[str, ReviewState]) -> list[Q.Item]:
        """The items matching ``f`` (any status) in the order of its lane."""
        items = Q.filter_items(self.snapshot().items, reviewed, city=f["city"] or None,
                               document=f["document"] or None, goal=f["goal"] or None, topic=f["topic"] or None,
                               status="all", binding=f.get("binding") or None)  # fmt: skip
        return Q.order_items(items, f["lane"], self.seed)

    def _random_order(self) -> list[Q.Item]:
        return Q.order_items(self.snapshot().items, "random", self.seed)

    def queue(self, user: str, f: Mapping[str, str]) -> QueueView:
        reviewed, _ = self.reviewed_for(user)
        items = self.ordered(f, reviewed)
        todo = [it for it in items if Q.status_ok(it.id, reviewed, f["status"])]
        return QueueView(todo, reviewed, Q.progress(items, reviewed, self._random_order()))

    def card(self, user: str, pid: str, f: Mapping[str, str], *, mine: Choice | None = None,
             conflict: dict[str, Any] | None = None, error: str | None = None) -> Card:  # fmt: skip
        """The card of ``pid``: a reviewed passage shows the review, an unreviewed one (or
        a blind second review) the model; ``mine`` (a choice that could not be saved) wins."""
        s = self.snapshot()
        p = s.passage(pid)
        reviewed, by = self.reviewed_for(user)
        prev, nxt = Q.neighbours(self.ordered(f, reviewed), pid, reviewed, f["status"])
        state = self.store.review_state(pid)
        pred, item = p.prediction, s.by_id[pid]
        blind = Q.needs_second(pid, by, user, self.seed, self.double_share)
        if state.reviewed and not blind:
            shown = Choice(tuple(state.labels or ()), state.body, state.body_name, state.topic)
        elif pred:
            shown = Choice(pred.labels, pred.body, pred.body_name, pred.topic or item.topic)
        else:
            shown = Choice((), topic=item.topic)
        before, after = s.around(pid)
        return Card(p, item, pred, state, mine or shown, list(reversed(self.store.history(pid))), before, after,
                    prev, nxt, blind, conflict["revision"] if conflict else state.revision, conflict,
                    error)  # fmt: skip

    def save(self, user: str, pid: str, choice: Choice, base_revision: int, f: Mapping[str, str]) -> str | None:
        """Save ``choice`` on top of ``base_revision``: an *accept* when it equals the
        model's labels, body and topic, else a *correct*. Returns the next passage to
        review under ``f`` (None: the queue is done)."""
        s = self.snapshot()
        s.passage(pid)
        pred, item = s.passages[pid].prediction, s.by_id[pid]
        same = pred is not None and set(choice.labels) == set(pred.labels) and choice.body == pred.body \
            and choice.topic == (pred.topic or item.topic)
        self.store.save_correction(pid, user, labels=list(choice.labels), body=choice.body,
                                   body_name=choice.body_name, topic=choice.topic, base_revision=base_revision,
                                   action="accept" if same else "correct", model_version=s.model.version)  # fmt: skip
        reviewed, _ = self.reviewed_for(user)
        _, nxt = Q.neighbours(self.ordered(f, reviewed), pid, reviewed, f["status"])
        return nxt if nxt != pid else None

    def undo(self, user: str, pid: str, base_revision: int) -> None:
        """Undo the latest record of ``pid`` (a new record: the history stays)."""
        self.snapshot().passage(pid)
        self.store.undo_correction(pid, user, base_revision=base_revision)

    def stats(self) -> dict[str, Any]:
        """Progress over all passages, agreement between reviewers, number of disagreements."""
        by_passage = Q.latest_by_reviewer(self.store.iter_corrections())
        return {"stats": Q.progress(self.snapshot().items, self.store.reviewed_states(), self._random_order()),
                "agreement": Q.agreement(by_passage), "n_dis": len(Q.disagreements(by_passage))}  # fmt: skip

    def disagreements(self) -> list[tuple[str, dict[str, ReviewRecord], EffectivePassage | None]]:
        """``(passage id, {reviewer: latest record}, passage)`` where reviewers disagree."""
        s = self.snapshot()
        return [(pid, states, s.passages.get(pid))
                for pid, states in Q.disagreements(Q.latest_by_reviewer(self.store.iter_corrections()))]
