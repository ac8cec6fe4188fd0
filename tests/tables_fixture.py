"""A hand-built :class:`ComparisonTables` for exporter tests (four partner cities).

Contains hostile document text on purpose: a passage with ``<script>alert(1)</script>``
and ``</script>``, and one starting with ``=HYPERLINK(...)``; verified and model-only
cells; one doubtful cell with a hostile near-miss passage; every table non-empty.
"""

from __future__ import annotations

from watext.i18n import names
from watext.tables.model import (
    BestPractice, ComparisonTables, Evidence, FundingRow, GoalCell, GuidelineRow,
    Measure, Orientation, ResponsibilityEntry,
)  # fmt: skip

GOAL_TITLES = names("goal", "de")

CITIES = ["Bursa", "Chesterfield", "Darmstadt", "Freiberg"]

#: Ticked (city, goal) → whether a person verified it.
TICKED: dict[tuple[str, str], bool] = {
    ("Bursa", "kulturelle_vielfalt"): False,
    ("Bursa", "humanitaere_hilfe"): True,
    ("Bursa", "standortfoerderung"): False,
    ("Chesterfield", "kulturelle_vielfalt"): True,
    ("Chesterfield", "teilhabe_integration"): False,
    ("Darmstadt", "kulturelle_vielfalt"): False,
    ("Darmstadt", "teilhabe_integration"): True,
    ("Darmstadt", "anti_diskriminierung"): False,
    ("Darmstadt", "dienstleistungsorientierung"): False,
    ("Freiberg", "teilhabe_integration"): False,
    ("Freiberg", "anti_diskriminierung"): True,
}

XSS_TEXT = 'Vielfalt feiern <script>alert(1)</script> und </script><b onmouseover="x()">fett</b>'
FORMULA_TEXT = '=HYPERLINK("http://evil.example/","klick")'
XSS_CELL = ("Chesterfield", "kulturelle_vielfalt")
FORMULA_CELL = ("Bursa", "kulturelle_vielfalt")
PLAIN_CELL = ("Darmstadt", "teilhabe_integration")
PLAIN_TEXT = "Teilhabe aller Bürgerinnen und Bürger am städtischen Leben ist unser Ziel."
PLAIN_TITLE = "Integrationskonzept der Wissenschaftsstadt Darmstadt"
#: An unticked cell with probability 0.35 (doubtful) whose near-miss passage is hostile.
DOUBT_CELL = ("Bursa", "anti_diskriminierung")
NEAR_TEXT = "Respekt <img src=x onerror=alert(2)> für alle Kulturen"

_counter = iter(range(1, 10_000))


def ev(city: str, text: str, *, verified: bool = False, confidence: float | None = 0.8,
       title: str | None = None, fmt: str = "pdf", page: int | None = 3) -> Evidence:  # fmt: skip
    n = next(_counter)
    return Evidence(
        passage_id=f"p{n:04d}",
        document_id=f"doc-{city.lower()}",
        source=f"/data/corpus/{city.lower()}/antwort_{city.lower()}.{fmt}",
        title=title or f"Antwort {city} auf die Umfrage",
        city=city,
        page=page,
        text=text,
        confidence=None if verified else confidence,
        verified=verified,
        origin="review" if verified else "model",
        format=fmt,
    )


def _goal_evidence(city: str, goal: str, verified: bool) -> list[Evidence]:
    if (city, goal) == XSS_CELL:
        return [ev(city, XSS_TEXT, verified=True, fmt="pptx", page=4),
                ev(city, "Cultural diversity is celebrated in Chesterfield.", confidence=0.93)]  # fmt: skip
    if (city, goal) == FORMULA_CELL:
        return [ev(city, FORMULA_TEXT, confidence=0.71)]
    if (city, goal) == PLAIN_CELL:
        return [ev(city, PLAIN_TEXT, verified=True, title=PLAIN_TITLE, page=12),
                ev(city, "Integration durch Bildung und Sprache.", confidence=0.88, page=13),
                ev(city, "Beteiligung der Ausländerbeiräte.", confidence=0.66, page=14)]  # fmt: skip
    return [ev(city, f"{city}: Aussage zu {GOAL_TITLES[goal]}.", verified=verified, confidence=0.77)]


def sample_tables() -> ComparisonTables:
    goals = []
    for city in CITIES:
        for goal in GOAL_TITLES:
            if (city, goal) in TICKED:
                goals.append(GoalCell(city, goal, True, _goal_evidence(city, goal, TICKED[(city, goal)])))
            elif (city, goal) == DOUBT_CELL:  # unticked, but a passage came close
                near = ev(city, NEAR_TEXT, confidence=0.28)
                goals.append(GoalCell(city, goal, False, [], probability=0.35, candidates=[near]))
            else:
                rejected = (city, goal) == ("Freiberg", "standortfoerderung")
                goals.append(GoalCell(city, goal, False, [], reviewed_against=rejected))
    guideline = [
        GuidelineRow("Bursa", "exists", [Orientation(
            "national_law", "Foreigners and International Protection",
            [ev("Bursa", "Law on Foreigners and International Protection", verified=True)])],
            [ev("Bursa", "We follow the national law.")]),  # fmt: skip
        GuidelineRow("Chesterfield", "exists", [Orientation(
            "local_agenda", "Agenda für Gleichheit, Diversität und soziale Inklusion",
            [ev("Chesterfield", "Equality, Diversity and Social Inclusion agenda")])], []),
        GuidelineRow("Darmstadt", "in_development", [Orientation(
            "recommendations", "Nationaler Aktionsplan, BAMF, Land Hessen",
            [ev("Darmstadt", "Orientierung am Nationalen Aktionsplan Integration")])],
            [ev("Darmstadt", "Ein Konzept wird derzeit entwickelt.", verified=True)]),  # fmt: skip
        GuidelineRow("Freiberg", "none", [Orientation(
            "local_agenda", "Wir sind Freiberg | lokales Netz",
            [ev("Freiberg", "Wir sind Freiberg – lokales Netz für eine weltoffene Stadt")])],
            [ev("Freiberg", "Kein eigener Leitfaden.")]),  # fmt: skip
    ]
    measures = [
        Measure("kulturelle_vielfalt", "Interkulturelle Woche", ["Interkulturelle Woche"],
                ["Darmstadt", "Freiberg"], [ev("Darmstadt", "Jährlich findet die Interkulturelle Woche statt.",
                                               verified=True)]),  # fmt: skip
        Measure("teilhabe_integration", "Sprachkurse", ["Sprachkurse", "language courses"],
                ["Bursa", "Darmstadt"], [ev("Bursa", "Language courses for refugees.")]),
        Measure("anti_diskriminierung", "AG Weltoffenes Darmstadt", [], ["Darmstadt"],
                [ev("Darmstadt", "Die AG Weltoffenes Darmstadt tagt monatlich.")]),
        Measure("humanitaere_hilfe", "Unterkünfte", [], ["Bursa"], [ev("Bursa", "Shelters for refugees.")]),
        Measure("dienstleistungsorientierung", "Willkommensmappe", [], ["Darmstadt"],
                [ev("Darmstadt", "Neubürger erhalten eine Willkommensmappe.")]),
        Measure("standortfoerderung", "Wissenschaftsaustausch", [], ["Freiberg"],
                [ev("Freiberg", "Austausch mit der Bergakademie.")]),
    ]
    responsibility = [
        ResponsibilityEntry("chefsache", "Darmstadt", ["Oberbürgermeister", "„weltoffene Stadt“"],
                            [ev("Darmstadt", "Der Oberbürgermeister verantwortet das Thema.", verified=True)]),
        ResponsibilityEntry("querschnittsaufgabe", "Chesterfield", [],
                            [ev("Chesterfield", "A cross-cutting task of all departments.")]),
        ResponsibilityEntry("querschnittsaufgabe", "Darmstadt", [],
                            [ev("Darmstadt", "Querschnittsaufgabe aller Ämter.")]),
        ResponsibilityEntry("fachstelle", "Bursa", ["Migrationsmanagement der Provinz Bursa"],
                            [ev("Bursa", "Provincial Directorate of Migration Management")]),
        ResponsibilityEntry("fachstelle", "Freiberg", ["Amt für Bildung, Jugend und Soziales"],
                            [ev("Freiberg", "Das Amt für Bildung, Jugend und Soziales ist zuständig.")]),
    ]
    funding = [
        FundingRow("Bursa", "single_measures", "yes", ["Stadtregierung"], [ev("Bursa", "Funds per project.")]),
        FundingRow("Chesterfield", "none", "no", [], [ev("Chesterfield", "No dedicated budget.")]),
        FundingRow("Darmstadt", "single_measures", "yes", ["Stadtregierung", "Integrationsbüro"],
                   [ev("Darmstadt", "Mittel je nach Haushaltslage.", verified=True)]),
        FundingRow("Freiberg", "unknown", "unknown", [], [ev("Freiberg", "-5 % Budget gegenüber Vorjahr")]),
    ]
    best_practice = [
        BestPractice("Interkulturelle Gärten in Dresden", ["Freiberg"],
                     [ev("Freiberg", "Gärten ohne Grenzen in Dresden", verified=True)]),
        BestPractice("Welcome Center", ["Darmstadt", "Chesterfield"],
                     [ev("Darmstadt", "Ein Welcome Center für Fachkräfte wäre wünschenswert."),
                      ev("Chesterfield", XSS_TEXT, fmt="pptx", page=7)]),
        BestPractice("@Patenschaftsprogramme für Flüchtlinge", ["Bursa"],
                     [ev("Bursa", "+ mentoring programmes for refugees")]),
    ]
    return ComparisonTables(
        cities=list(CITIES),
        goals=goals,
        guideline=guideline,
        measures=measures,
        responsibility=responsibility,
        funding=funding,
        best_practice=best_practice,
        meta={
            "model_version": "goals-tfidf-2024.1",
            "built_at": "2024-05-01T12:00:00+00:00",
            "rules": {
                "goals": "Ein Ziel gilt als angekreuzt, wenn mindestens eine Passage es mit p ≥ 0.5 stützt.",
                "measures": "Maßnahmen mit gleichem Namen werden zusammengeführt <b>über Städte</b>.",
            },
            "n_passages": 42,
        },
    )
