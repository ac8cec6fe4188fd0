"""Document type: structure first (slides, submission header), then title and heading
signals, then the body. The signals are data: ``rules/doc_types.json``."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from watext.enrich.formats import family_doc_type
from watext.enrich.submission import UNPARSED, parse_submission
from watext.errors import ConfigError
from watext.files import read_json
from watext.model import BlockKind, DocType, Document, Format

__all__ = ["detect_doc_type", "title_text"]

_FLAGS = {"i": re.I, "m": re.M}


@lru_cache(maxsize=2)
def _rules(path: str | None = None) -> tuple[tuple[tuple[DocType, re.Pattern[str]], ...], re.Pattern[str]]:
    """The type signals of ``rules/doc_types.json`` in order, and the numbered-question line."""
    p = Path(path) if path else Path(__file__).parent / "rules" / "doc_types.json"
    data = read_json(p)
    try:
        rules = tuple(
            (DocType(r["type"]), re.compile(r["pattern"], sum((_FLAGS[f] for f in r.get("flags", "")), 0)))
            for r in data["rules"]
        )  # fmt: skip
        return rules, re.compile(data["question_line"], re.M)
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise ConfigError(f"{p.name}: invalid document-type rule: {exc}") from exc


def title_text(doc: Document) -> str:
    """The document's title and its first headings (where type and city are named)."""
    heads = [b.text for b in doc.blocks[:8] if b.kind in (BlockKind.TITLE, BlockKind.HEADING)]
    return "\n".join([doc.title or "", *heads[:3]])

def _looks_like_slides(doc: Document) -> bool:
    size = doc.metadata.get("page_size")
    if isinstance(size, (list, tuple)) and len(size) == 2 and size[0] > size[1]:
        return True
    pages = {b.page for b in doc.blocks if b.page is not None}
    if len(pages) < 3:
        return False
    titled = {b.page for b in doc.blocks if b.kind is BlockKind.TITLE}
    chars = sum(len(b.text) for b in doc.blocks) / len(pages)
    return len(titled) >= 0.6 * len(pages) and chars < 700


def detect_doc_type(doc: Document, submission: Any = UNPARSED) -> DocType:
    """Classify a document: structure first, then title/heading signals, then body.
    ``submission``: ``parse_submission(doc)`` when the caller has it already."""
    if doc.format is Format.PPTX:
        return DocType.SLIDES
    sub = parse_submission(doc) if submission is UNPARSED else submission
    if sub is not None:
        family = sub.get("format_family")
        if family is None:
            return DocType.COUNCIL_SUBMISSION
        if (forced := family_doc_type(family)) is not None:
            return DocType(forced)  # a format family of minutes, submissions, …
        # a family without a type (an invitation, a statement): the signals below decide
    rules, question_line = _rules()
    title = title_text(doc)
    for doc_type, pattern in rules:
        if doc_type is not DocType.LETTER and pattern.search(title):
            return doc_type
    if doc.format is Format.PDF and _looks_like_slides(doc):
        return DocType.SLIDES
    body = doc.text[:8000]
    head = body[:1500]
    for doc_type, pattern in rules:
        if doc_type is DocType.CONCEPT:
            continue  # a concept names itself in the title; body mentions are too common
        where = head if doc_type in (DocType.MINUTES, DocType.PRESS_RELEASE) else body
        if pattern.search(where):
            return doc_type
    if len(question_line.findall(body)) >= 3 and re.search(r"Willkommens|[Ww]elcom", body):
        return DocType.SURVEY_ANSWER
    return DocType.OTHER
