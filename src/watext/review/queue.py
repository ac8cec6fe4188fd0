"""Review queue: ordering, filters, progress and agreement (pure functions).

Lanes:

* ``uncertain`` – passages whose model scores lie closest to a label threshold first
  (``min |score - threshold|`` over the six goals, smallest first); passages without a
  prediction come last.
* ``tables`` – the passages that decide doubtful cells of the goals matrix first (the
  cell with probability closest to 0.5 first, within it the highest score), then the other
  answers to survey questions (and other passages with a table topic), then the rest; each
  group by uncertainty. The cell ranks are taken when the review app starts.
* ``random`` – a deterministic seeded shuffle (sha256 of seed and passage id). Its
  reviewed *prefix* (all passages up to the first unreviewed one) is a simple random
  sample, so precision estimated on it is unbiased.

Double review: a seeded share of passages (:data:`DOUBLE_SHARE`, chosen by the same
hash, so every reviewer agrees which) stays in the queue of every reviewer until two
different reviewers have reviewed it; the second reviewer sees the model's labels, not
the first reviewer's, so the two judgements are independent (agreement statistics).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from watext.model import GOAL_LABELS, EffectivePassage, ReviewRecord, ReviewState

__all__ = [
    "DEFAULT_SEED", "DOUBLE_SHARE", "LANES", "STATUSES", "Item", "agreement", "build_items", "cohen_kappa",
    "disagreements", "filter_items", "is_double", "latest_by_reviewer", "needs_second", "neighbours",
    "order_items", "precision", "progress", "random_prefix", "seen_by", "status_ok", "table_ranks",
    "uncertainty",
]  # fmt: skip

LANES = ("uncertain", "tables", "random")
STATUSES = ("unreviewed", "reviewed", "all")
DEFAULT_SEED = "watext-review"
#: Share of passages every reviewer is asked to review until two have (for agreement).
DOUBLE_SHARE = 0.1


@dataclass(slots=True)
class Item:
    """One passage as the queue sees it."""

    id: str
    document: str
    ordinal: int
    city: str | None
    title: str | None
    text: str
    topic: str | None  # effective topic (survey structure, review, or model)
    model_labels: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    predicted: bool = False
    uncertainty: float = float("inf")
    table_rank: tuple[float, ...] = (3.0,)  # order in the ``tables`` lane (see table_ranks)
    #: How binding its document is (``beschlossen`` … ``angekuendigt``; None when not computed).
    binding: str | None = None


def uncertainty(scores: Mapping[str, float], thresholds: Mapping[str, float]) -> float:
    """``min over goals of |score - threshold|`` (inf without scores)."""
    vals = [abs(float(scores[g]) - float(thresholds.get(g, 0.5))) for g in GOAL_LABELS if g in scores]
    return min(vals) if vals else float("inf")


def build_items(passages: Iterable[EffectivePassage], thresholds: Mapping[str, float],
                topics: Mapping[str, str | None] | None = None) -> list[Item]:  # fmt: skip
    """Queue items from effective passages given whole documents in reading order (an
    item's ``ordinal`` is its place in its document); ``topics`` by passage id override
    the model's topic."""
    out = []
    topics = topics or {}
    seen: dict[str, int] = {}
    for p in passages:
        pred = p.prediction
        ordinal = seen.get(p.document, -1) + 1
        seen[p.document] = ordinal
        scores = dict(pred.scores) if pred else {}
        out.append(Item(
            id=p.id, document=p.document, ordinal=ordinal, city=p.city, title=p.title, text=p.text or "",
            topic=topics.get(p.id, pred.topic if pred else None), model_labels=list(pred.labels) if pred else [],
            scores=scores, predicted=pred is not None,
            uncertainty=uncertainty(scores, thresholds) if pred else float("inf"), binding=p.binding,
        ))  # fmt: skip
    return out


def _shuffle_key(seed: str, pid: str) -> str:
    return hashlib.sha256(f"{seed}\x00{pid}".encode()).hexdigest()


def table_ranks(cells: Iterable[Any], table_topics: Mapping[str, str | None]) -> dict[str, tuple[float, ...]]:
    """``tables``-lane ranks by passage id from goal cells (objects with ``doubtful``,
    ``probability`` and ``candidates`` evidence) and the effective topic of passages that
    answer a survey question or carry a table topic. Smaller ranks come first."""
    ranks: dict[str, tuple[float, ...]] = {}
    for pid, topic in table_topics.items():
        ranks[pid] = (2.0,) if topic == "verstaendnis" else (2.5,)
    for cell in cells:
        if not cell.doubtful:
            continue
        for ev in cell.candidates:
            rank = (1.0, abs(float(cell.probability) - 0.5), -float(ev.confidence or 0.0))
            ranks[ev.passage_id] = min(ranks.get(ev.passage_id, rank), rank)
    return ranks


def order_items(items: Iterable[Item], lane: str = "uncertain", seed: str = DEFAULT_SEED) -> list[Item]:
    """Items in the order of ``lane`` (ties broken by document and ordinal)."""
    if lane == "random":
        return sorted(items, key=lambda it: _shuffle_key(seed, it.id))
    if lane == "tables":
        return sorted(items, key=lambda it: (it.table_rank, it.uncertainty, it.document, it.ordinal, it.id))
    return sorted(items, key=lambda it: (it.uncertainty, it.document, it.ordinal, it.id))


def filter_items(items: Iterable[Item], reviewed: Mapping[str, ReviewState], *, city: str | None = None,
                 document: str | None = None, goal: str | None = None, topic: str | None = None,
                 status: str | None = None, binding: str | None = None) -> list[Item]:  # fmt: skip
    """Items matching every given filter. ``goal`` matches the reviewed labels when the
    passage was reviewed, else the model's; ``status`` is unreviewed/reviewed/all;
    ``binding`` how binding the passage's document is (``beschlossen`` …)."""
    out = []
    for it in items:
        rev = reviewed.get(it.id)
        if city and (it.city or "") != city:
            continue
        if document and it.document != document:
            continue
        if binding and it.binding != binding:
            continue
        if goal and goal not in ((rev.labels or ()) if rev else it.model_labels):
            continue
        eff_topic = (rev.topic if rev else None) or it.topic
        if topic and eff_topic != topic:
            continue
        if status == "unreviewed" and rev:
            continue
        if status == "reviewed" and not rev:
            continue
        out.append(it)
    return out


def neighbours(ordered: Sequence[Item], current: str, reviewed: Mapping[str, Any],
               status: str | None = None) -> tuple[str | None, str | None]:  # fmt: skip
    """``(previous, next)`` passage ids around ``current`` in ``ordered``. The previous is
    the item just before (any status, to go back to what was just saved); the next is the
    first following item that matches ``status`` (wrapping around once)."""
    ids = [it.id for it in ordered]
    if current not in ids:
        nxt = next((i for i in ids if status_ok(i, reviewed, status)), None)
        return None, nxt
    k = ids.index(current)
    prev = ids[k - 1] if k > 0 else None
    rest = ids[k + 1:] + ids[:k]
    nxt = next((i for i in rest if status_ok(i, reviewed, status)), None)
    return prev, nxt


def status_ok(pid: str, reviewed: Mapping[str, Any], status: str | None) -> bool:
    """Whether passage ``pid`` belongs to a view of ``status`` (unreviewed/reviewed/all)."""
    if status == "unreviewed":
        return pid not in reviewed
    if status == "reviewed":
        return pid in reviewed
    return True


def random_prefix(random_order: Sequence[Item], reviewed: Mapping[str, Any]) -> list[Item]:
    """The reviewed prefix of the random lane (up to the first unreviewed passage)."""
    out = []
    for it in random_order:
        if it.id not in reviewed:
            break
        out.append(it)
    return out


def precision(items: Iterable[Item], reviewed: Mapping[str, ReviewState]) -> dict[str, dict[str, Any]]:
    """Per goal: of the reviewed ``items`` the model gave that goal, how many kept it
    (``{goal: {n, tp, precision}}``; precision None when the model never predicted it)."""
    out: dict[str, dict[str, Any]] = {}
    for g in GOAL_LABELS:
        n = tp = 0
        for it in items:
            rev = reviewed.get(it.id)
            if rev is None or not it.predicted or g not in it.model_labels:
                continue
            n += 1
            tp += g in (rev.labels or ())
        out[g] = {"n": n, "tp": tp, "precision": (tp / n) if n else None}
    return out


def progress(items: Sequence[Item], reviewed: Mapping[str, Any], random_order: Sequence[Item]) -> dict[str, Any]:
    """Counts and precision estimates for the progress panel."""
    ids = {it.id for it in items}
    done = sum(1 for i in ids if i in reviewed)
    sample = random_prefix(random_order, reviewed)
    return {
        "total": len(ids), "reviewed": done, "left": len(ids) - done, "random_sample": len(sample),
        "precision_random": precision(sample, reviewed),
        "precision_all": precision([it for it in items if it.id in reviewed], reviewed),
    }  # fmt: skip


# --- several reviewers ---------------------------------------------------------------


def latest_by_reviewer(records: Iterable[ReviewRecord]) -> dict[str, dict[str, ReviewRecord]]:
    """``{passage id: {reviewer: record}}`` from the review log: each reviewer's latest
    record per passage; reviewers whose latest record is an undo (not reviewed) are left out."""
    latest: dict[tuple[str, str], ReviewRecord] = {}
    for r in records:
        key = (r.passage_id, r.reviewer)
        if key not in latest or r.revision >= latest[key].revision:
            latest[key] = r
    out: dict[str, dict[str, ReviewRecord]] = {}
    for (pid, who), r in latest.items():
        if r.reviewed and r.action != "undo":
            out.setdefault(pid, {})[who] = r
    return out


def cohen_kappa(pairs: Sequence[tuple[bool, bool]]) -> float | None:
    """Cohen's kappa of two raters' binary decisions (None without pairs)."""
    n = len(pairs)
    if not n:
        return None
    po = sum(1 for a, b in pairs if a == b) / n
    pa, pb = sum(1 for a, _ in pairs if a) / n, sum(1 for _, b in pairs if b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    if pe >= 1.0:
        return 1.0 if po == 1.0 else 0.0
    return (po - pe) / (1 - pe)


def agreement(by_passage: Mapping[str, Mapping[str, ReviewRecord]]) -> dict[str, Any]:
    """Cohen's kappa per goal over every pair of reviewers who reviewed the same passage
    (pairs pooled; the first rater is the alphabetically first reviewer)."""
    pairs: dict[str, list[tuple[bool, bool]]] = {g: [] for g in GOAL_LABELS}
    n_passages = 0
    for states in by_passage.values():
        if len(states) < 2:
            continue
        n_passages += 1
        for a, b in itertools.combinations(sorted(states), 2):
            la, lb = set(states[a].labels or ()), set(states[b].labels or ())
            for g in GOAL_LABELS:
                pairs[g].append((g in la, g in lb))
    return {"passages": n_passages, "pairs": len(pairs[GOAL_LABELS[0]]),
            "kappa": {g: cohen_kappa(pairs[g]) for g in GOAL_LABELS},
            "agree": {g: (sum(a == b for a, b in pairs[g]) / len(pairs[g]) if pairs[g] else None)
                      for g in GOAL_LABELS}}  # fmt: skip


def disagreements(by_passage: Mapping[str, Mapping[str, ReviewRecord]]) -> list[tuple[str, dict[str, ReviewRecord]]]:
    """Passages whose reviewers' latest states differ: ``[(passage id, {reviewer: state})]``."""
    out = []
    for pid, states in sorted(by_passage.items()):
        if len(states) < 2:
            continue
        seen = {(tuple(sorted(s.labels or ())), s.body, s.body_name or None, s.topic)
                for s in states.values()}  # fmt: skip
        if len(seen) > 1:
            out.append((pid, dict(states)))
    return out


def is_double(pid: str, seed: str = DEFAULT_SEED, share: float = DOUBLE_SHARE) -> bool:
    """True for the seeded ``share`` of passages that two reviewers should review."""
    return int(_shuffle_key(seed + "/double", pid)[:8], 16) / 0xFFFFFFFF < share


def needs_second(pid: str, by_reviewer: Mapping[str, Mapping[str, object]], user: str,
                 seed: str = DEFAULT_SEED, share: float = DOUBLE_SHARE) -> bool:  # fmt: skip
    """True when ``user`` should (blindly) review ``pid`` as its second reviewer."""
    who = by_reviewer.get(pid, {})
    return is_double(pid, seed, share) and user not in who and 0 < len(who) < 2


def seen_by(reviewed: Mapping[str, ReviewState], by_reviewer: Mapping[str, Mapping[str, object]], user: str,
            seed: str = DEFAULT_SEED, share: float = DOUBLE_SHARE) -> dict[str, ReviewState]:  # fmt: skip
    """``reviewed`` as ``user``'s queue sees it: double-review passages that still need
    this user as second reviewer count as unreviewed."""
    return {pid: st for pid, st in reviewed.items() if not needs_second(pid, by_reviewer, user, seed, share)}
