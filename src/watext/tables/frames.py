"""The comparison tables as pandas DataFrames: what a notebook reads and every export renders.

    >>> import watext.tables
    >>> frames = watext.tables.build(store)        # the current model, every city
    >>> frames["goal_cells"].query("doubtful")[["city", "goal", "probability"]]

:func:`build` fills the tables from a store; :func:`to_frames` turns a
:class:`~watext.tables.model.ComparisonTables` already built into the same frames. The
exports (xlsx, html, csv, md, pptx) read these frames and nothing else.

Every frame has a plain ``RangeIndex``. String columns (``str``) are cleaned of control
characters no file format can hold and hold ``""`` where a value is unknown, never NaN;
float columns hold NaN where there is no value; list columns (``object``) hold lists.
Document text is untrusted: escape it before showing it anywhere.

``goals_matrix``    one row per city, in table order: ``city`` str, then one bool column per
                    goal (``kulturelle_vielfalt`` … ``standortfoerderung``): ticked or not.
``goal_cells``      one row per city × goal, city by city: ``city``, ``goal`` str; ``ticked``,
                    ``verified`` (a person decided it), ``doubtful`` (check first), ``fallback``
                    (filled from topic ``verstaendnis``: no answer to question 1),
                    ``reviewed_against`` bool; ``n_passages``, ``n_verified`` int64;
                    ``probability`` (noisy-or of the answers' scores), ``max_confidence`` float64;
                    ``passage_ids`` list of str (the supporting passages); ``binding`` str (the
                    strongest binding of the supporting passages: ``beschlossen`` >
                    ``zur_kenntnis`` > ``beantragt`` > ``angekuendigt``; ``""`` unknown).
``guideline``       one row per city × orientation (one row with ``""`` orientation when a
                    city names none): ``city``, ``status``, ``orientation_kind``,
                    ``orientation_name`` str; ``n_evidence`` int64 (status and orientation
                    passages); ``verified``, ``status_verified``, ``orientation_verified`` bool;
                    ``passage_ids`` list.
``measures``        one row per measure and goal: ``goal``, ``measure`` str; ``variants``,
                    ``cities`` lists; ``n_evidence`` int64; ``verified`` bool; ``passage_ids`` list;
                    ``binding`` str (strongest binding behind it, as in ``goal_cells``).
``responsibility``  one row per city and group: ``group``, ``city`` str; ``units`` list;
                    ``n_evidence``, ``verified``, ``passage_ids`` as above.
``funding``         one row per city: ``city``, ``funds``, ``staff`` str; ``allocators`` list;
                    ``n_evidence``, ``verified``, ``passage_ids`` as above.
``best_practice``   one row per practice: ``name`` str; ``cities`` list; ``n_evidence``,
                    ``verified``, ``passage_ids`` as above.
``evidence``        one row per table row × supporting passage: ``table`` str (the frame's
                    name, ``goals`` for goal cells) and ``row`` int64 (its row there; a
                    guideline status passage points at its city's first row); ``city``,
                    ``key`` (goal, ``status:<status>``, ``<kind>: <name>``, ``<goal>: <measure>``,
                    group, ``funding`` or practice), ``title``, ``source``, ``format``, ``text``,
                    ``origin`` (model, review, rule), ``passage_id``, ``document_id`` str;
                    ``page`` Int64 (slide for pptx; <NA> unknown); ``confidence`` float64
                    (the model's probability for the claim, NaN for reviews and rules);
                    ``verified`` bool; ``binding`` str (of the passage's document, from its
                    council-paper metadata: :func:`watext.enrich.binding.binding_of`).
``candidates``      the unreviewed answers that could change a goal cell (score ≥ 0.05, most
                    likely first), with the columns of ``evidence`` (``row``: the goal cell).
``warnings``        one row per warning: ``city`` str, ``questions`` list of int (survey
                    questions without a recognised answer), ``warning`` str (German).
``info``            what the tables were built with: ``kind`` (``meta`` or ``rule``), ``key``
                    (meta key, or the table a rule is for), ``value`` str.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from watext.model import GOAL_LABELS
from watext.tables.model import ComparisonTables, Evidence

__all__ = ["COLUMNS", "FRAMES", "build", "clean", "records", "to_frames"]

_LISTED = "object"
_SUPPORT = {"n_evidence": "int64", "verified": "bool", "passage_ids": _LISTED}
_PASSAGE = {
    "table": "str", "row": "int64", "city": "str", "key": "str", "title": "str", "source": "str",
    "page": "Int64", "format": "str", "text": "str", "confidence": "float64", "verified": "bool",
    "origin": "str", "passage_id": "str", "document_id": "str", "binding": "str",
}  # fmt: skip

#: Frame name -> column -> dtype, in frame and column order.
COLUMNS: dict[str, dict[str, str]] = {
    "goals_matrix": {"city": "str", **{g: "bool" for g in GOAL_LABELS}},
    "goal_cells": {
        "city": "str", "goal": "str", "ticked": "bool", "verified": "bool", "doubtful": "bool",
        "fallback": "bool", "reviewed_against": "bool", "n_passages": "int64", "n_verified": "int64",
        "probability": "float64", "max_confidence": "float64", "passage_ids": _LISTED, "binding": "str",
    },  # fmt: skip
    "guideline": {
        "city": "str", "status": "str", "orientation_kind": "str", "orientation_name": "str",
        "n_evidence": "int64", "verified": "bool", "status_verified": "bool",
        "orientation_verified": "bool", "passage_ids": _LISTED,
    },  # fmt: skip
    "measures": {"goal": "str", "measure": "str", "variants": _LISTED, "cities": _LISTED, **_SUPPORT,
                 "binding": "str"},
    "responsibility": {"group": "str", "city": "str", "units": _LISTED, **_SUPPORT},
    "funding": {"city": "str", "funds": "str", "staff": "str", "allocators": _LISTED, **_SUPPORT},
    "best_practice": {"name": "str", "cities": _LISTED, **_SUPPORT},
    "evidence": _PASSAGE,
    "candidates": _PASSAGE,
    "warnings": {"city": "str", "questions": _LISTED, "warning": "str"},
    "info": {"kind": "str", "key": "str", "value": "str"},
}

#: The frames :func:`build` returns, in this order.
FRAMES: tuple[str, ...] = tuple(COLUMNS)

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: Any) -> str:
    """``text`` as a str without characters XML-based formats cannot hold (``""`` for None)."""
    if text is None:
        return ""
    return _ILLEGAL.sub("", str(text))


def _cleaned(items: Sequence[Any]) -> list[str]:
    return [clean(i) for i in items]


def _frame(name: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = COLUMNS[name]
    return pd.DataFrame(rows, columns=list(columns)).astype(columns)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts of plain Python values (NaN and <NA> become None)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _passages(table: str, row: int, key: str, evidence: Sequence[Evidence], city: str | None = None,
              cities: Sequence[str] = ()) -> list[dict[str, Any]]:  # fmt: skip
    """Rows of ``evidence``/``candidates``; the city is ``city``, else the passage's, else ``cities``."""
    return [{
        "table": table, "row": row, "city": clean(city or e.city or ", ".join(cities)), "key": clean(key),
        "title": clean(e.title), "source": clean(e.source), "page": e.page, "format": clean(e.format),
        "text": clean(e.text), "confidence": e.confidence, "verified": bool(e.verified),
        "origin": clean(e.origin), "passage_id": clean(e.passage_id), "document_id": clean(e.document_id),
        "binding": clean(e.binding),
    } for e in evidence]  # fmt: skip


def _support(evidence: Sequence[Evidence], **fields: Any) -> dict[str, Any]:
    """``fields`` and what the passages behind them add: count, verified, ids."""
    return fields | {"n_evidence": len(evidence), "verified": any(e.verified for e in evidence),
                     "passage_ids": _cleaned([e.passage_id for e in evidence])}  # fmt: skip


def _info(tables: ComparisonTables) -> list[dict[str, str]]:
    """Meta entries (model version and build time first), then the aggregation rules."""
    meta = tables.meta or {}
    keys = [k for k in ("model_version", "built_at") if k in meta]
    keys += [k for k in meta if k not in ("model_version", "built_at", "rules")]
    rows = [{"kind": "meta", "key": clean(k), "value": clean(meta[k])} for k in keys]
    raw = meta.get("rules") or {}
    pairs = raw.items() if isinstance(raw, dict) else [("", raw)]
    return rows + [{"kind": "rule", "key": clean(k), "value": clean(v)} for k, v in pairs]


def to_frames(tables: ComparisonTables) -> dict[str, pd.DataFrame]:
    """The frames of ``tables`` (names, columns and dtypes: see the module docstring)."""
    evidence: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    cells = []
    for i, c in enumerate(tables.goals):
        cells.append({
            "city": clean(c.city), "goal": clean(c.goal), "ticked": c.ticked, "verified": c.verified,
            "doubtful": c.doubtful, "fallback": c.fallback, "reviewed_against": c.reviewed_against,
            "n_passages": c.n, "n_verified": c.n_verified, "probability": c.probability,
            "max_confidence": c.max_confidence, "passage_ids": _cleaned([e.passage_id for e in c.evidence]),
            "binding": clean(c.binding),
        })  # fmt: skip
        evidence += _passages("goals", i, c.goal, c.evidence, c.city)
        candidates += _passages("goals", i, c.goal, c.candidates, c.city)
    guideline: list[dict[str, Any]] = []
    for g in tables.guideline:
        evidence += _passages("guideline", len(guideline), f"status:{g.status}", g.evidence, g.city)
        status_verified = any(e.verified for e in g.evidence)
        for o in g.orientations or [None]:
            own = o.evidence if o else []
            row = _support([*g.evidence, *own], city=clean(g.city), status=clean(g.status),
                           orientation_kind=clean(o.kind if o else ""), orientation_name=clean(o.name if o else ""))
            row.update(status_verified=status_verified, orientation_verified=any(e.verified for e in own))
            if o:
                evidence += _passages("guideline", len(guideline), f"{o.kind}: {o.name}", own, g.city)
            guideline.append(row)
    measures = []
    for i, m in enumerate(tables.measures):
        measures.append(_support(m.evidence, goal=clean(m.goal), measure=clean(m.name),
                                 variants=_cleaned(m.variants), cities=_cleaned(m.cities),
                                 binding=clean(m.binding)))  # fmt: skip
        evidence += _passages("measures", i, f"{m.goal}: {m.name}", m.evidence, cities=m.cities)
    responsibility = []
    for i, r in enumerate(tables.responsibility):
        responsibility.append(_support(r.evidence, group=clean(r.group), city=clean(r.city), units=_cleaned(r.units)))
        evidence += _passages("responsibility", i, r.group, r.evidence, r.city)
    funding = []
    for i, f in enumerate(tables.funding):
        funding.append(_support(f.evidence, city=clean(f.city), funds=clean(f.funds), staff=clean(f.staff),
                                allocators=_cleaned(f.allocators)))  # fmt: skip
        evidence += _passages("funding", i, "funding", f.evidence, f.city)
    best_practice = []
    for i, b in enumerate(tables.best_practice):
        best_practice.append(_support(b.evidence, name=clean(b.name), cities=_cleaned(b.cities)))
        evidence += _passages("best_practice", i, b.name, b.evidence, cities=b.cities)
    matrix = [{"city": clean(city), **{g: bool(v) for g, v in row.items()}}
              for city, row in tables.goals_matrix().items()]  # fmt: skip
    warnings = [{"city": clean(city), "questions": list(nos), "warning": clean(text)}
                for city, nos, text in tables.warning_rows()]  # fmt: skip
    rows = {"goals_matrix": matrix, "goal_cells": cells, "guideline": guideline, "measures": measures,
            "responsibility": responsibility, "funding": funding, "best_practice": best_practice,
            "evidence": evidence, "candidates": candidates, "warnings": warnings, "info": _info(tables)}  # fmt: skip
    return {name: _frame(name, rows[name]) for name in FRAMES}


def build(store: Any, model_dir: str | Path | None = None,
          cities: Sequence[str] | None = None) -> dict[str, pd.DataFrame]:  # fmt: skip
    """The comparison tables of ``store`` as DataFrames, ``{name: frame}`` in :data:`FRAMES` order.

    ``model_dir``: the model whose predictions count (default: the current one, see
    :func:`watext.tag.registry.model_info`); ``cities``: only these, in this order (default:
    every city answering a survey topic, alphabetically). Reviewed passages count as reviewed.
    """
    from watext.tables.aggregate import build_tables
    from watext.tag.registry import model_info

    model = model_info(model_dir)
    return to_frames(build_tables(store, model.name, model.version, cities, doubt_band=model.doubt_band))
