"""Tests for corpus/build.py and corpus/check_roundtrip.py on a tiny fixture corpus.

The fixture (tests/data/corpus/<split>/*.json) covers every output format: a council
submission as PDF, a slide deck as PDF and as PPTX, a survey answer as DOCX, a press
release as HTML and a letter as text.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "data" / "corpus"
CONTRACT = ["id", "text", "lang", "city", "labels", "body", "body_name", "topic"]


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "corpus" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve annotations via sys.modules
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def builder():
    return _load("build")


@pytest.fixture(scope="module")
def built(builder, tmp_path_factory):
    base = tmp_path_factory.mktemp("corpus")
    res = builder.build(FIXTURE, base / "docs", base / "gold", strict=True)
    return base, res


def _sources() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(FIXTURE.glob("*/*.json"))]


def test_fixture_covers_every_format():
    assert {d["format"] for d in _sources()} == {"pdf", "pptx", "docx", "html", "txt"}


def test_files_exist_and_open(built):
    base, res = built
    docs = base / "docs"
    expected = {docs / d["split"] / f"{d['id']}.{d['format']}" for d in _sources()}
    assert set(res.written) == expected
    for path in expected:
        assert path.is_file() and 0 < path.stat().st_size < 100_000, path
        if path.suffix == ".pdf":
            pdfplumber = pytest.importorskip("pdfplumber")
            with pdfplumber.open(path) as pdf:
                text = "\n".join(page.extract_text() or "" for page in pdf.pages)
                assert f"Seite 1 von {len(pdf.pages)}" in text
                if "folien" in path.name:  # slides: landscape, one page per section + title
                    assert all(p.width > p.height for p in pdf.pages) and len(pdf.pages) == 3
                else:
                    assert "Vorlagenart" in text and "05.04.2016" in text and "TOP-Nr." in text
        elif path.suffix == ".pptx":
            from pptx import Presentation

            prs = Presentation(str(path))
            assert len(prs.slides) == 3  # title slide + two sections
            assert any(s.has_notes_slide and "Speak slowly" in s.notes_slide.notes_text_frame.text
                       for s in prs.slides)
            assert any(sh.has_table for s in prs.slides for sh in s.shapes)
        elif path.suffix == ".docx":
            import docx

            d = docx.Document(str(path))
            styles = {p.style.name for p in d.paragraphs}
            assert {"Title", "Heading 1", "List Bullet"} <= styles
            assert len(d.tables) == 1
        elif path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            assert '<meta charset="utf-8">' in text and "<h2>Programm</h2>" in text
            assert "&lt;Bürgerinnen und Bürger&gt;" in text and "<table>" in text
        else:
            text = path.read_text(encoding="utf-8")
            assert text.startswith("Subject: Re: Survey on welcome culture\n")
            assert "\n  - run with the police\n" in text


def test_gold_lines_contract_and_sequential_ids(built):
    base, res = built
    by_id = {d["id"]: d for d in _sources()}
    total = 0
    for split in ("train", "table_test", "ood"):
        lines = (base / "gold" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines]
        total += len(rows)
        counters: dict[str, int] = {}
        for row in rows:
            assert list(row)[:8] == CONTRACT
            doc = by_id[row["doc"]]
            n = counters.get(row["doc"], 0)
            assert row["id"] == f"{row['doc']}-{n:03d}"
            counters[row["doc"]] = n + 1
            assert row["lang"] == doc["lang"] and row["city"] == doc["city"]
            assert doc["split"] == split
            assert {"kind", "doc_type", "author"} <= set(row)
        for doc_id, n in counters.items():
            assert n == sum(len(s["passages"]) for s in by_id[doc_id]["sections"])
    assert total == sum(len(s["passages"]) for d in _sources() for s in d["sections"])
    stats = (base / "gold" / "STATS.md").read_text(encoding="utf-8")
    assert "## Targets" in stats and "✗" in stats  # a tiny fixture misses the size targets


def _bad_copy(tmp_path: Path, mutate) -> Path:
    src = tmp_path / "src"
    (src / "train").mkdir(parents=True)
    doc = copy.deepcopy(json.loads((FIXTURE / "train" / "t-osnabrueck-bv-2016-test.json").read_text("utf-8")))
    mutate(doc)
    (src / "train" / f"{doc['id']}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return src


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["sections"][1]["passages"][0]["labels"].append("willkommen"), "unknown label"),
        (lambda d: d["sections"][0]["passages"][0].update(body_name="Ausländerbehörde"), "does not occur verbatim"),
        (lambda d: d["sections"][0]["passages"][0].update(kind="bullet"), "kind"),
        (lambda d: d["sections"][0]["passages"][0].update(topic="massnahmen"), "topic"),
        (lambda d: d["sections"][0]["passages"][0].update(body="amt"), "body"),
    ],
)
def test_validation_rejects_bad_source(builder, tmp_path, mutate, message):
    src = _bad_copy(tmp_path, mutate)
    loaded = builder.load_sources(src)
    assert loaded.docs == [] and len(loaded.invalid) == 1
    path, errors = loaded.invalid[0]
    assert path.name == "t-osnabrueck-bv-2016-test.json"
    assert any(message in e and "passages[" in e for e in errors), errors
    with pytest.raises(builder.SourceError, match="t-osnabrueck-bv-2016-test.json"):
        builder.load_sources(src, strict=True)
    # the CLI skips the file by default (non-zero exit, count in the summary) ...
    assert builder.main(["--src", str(src), "--out", str(tmp_path / "d"), "--gold", str(tmp_path / "g")]) == 1
    assert "Invalid source files skipped: 1" in (tmp_path / "g" / "STATS.md").read_text("utf-8")
    # ... and stops with --strict
    assert builder.main(["--src", str(src), "--out", str(tmp_path / "d"), "--gold", str(tmp_path / "g"),
                         "--strict"]) == 2


def test_validation_rejects_duplicate_ids(builder, tmp_path):
    src = _bad_copy(tmp_path, lambda d: None)
    (src / "ood").mkdir()
    doc = json.loads((src / "train" / "t-osnabrueck-bv-2016-test.json").read_text("utf-8"))
    doc["split"] = "ood"
    (src / "ood" / "t-osnabrueck-bv-2016-test.json").write_text(json.dumps(doc), encoding="utf-8")
    loaded = builder.load_sources(src)
    assert len(loaded.docs) == 1 and "duplicate id" in loaded.invalid[0][1][0]


def test_rebuild_is_byte_identical(builder, built, tmp_path):
    base, res = built
    again = builder.build(FIXTURE, tmp_path / "docs", tmp_path / "gold")
    assert len(again.written) == len(res.written)
    for path in again.written:
        rel = path.relative_to(tmp_path / "docs")
        assert path.read_bytes() == (base / "docs" / rel).read_bytes(), rel
    for name in ("train.jsonl", "table_test.jsonl", "ood.jsonl", "STATS.md"):
        assert (tmp_path / "gold" / name).read_bytes() == (base / "gold" / name).read_bytes()


def test_roundtrip_through_process_file(built, capsys):
    pytest.importorskip("spacy")
    base, _res = built
    check = _load("check_roundtrip")
    results = check.roundtrip(base / "docs", base / "gold")
    assert len(results) == len(_sources())
    assert all(r.error is None for r in results), [(r.doc, r.error) for r in results]
    recall = check.report(results, verbose=True)
    assert recall >= 0.9, capsys.readouterr().out
