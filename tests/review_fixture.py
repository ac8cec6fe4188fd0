"""A small store for the review tests: a survey answer document (question 1 and its
answers, one with hostile text) plus a second city's concept, with predictions; and what
the German review page must not show (old English words, raw label ids)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from watext.model import Block, BlockKind, DocType, Document, Format, Passage, Prediction
from watext.pipeline import mark_questions
from watext.store import Store

MODEL, VERSION = "watext-goals", "20990101-000000"
THRESHOLDS = {"kulturelle_vielfalt": 0.5, "teilhabe_integration": 0.4, "anti_diskriminierung": 0.5,
              "humanitaere_hilfe": 0.5, "dienstleistungsorientierung": 0.5, "standortfoerderung": 0.5}
Q1 = "1. Was wird in Ihrer Stadt unter Willkommens- und Anerkennungskultur verstanden?"
ANSWER = "Wir verstehen darunter eine offene Stadtgesellschaft, die Vielfalt als Stärke begreift."
XSS = 'Vielfalt <script>alert(1)</script> und <img src=x onerror="alert(2)"> feiern'


def make_doc(source: str, city: str, texts: list[str]) -> tuple[Document, list[Passage]]:
    blocks = [Block(BlockKind.PARAGRAPH, t, page=i + 1) for i, t in enumerate(texts)]
    doc = Document(id=hashlib.sha256(source.encode()).hexdigest(), source=source, format=Format.PDF,
                   blocks=blocks, title=f"Antwort {city}", city=city, doc_type=DocType.SURVEY_ANSWER,
                   language="de", pages=len(texts), size=100, metadata={})  # fmt: skip
    text, offs = doc.text, doc.block_offsets()
    passages = [Passage(document=doc.id, ordinal=i, text=b.text, start=offs[i], end=offs[i] + len(b.text),
                        heading=(), page=b.page, kinds=(BlockKind.PARAGRAPH,), blocks=(i,))
                for i, b in enumerate(blocks)]  # fmt: skip
    assert all(text[p.start:p.end] == p.text for p in passages)
    return doc, passages


def pred(pid: str, scores: dict[str, float], topic: str | None = None) -> Prediction:
    """The fixture model's prediction: labels are the goals at or over their threshold."""
    labels = tuple(g for g, s in scores.items() if s >= THRESHOLDS[g])
    full = {g: scores.get(g, 0.01) for g in THRESHOLDS}
    return Prediction(pid, MODEL, VERSION, labels, full, topic=topic)


def fill(store: Store, tmp: Path) -> dict[str, str]:
    """Fill ``store``; write a model dir under ``tmp``; returns named passage ids."""
    d1, p1 = make_doc("/data/in/Darmstadt/antwort.pdf", "Darmstadt", [Q1, ANSWER, XSS, "Mit freundlichen Grüßen"])
    d2, p2 = make_doc("/data/in/Bursa/konzept.pdf", "Bursa", ["Language courses for refugees.",
                                                              "Shelters for people in need."])
    store.save_document(d1, p1)
    store.save_document(d2, p2)
    mark_questions(store, [d1.id, d2.id])  # the survey structure, as classify stores it
    ids = {"q1": p1[0].id, "answer": p1[1].id, "xss": p1[2].id, "closing": p1[3].id,
           "bursa0": p2[0].id, "bursa1": p2[1].id}  # fmt: skip
    store.save_predictions([
        pred(ids["answer"], {"kulturelle_vielfalt": 0.52}),          # uncertainty 0.02 (closest)
        pred(ids["xss"], {"kulturelle_vielfalt": 0.9}),              # 0.1 … (others 0.01 vs .4/.5)
        pred(ids["bursa0"], {"teilhabe_integration": 0.45}),         # 0.05
        pred(ids["bursa1"], {"humanitaere_hilfe": 0.99, "kulturelle_vielfalt": 0.2}),
        pred(ids["q1"], {}), pred(ids["closing"], {}),
    ])  # fmt: skip
    mdir = tmp / "model"
    mdir.mkdir(exist_ok=True)
    (mdir / "meta.json").write_text(json.dumps({"name": MODEL, "version": VERSION, "thresholds": THRESHOLDS}))
    ids["model_dir"] = str(mdir)
    return ids


#: Words of the old English page that must not come back (whole words, any case).
ENGLISH = re.compile(r"\b(queue|statistics|lane|save|accept|undo|reviewer|log in|skip|back|goals?|topic|body|"
                     r"history|model|city|document|precision|agreement|adjudication|change|none|any|"
                     r"unreviewed|reviewed|uncertain|random|tables|source file|page|passages)\b", re.IGNORECASE)
RAW_KEYS = ("verstaendnis", "leitfaden", "massnahme", "zustaendigkeit", "finanzierung", "best_practice",
            "fachstelle", "chefsache", "querschnittsaufgabe", "kulturelle_vielfalt", "humanitaere_hilfe")
