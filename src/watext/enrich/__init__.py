"""Enrichment: what a document is, beyond its text. Language (``language.py``, data
``rules/stopwords.json``), city (``cities.py``, ``rules/cities.jsonl``), document type
(``doctype.py``, ``rules/doc_types.json``) and council-submission header
(``submission.py``). Each module owns its data files in ``rules/``."""

from __future__ import annotations

from pathlib import Path

from watext import __version__
from watext.enrich.cities import detect_city, load_cities
from watext.enrich.doctype import detect_doc_type
from watext.enrich.language import detect_document_language
from watext.enrich.submission import parse_submission
from watext.files import sha256_files
from watext.model import Block, BlockKind, Document, Format

__all__ = ["RULES_DIR", "enrich", "load_cities", "rules_version", "warm_up"]

RULES_DIR = Path(__file__).parent / "rules"


#: Rule files read when tables are built, not at ingest.
TABLE_TIME_RULES = frozenset({"binding.json"})


def rules_version() -> str:
    """Short hash over the enrichment rule files read at ingest (recorded in each document's
    metadata; a change re-enriches). ``binding.json`` is applied when tables are built, so
    changing it re-extracts nothing."""
    return sha256_files(p for p in RULES_DIR.glob("*.json*") if p.name not in TABLE_TIME_RULES)


def enrich(doc: Document, city: str | None, known_cities: list[str]) -> None:
    """Fill language, submission metadata, document type, city and title."""
    doc.language = detect_document_language(b.text for b in doc.blocks)
    submission = parse_submission(doc)
    if submission:
        doc.metadata["submission"] = submission
    doc.doc_type = detect_doc_type(doc, submission)  # parsed once per document, not per detector
    doc.city = detect_city(doc, known_cities, hint=city, submission=submission)
    if submission and submission.get("betreff"):
        doc.title = submission["betreff"]  # the subject, not the department above it
    elif not doc.title:
        doc.title = next(
            (b.text for b in doc.blocks if b.kind in (BlockKind.TITLE, BlockKind.HEADING)),
            None,
        )
    doc.metadata["watext_version"] = __version__
    doc.metadata["rules_version"] = rules_version()


def warm_up() -> None:
    """Load the rule files and compile their patterns now, by enriching two small made-up
    documents (a council submission, a concept): a batch calls it before it forks its file
    workers (:func:`watext.ingest.worker._preload`), so they start with the rules loaded
    instead of each loading them at its first file."""
    known = [c.name for c in load_cities()]
    for text in ("Stadt Musterstadt\nBeschlussvorlage VO/2026/0001\nBeratungsfolge: Stadtrat, 09.12.2026\n"
                 "Die Stadt bietet Sprachkurse und Beratung für Neuzugewanderte an.",
                 "Konzept zur Willkommenskultur\nThe city offers language courses in Musterstadt."):  # fmt: skip
        blocks = [Block(BlockKind.PARAGRAPH, line) for line in text.split("\n")]
        enrich(Document(id="", source="warm-up.txt", format=Format.TEXT, blocks=blocks), None, known)
