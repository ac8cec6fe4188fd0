"""The comparison tables of watext as plain data: what exporters render, nothing more.

:func:`watext.tables.aggregate.build_tables` fills a :class:`ComparisonTables` from the store;
the exporters in :mod:`watext.tables.export` turn it into xlsx, html, csv, md and pptx.
Every cell carries its :class:`Evidence` (the passages behind it), so each mark in every
export can be traced to a document, a page or slide, and a sentence.

All text in here may come from documents and is untrusted: exporters must escape it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from watext import i18n
from watext.enrich.binding import strongest
from watext.model import GOAL_LABELS


__all__ = [
    "DOUBT_BAND", "BestPractice", "ComparisonTables", "Evidence", "FundingRow", "GoalCell",
    "GuidelineRow", "Measure", "Orientation", "ResponsibilityEntry", "strongest_binding",
]  # fmt: skip

#: Cells whose probability lies in ``[low, high)`` are marked doubtful; a model trained since
#: issue 10 carries its own band (``meta.json`` metrics.doubt, chosen on its training folds),
#: this one is the fallback for older models. Chosen on
#: out-of-fold predictions for the 19 training and out-of-domain cities (grouped by city,
#: 114 cells, any-of rule): this band held 10 of the 13 wrong cells while covering 39 cells;
#: below 0.10, 1 of 12 cells was true; from 0.60 up, 61 of 63.
DOUBT_BAND: tuple[float, float] = (0.10, 0.60)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One passage supporting a cell.

    ``origin`` is ``"review"`` when a person's correction decided it (``verified``),
    ``"model"`` when the model's prediction did, ``"rule"`` when a survey heading or text
    rule did. ``confidence`` is the model's probability for the claim (None for reviews
    and rules).
    """

    passage_id: str
    document_id: str
    source: str
    title: str | None
    city: str | None
    page: int | None
    text: str
    confidence: float | None
    verified: bool
    origin: str
    format: str | None = None  # pdf, pptx, ... (page means slide for pptx)
    #: How binding its document is: beschlossen, zur_kenntnis, beantragt, angekuendigt
    #: (:func:`watext.enrich.binding.binding_of`); None when unknown.
    binding: str | None = None


def strongest_binding(evidence: list[Evidence]) -> str | None:
    """The strongest binding of the passages behind a cell (beschlossen > zur_kenntnis >
    beantragt > angekuendigt); None without evidence."""
    return strongest(e.binding for e in evidence)


@dataclass(slots=True)
class GoalCell:
    """A city × goal cell of the Q1 matrix."""

    city: str
    goal: str
    ticked: bool
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Supporting passages."""
        return len(self.evidence)

    @property
    def n_verified(self) -> int:
        """Supporting passages a person has verified."""
        return sum(1 for e in self.evidence if e.verified)

    @property
    def verified(self) -> bool:
        """True when a person decided this cell (a verified passage supports it, or every
        passage that could have supported it was reviewed and rejected)."""
        return self.n_verified > 0 or (not self.ticked and self.reviewed_against)

    reviewed_against: bool = False  # unticked because reviewers removed the label
    #: The model's estimate that the city states this goal: noisy-or of the calibrated
    #: scores of its unreviewed answers to question 1 (reviewed answers count 1 or 0);
    #: None without any scored or reviewed answer.
    probability: float | None = None
    #: Unreviewed answers to question 1 that could change this cell (score ≥ 0.05), most
    #: likely first: the supporting ones and those just below the threshold.
    candidates: list[Evidence] = field(default_factory=list)
    #: True when the city gave no recognised answer to question 1 and the cell was filled
    #: from its passages whose predicted topic is ``verstaendnis`` instead.
    fallback: bool = False
    #: The doubt band of the model behind the cell (chosen on its training folds).
    band: tuple[float, float] = DOUBT_BAND

    @property
    def doubtful(self) -> bool:
        """An unverified cell whose probability lies in :attr:`band`: check it first."""
        p = self.probability
        return not self.verified and p is not None and self.band[0] <= p < self.band[1]

    @property
    def binding(self) -> str | None:
        """The strongest binding of the supporting passages (None when unticked or unknown)."""
        return strongest_binding(self.evidence)

    @property
    def max_confidence(self) -> float | None:
        vals = [e.confidence for e in self.evidence if e.confidence is not None]
        return max(vals) if vals else None


@dataclass(slots=True)
class Orientation:
    """What a city's guideline is oriented on (Q2)."""

    kind: str  # national_law | recommendations | local_agenda | other
    name: str
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class GuidelineRow:
    """Q2: guideline status of one city and what it is oriented on."""

    city: str
    status: str  # exists | in_development | none | unknown
    orientations: list[Orientation] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class Measure:
    """Q3: one concrete measure (merged across cities) under one goal category."""

    goal: str
    name: str  # canonical name shown in the table
    variants: list[str] = field(default_factory=list)  # names as the cities wrote them
    cities: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def binding(self) -> str | None:
        """The strongest binding of the passages behind the measure."""
        return strongest_binding(self.evidence)


@dataclass(slots=True)
class ResponsibilityEntry:
    """Q4: one city in one responsibility group."""

    group: str  # chefsache | querschnittsaufgabe | fachstelle
    city: str
    units: list[str] = field(default_factory=list)  # unit names (fachstelle) or who (chefsache)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class FundingRow:
    """Q5/Q6: dedicated funds and staff of one city, and who allocates them."""

    city: str
    funds: str  # dedicated | single_measures | none | unknown
    staff: str  # yes | no | unknown
    allocators: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


@dataclass(slots=True)
class BestPractice:
    """Q7: a practice cities would like to adopt, with who named it."""

    name: str
    cities: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)


def warning_text(city: str, questions: list[int], fallback: bool = False) -> str:
    """The warning that ``city`` gave no recognised answer to ``questions``, in the language in
    force (``fallback``: its goals row came from the fallback path)."""
    if questions == [1]:
        return i18n.t("common", "warn_q1_fallback" if fallback else "warn_q1_empty", city=city)
    key = "warn_question" if len(questions) == 1 else "warn_questions"
    return i18n.t("common", key, city=city, questions=", ".join(str(n) for n in questions))


@dataclass(slots=True)
class ComparisonTables:
    """All six tables of the partner-city comparison, for one set of cities."""

    cities: list[str]
    goals: list[GoalCell]
    guideline: list[GuidelineRow]
    measures: list[Measure]
    responsibility: list[ResponsibilityEntry]
    funding: list[FundingRow]
    best_practice: list[BestPractice]
    meta: dict[str, Any] = field(default_factory=dict)  # model version, rules, built_at, counts
    #: City -> survey questions (1–7) none of its passages was recognised as answering.
    no_answer: dict[str, list[int]] = field(default_factory=dict)

    def warning_rows(self) -> list[tuple[str, list[int], str]]:
        """``(city, questions, text)`` for cities with unanswered questions, in the language in
        force: question 1 (the goals row) on a line of its own, then the others."""
        out = []
        for city, nos in self.no_answer.items():
            if 1 in nos:
                fb = any(c.fallback and c.city == city for c in self.goals)
                out.append((city, [1], warning_text(city, [1], fb)))
            rest = [n for n in nos if n != 1]
            if rest:
                out.append((city, rest, warning_text(city, rest)))
        return out

    def warnings(self) -> list[str]:
        """The texts of :meth:`warning_rows` (every export and the CLI show them)."""
        return [text for _, _, text in self.warning_rows()]

    def goal_cell(self, city: str, goal: str) -> GoalCell:
        """The Q1 cell of ``city`` × ``goal`` (KeyError when the city is not in the table)."""
        for c in self.goals:
            if c.city == city and c.goal == goal:
                return c
        raise KeyError((city, goal))

    def goals_matrix(self) -> dict[str, dict[str, int]]:
        """``{city: {goal: 1|0}}`` in table order."""
        return {city: {g: int(self.goal_cell(city, g).ticked) for g in GOAL_LABELS} for city in self.cities}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (cells carry ``n``, ``n_verified``, ``verified`` too)."""
        d = asdict(self)
        for cell, raw in zip(self.goals, d["goals"]):
            raw.update(n=cell.n, n_verified=cell.n_verified, verified=cell.verified, doubtful=cell.doubtful,
                       binding=cell.binding)
        for measure, raw in zip(self.measures, d["measures"]):
            raw["binding"] = measure.binding
        return d
