"""Build the six comparison tables from the store (see :data:`RULES` for how).

    tables = build_tables(store, model_name="watext-goals", model_version="2026…")

Reviewed passages use the reviewer's goals, body and topic instead of the model's;
every cell keeps the passages behind it as :class:`~watext.tables.model.Evidence`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from watext.model import GOAL_LABELS
from watext.tables.collect import TablePassage, collect
from watext.tag.questions import question_recognizer
from watext.tag.survey import load_questions, match_question
from watext.tables.phrases import (
    canonical_measure, canonical_measure_in, clean_name, strip_article, guideline_status, item_name, load_phrases, measure_key,
    is_bare_head, measure_goals, measure_phrase, orientation_kind,
)  # fmt: skip
from watext.tables.model import (
    DOUBT_BAND, BestPractice, ComparisonTables, Evidence, FundingRow, GoalCell, GuidelineRow,
    Measure, Orientation, ResponsibilityEntry,
)  # fmt: skip

__all__ = ["RULES", "build_tables", "goal_cells", "tables_from_passages"]

#: The aggregation rules, as shown in every report.
RULES: dict[str, str] = {
    "passages": "A passage counts with the goals, body and topic a reviewer gave it; unreviewed "
    "passages count with the current model's prediction (a goal when its probability reaches the "
    "label's threshold). Survey answers take their topic from the question they follow.",
    "goals": "A city gets a goal when at least {min_support} of its passages answering question 1 "
    "(topic 'verstaendnis') carries that goal. When none of its passages was recognised as an answer "
    "to question 1, its passages whose predicted topic is 'verstaendnis' are used instead and the row "
    "is marked as coming from this fallback. The cell shows how many passages support it and how "
    "many of them a person verified; a cell is 'verified' when a verified passage supports it, or "
    "when reviewers removed the goal the model had given. Its probability is the noisy-or of the "
    "answers' calibrated scores (reviewed answers count 1 or 0); an unverified cell with a "
    "probability from {doubt_low:.2f} to below {doubt_high:.2f} is marked doubtful: check it first.",
    "guideline": "Status from the city's answers to question 2: 'being developed' wins over "
    "'exists' over 'none'; orientations are the short names the answers give (laws, national or "
    "regional recommendations, local agendas), classified by keyword rules.",
    "measures": "Answers to question 3 that carry a goal: the measure's name is the item's own "
    "heading or its short text (before ':' or the first clause); in a full sentence, the noun phrase "
    "around the first measure noun (rules/measures.json 'head_nouns'), or the synonym group the sentence "
    "names (another clause of the item that names a known kind of measure adds that measure); names meaning "
    "the same thing are "
    "merged by the synonym rules (rules/measures.json) and listed under each goal their passage carries "
    "and, for kinds of measure the taxonomy assigns a goal (e.g. language courses: Teilhabe), under that goal.",
    "responsibility": "A city stands in a group (Chefsache / Querschnittsaufgabe / named unit) "
    "when at least one of its answers to question 4 has that body type; unit names are the exact "
    "spans found in those answers. An unreviewed answer that denies a unit (\"no single team is "
    "responsible\") names none. A city can stand in several groups.",
    "funding": "From answers to questions 5 and 6: dedicated budget > funds for single measures > "
    "none; staff yes/no by phrase rules; allocators are the short names given in answer to question 6.",
    "best_practice": "Short items of at most ten words (or item headings) in answers to question 7 without first-person "
    "wording; equal names are merged and list every city that named them.",
}


def _by_city(passages: Iterable[TablePassage], topic: str) -> dict[str, list[TablePassage]]:
    out: dict[str, list[TablePassage]] = {}
    for p in passages:
        if p.topic == topic and p.city and not p.is_question:
            out.setdefault(p.city, []).append(p)
    return out


#: heading text -> whether it states a survey question (filled in batches: one recogniser
#: call per table build instead of one per heading).
_QUESTION_HEADING: dict[str, bool] = {}


def _recognise_headings(passages: Iterable[TablePassage]) -> None:
    todo = list(dict.fromkeys(h for p in passages for h in p.heading[:-1] if h not in _QUESTION_HEADING))
    if len(_QUESTION_HEADING) + len(todo) > 200_000:
        _QUESTION_HEADING.clear()
    for h, m in zip(todo, question_recognizer().match_many(todo)):
        _QUESTION_HEADING[h] = m is not None


def _sub_heading(p: TablePassage) -> str | None:
    """The heading below the survey question the passage sits under (an item's name)."""
    hs = list(p.heading)
    for i, h in enumerate(hs[:-1]):
        known = _QUESTION_HEADING.get(h)
        if known if known is not None else match_question(h) is not None:
            return hs[-1]
    return None


def goal_cells(passages: Sequence[TablePassage], min_support: int = 1,
               doubt_band: tuple[float, float] | None = None) -> list[GoalCell]:  # fmt: skip
    """Only the Q1 goal cells (the cities as :func:`tables_from_passages` picks them)."""
    return _goals(passages, _cities(passages), min_support, doubt_band or DOUBT_BAND)


def _cities(passages: Sequence[TablePassage]) -> list[str]:
    return sorted({p.city for p in passages if p.city and p.topic}, key=str.casefold)


def _fallback_q1(passages: Sequence[TablePassage]) -> dict[str, list[TablePassage]]:
    """Per city: passages whose own (predicted or reviewed) topic is ``verstaendnis``."""
    out: dict[str, list[TablePassage]] = {}
    for p in passages:
        if p.own_topic == "verstaendnis" and p.city and not p.is_question:
            out.setdefault(p.city, []).append(p)
    return out


def _goals(passages: Sequence[TablePassage], cities: list[str], min_support: int,
           band: tuple[float, float] = DOUBT_BAND) -> list[GoalCell]:  # fmt: skip
    q1 = _by_city(passages, "verstaendnis")
    fallback = _fallback_q1(passages)
    cells = []
    for city in cities:
        rows = q1.get(city, [])
        from_fallback = not rows and bool(fallback.get(city))
        if from_fallback:
            rows = fallback[city]
        for goal in GOAL_LABELS:
            support = [p for p in rows if goal in p.labels]
            removed = any(p.verified and goal in p.model_labels and goal not in p.labels for p in rows)
            probability, candidates = _cell_probability(rows, goal)
            cells.append(GoalCell(city, goal, len(support) >= min_support,
                                  [p.evidence(goal) for p in support], reviewed_against=removed,
                                  probability=probability, candidates=candidates,
                                  fallback=from_fallback, band=band))  # fmt: skip
    return cells


def _no_answer(passages: Sequence[TablePassage], cities: list[str]) -> dict[str, list[int]]:
    """City -> the survey questions none of its passages answers (by survey structure, or by
    topic where a document has none; questions 5 and 6 share the topic)."""
    topic_of = {q.no: q.topic for q in load_questions()}
    answered: dict[str, set[int]] = {c: set() for c in cities}
    for p in passages:
        if p.city not in answered or p.is_question:
            continue
        if p.question is not None:
            answered[p.city].add(p.question)
        elif p.topic:
            answered[p.city].update(n for n, t in topic_of.items() if t == p.topic)
    return {c: sorted(set(topic_of) - answered[c]) for c in cities if set(topic_of) - answered[c]}


def _cell_probability(rows: Sequence[TablePassage], goal: str) -> tuple[float | None, list[Evidence]]:
    """Noisy-or of the answers' probabilities for ``goal`` (reviewed answers count 1 or 0)
    and the unreviewed answers that could change the cell (score ≥ 0.05, highest first)."""
    known = [p for p in rows if p.verified or goal in p.scores]
    if not known:
        return None, []
    none = 1.0
    for p in known:
        none *= 1.0 - (float(goal in p.labels) if p.verified else float(p.scores[goal]))
    candidates = sorted((p for p in known if not p.verified and p.scores[goal] >= 0.05),
                        key=lambda p: -p.scores[goal])  # fmt: skip
    return round(1.0 - none, 4), [p.evidence(goal) for p in candidates]


def _dedupe_names(names: list[str]) -> list[str]:
    """Distinct names; a name containing a shorter kept one is dropped."""
    out: list[str] = []
    for n in sorted(dict.fromkeys(names), key=len):
        if not any(k.casefold() in n.casefold() for k in out):
            out.append(n)
    return sorted(out, key=names.index)


def _guideline(passages: Sequence[TablePassage], cities: list[str]) -> list[GuidelineRow]:
    q2 = _by_city(passages, "leitfaden")
    rows = []
    for city in cities:
        ps = q2.get(city, [])
        found: dict[str, tuple[str, list[TablePassage]]] = {}
        for p in ps:
            name = item_name(p.text, max_words=8, split=False)
            kind = orientation_kind(name) if name else None
            if name and kind:
                found.setdefault(name, (kind, []))[1].append(p)
        keep = _dedupe_names(list(found))
        rows.append(GuidelineRow(
            city, guideline_status([p.text for p in ps]) if ps else "unknown",
            [Orientation(found[n][0], n, [p.evidence(origin="rule") for p in found[n][1]]) for n in keep],
            [p.evidence(origin="rule") for p in ps],
        ))  # fmt: skip
    return rows


def _split_coordinated(name: str, lang: str | None) -> list[str]:
    """"Willkommensmappe und Informationsportal für Familien" -> both names, when every part
    is a measure of its own (a measure noun or a synonym group); else ``[name]``."""
    parts = [x.strip() for x in re.split(r",\s+|\s+(?:und|sowie|and|&)\s+", name) if x.strip()]
    if len(parts) < 2 or any(len(x.split()) > 6 for x in parts):
        return [name]
    if all(canonical_measure(x)[1] or (measure_phrase(x, lang) == x and not is_bare_head(x, lang)) for x in parts):
        return parts
    return [name]


def _measures(passages: Sequence[TablePassage]) -> list[Measure]:
    merged: dict[tuple[str, str], Measure] = {}
    for p in passages:
        if p.topic != "massnahme" or p.is_question or not p.city or p.kind == "notes":
            continue  # speaker notes are not the city's answer
        # a short item names itself; a sentence takes the item heading above it, the part
        # before ':' or its first clause, else the noun phrase around its measure noun
        raw = (item_name(p.text, max_words=6, split=False) or _sub_heading(p) or item_name(p.text)
               or measure_phrase(p.text, p.lang) or canonical_measure_in(_first_sentence(p.text)))  # fmt: skip
        if raw is None or load_phrases().any("contact_line", raw):
            continue
        names = _split_coordinated(clean_name(raw), p.lang)
        for clause in _clauses(p.text):  # another clause naming a known kind of measure
            group = canonical_measure_in(clause)
            if group and not any(n in clause for n in names) and \
                    group not in {canonical_measure(n)[0] for n in names}:
                names.append(clean_name(measure_phrase(clause, p.lang) or item_name(clause) or group))
        for raw in names:
            _add_measure(merged, p, raw)
    order = {g: i for i, g in enumerate(GOAL_LABELS)}
    return sorted(merged.values(), key=lambda m: (order[m.goal], -len(m.cities), m.name.casefold()))


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?;])\s", text, maxsplit=1)[0]


def _clauses(text: str) -> list[str]:
    """Sentences and ';'-separated clauses of an item."""
    return [c for c in re.split(r"(?<=[.!?;])\s+", text) if c.strip()]


def _add_measure(merged: dict[tuple[str, str], Measure], p: TablePassage, raw: str) -> None:
    canon, known = canonical_measure(raw)
    first = _first_sentence(p.text)
    if not known and len(raw.split()) < len(p.text.split()):
        # a name cut short ("Empfang des Oberbürgermeisters" of "… für ausländische
        # Studierende"): the synonym group the item's first sentence names, if any
        canon = canonical_measure_in(first) or canon
    elif known and raw in first:
        # the measure the item names first is its measure: a group named before the name
        canon = canonical_measure_in(first, before=first.index(raw)) or canon
    # the passage's goals, and those the taxonomy gives this kind of measure (unless a
    # reviewer decided the passage's goals)
    goals = list(p.labels) + [g for g in ([] if p.verified else measure_goals(canon)) if g not in p.labels]
    for goal in goals:
        key = (goal, measure_key(canon))
        m = merged.setdefault(key, Measure(goal, canon))
        if raw not in m.variants:
            m.variants.append(raw)
        if p.city not in m.cities:
            m.cities.append(p.city)
        m.evidence.append(p.evidence(goal))


def _responsibility(passages: Sequence[TablePassage]) -> list[ResponsibilityEntry]:
    ph = load_phrases()
    entries: dict[tuple[str, str], ResponsibilityEntry] = {}
    names: dict[tuple[str, str], Counter[str]] = {}
    for p in passages:
        if p.topic != "zustaendigkeit" or p.is_question or not p.body or not p.city:
            continue
        if p.body == "fachstelle" and not p.verified and ph.any("body_negated", p.text):
            continue  # "no single team is responsible; ..." names no responsible unit
        e = entries.setdefault((p.body, p.city), ResponsibilityEntry(p.body, p.city))
        e.evidence.append(p.evidence())
        if p.body_name:
            names.setdefault((p.body, p.city), Counter())[p.body_name] += 1
    for key, e in entries.items():
        counted = names.get(key, Counter())
        e.units = _dedupe_names([n for n, _ in counted.most_common()])
    groups = ("chefsache", "querschnittsaufgabe", "fachstelle")
    return sorted(entries.values(), key=lambda e: (groups.index(e.group), e.city.casefold()))


def _funding(passages: Sequence[TablePassage], cities: list[str]) -> list[FundingRow]:
    ph = load_phrases()
    q5 = _by_city(passages, "finanzierung")
    rows = []
    for city in cities:
        ps = q5.get(city, [])
        texts = [p.text for p in ps]
        funds = ("dedicated" if any(ph.any("funds_dedicated", t) for t in texts)
                 else "single_measures" if any(ph.any("funds_single_measures", t) for t in texts)
                 else "none" if any(ph.any("funds_none", t) for t in texts) else "unknown")  # fmt: skip
        staff = ("yes" if any(ph.any("staff_yes", t) for t in texts)
                 else "no" if any(ph.any("staff_no", t) for t in texts) else "unknown")  # fmt: skip
        allocators = []
        for p in ps:
            if p.question == 6 or (p.question is None and p.body_name):
                name = item_name(p.text, max_words=6, split=False)
                if name and not ph.any("first_person", name) and not any(c.isdigit() for c in name):
                    allocators.append(name)
                elif p.body_name:
                    allocators.append(p.body_name)
        rows.append(FundingRow(city, funds, staff, _dedupe_names(allocators),
                               [p.evidence(origin="rule") for p in ps]))
    return rows


def _best_practice(passages: Sequence[TablePassage]) -> list[BestPractice]:
    ph = load_phrases()
    merged: dict[str, BestPractice] = {}
    for p in passages:
        if p.topic != "best_practice" or p.is_question or not p.city:
            continue
        name = _sub_heading(p) or item_name(p.text, max_words=10, split=False)
        if not name or ph.any("first_person", name) or ph.any("contact_line", name):
            continue
        name, _ = canonical_measure(strip_article(clean_name(name)), "best_practice")
        bp = merged.setdefault(measure_key(name), BestPractice(name))
        if p.city not in bp.cities:
            bp.cities.append(p.city)
        bp.evidence.append(p.evidence(origin="rule" if not p.verified else "review"))
    return sorted(merged.values(), key=lambda b: (-len(b.cities), b.name.casefold()))


def tables_from_passages(passages: Sequence[TablePassage], cities: Sequence[str] | None = None,
                         min_support: int = 1, doubt_band: tuple[float, float] | None = None,
                         ) -> ComparisonTables:  # fmt: skip
    """The six tables from effective passages (cities: those answering any survey topic)."""
    _recognise_headings(passages)
    cities = _cities(passages) if cities is None else list(cities)
    band = tuple(doubt_band) if doubt_band else DOUBT_BAND
    return ComparisonTables(
        cities=cities,
        goals=_goals(passages, cities, min_support, band),  # type: ignore[arg-type]
        guideline=_guideline(passages, cities),
        measures=[m for m in _measures(passages) if set(m.cities) & set(cities)],
        responsibility=[e for e in _responsibility(passages) if e.city in cities],
        funding=_funding(passages, cities),
        best_practice=[b for b in _best_practice(passages) if set(b.cities) & set(cities)],
        no_answer=_no_answer(passages, cities),
        meta={"rules": {
            k: v.format(min_support=min_support, doubt_low=band[0], doubt_high=band[1])
            for k, v in RULES.items()
        }},
    )


def build_tables(store: Any, model_name: str | None, model_version: str | None,
                 cities: Sequence[str] | None = None, min_support: int = 1,
                 doubt_band: tuple[float, float] | None = None, under: str | None = None) -> ComparisonTables:  # fmt: skip
    """Collect effective passages from ``store`` (of documents below the folder ``under``,
    when given) and build the tables (``doubt_band``: the model's, see
    :func:`watext.tag.registry.model_info`; default :data:`DOUBT_BAND`)."""
    passages, counts = collect(store, model_name, model_version, cities, under)
    tables = tables_from_passages(passages, cities, min_support, doubt_band)
    tables.meta.update(model_name=model_name, model_version=model_version, counts=counts,
                       built_at=datetime.now(UTC).isoformat(timespec="seconds"))
    return tables
