"""Training on review corrections: export format, merge, promotion gate, ``watext models``.

Small and fast: 240 gold records from 6 cities, k=3, and a model configuration without
character n-grams (the gate clones whatever configuration the current model has).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from watext.model import Block, BlockKind, Document, Format, Passage
from watext.cli.model import register
from watext.files import write_jsonl
from watext.train.dataset import correction_records, merge_training
from watext.train.evaluate import load_gold
from watext.tag.features import PassageFeaturizer
from watext.train.trainer import train_model
from watext.model import GOAL_LABELS
from watext.tag.tagger import WatextModel
from watext.tag.registry import DEFAULT_NAME, current_version, read_meta

GOLD = Path(__file__).resolve().parents[1] / "corpus" / "gold" / "train.jsonl"
CITIES = ("Bielefeld", "München", "Leipzig", "Münster", "Nürnberg", "Kassel")
PER_CITY = 40
K = 3


def light() -> WatextModel:
    return WatextModel(features=PassageFeaturizer(use_chars=False))


@pytest.fixture(scope="module")
def subset() -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for city in CITIES:
        out += [r for r in rows if r["city"] == city][:PER_CITY]
    assert len(out) == PER_CITY * len(CITIES)
    return out


def unique(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for r in records:
        seen.setdefault(r["text"], r)
    return list(seen.values())


def save_passages(store: Any, records: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Store ``records`` as passages (one document per city); returns text -> passage id."""
    ids = {}
    by_city: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_city.setdefault(r["city"], []).append(r)
    for city, recs in by_city.items():
        blocks = [Block(BlockKind.PARAGRAPH, r["text"], page=1) for r in recs]
        source = f"in/{city}/konzept.pdf"
        doc = Document(id=hashlib.sha256(source.encode()).hexdigest(), source=source,
                       format=Format.PDF, blocks=blocks, city=city, language="de")  # fmt: skip
        offs = doc.block_offsets()
        passages = [Passage(document=doc.id, ordinal=i, text=b.text, start=offs[i], end=offs[i] + len(b.text),
                            kinds=(BlockKind.PARAGRAPH,), blocks=(i,))
                    for i, b in enumerate(blocks)]  # fmt: skip
        store.save_document(doc, passages)
        ids.update({p.text: p.id for p in passages})
    return ids


@pytest.fixture
def db(store: Any) -> Any:
    """The SQLite store of conftest.py."""
    return store


def cli() -> click.Group:
    @click.group()
    def main() -> None:
        pass

    register(main)
    return main


def test_export_round_trips_through_load_gold(db: Any, tmp_path: Path, subset: list[dict[str, Any]]) -> None:
    recs = subset[:5]
    ids = save_passages(db, recs)
    a, b, c = (ids[r["text"]] for r in recs[:3])
    db.save_correction(a, "ana", labels=["humanitaere_hilfe", "kulturelle_vielfalt"], body="fachstelle",
                       body_name="Amt für Integration", topic="massnahme", base_revision=0)  # fmt: skip
    db.save_correction(b, "ben", labels=[], base_revision=0)
    db.save_correction(b, "ana", labels=["standortfoerderung"], base_revision=1)  # latest wins
    db.save_correction(c, "ben", labels=["teilhabe_integration"], base_revision=0)
    db.undo_correction(c, "ben", base_revision=1)  # undone: not exported
    out = tmp_path / "exp" / "corrections.jsonl"
    res = CliRunner().invoke(cli(), ["corrections", "--out", str(out), "--db", f"sqlite:///{tmp_path / 'watext.db'}"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == {"out": str(out), "corrections": 2}
    got = {r["id"]: r for r in load_gold(out)}
    assert set(got) == {a, b}
    ra = got[a]
    assert set(ra) == {"id", "text", "lang", "city", "labels", "body", "body_name", "topic", "reviewer", "revision"}
    assert (ra["text"], ra["lang"], ra["city"]) == (recs[0]["text"], "de", recs[0]["city"])
    assert ra["labels"] == ["kulturelle_vielfalt", "humanitaere_hilfe"]  # taxonomy order
    assert (ra["body"], ra["body_name"], ra["topic"], ra["reviewer"], ra["revision"]) == (
        "fachstelle", "Amt für Integration", "massnahme", "ana", 1)
    assert (got[b]["labels"], got[b]["reviewer"], got[b]["revision"]) == (["standortfoerderung"], "ana", 2)
    assert not list(tmp_path.joinpath("exp").glob(".*"))  # no temp file left behind
    merged, counts = merge_training(subset, list(got.values()))
    assert counts == {"replaced": 2, "appended": 0} and len(merged) == len(subset)


def _wrong_labels(rng: random.Random, gold: Sequence[str]) -> list[str]:
    others = [lab for lab in GOAL_LABELS if lab not in gold]
    return rng.sample(others, k=min(len(others), rng.randint(1, 3)))


def test_harmful_corrections_are_not_promoted(db: Any, tmp_path: Path, subset: list[dict[str, Any]]) -> None:
    gold, root = tmp_path / "gold.jsonl", tmp_path / "models"
    write_jsonl(subset, gold)
    first, _ = train_model(gold, root, k=K, evaluate=False, model=light())
    assert current_version(root) == first.name
    rng = random.Random(0)
    harmed = unique([r for r in subset if r["city"] in CITIES[:4]])  # ~160 passages: wrong labels
    ids = save_passages(db, harmed)
    for r in harmed:
        db.save_correction(ids[r["text"]], "vandal", labels=_wrong_labels(rng, r["labels"]), base_revision=0)

    path, result = train_model(gold, root, k=K, corrections=correction_records(db), model=light())
    promo = result["promotion"]
    meta = read_meta(path)
    print("harmful:", promo)
    assert current_version(root) == first.name  # CURRENT unchanged
    assert promo["promoted"] is False and meta["promoted"] is False
    assert promo["candidate_macro_f1"] < promo["current_macro_f1"]
    assert meta["reason"].startswith("candidate macro-F1") and str(first.name) in meta["reason"]
    assert meta["comparison"]["current_version"] == first.name
    n_gold = sum(r["text"] in ids for r in subset)
    assert meta["corrections"] == {"n": len(harmed), "replaced": n_gold, "appended": 0}
    assert (path / "corrections.jsonl").exists()

    forced, res2 = train_model(gold, root, k=K, corrections=correction_records(db), force=True, model=light())
    assert current_version(root) == forced.name and read_meta(forced)["promoted"] is True
    assert res2["promotion"]["reason"].startswith("forced: ")


def test_helpful_corrections_are_promoted(db: Any, tmp_path: Path, subset: list[dict[str, Any]]) -> None:
    # gold where a reviewer will find that half the labelled passages lost their labels
    damaged = unique([r for r in subset if r["labels"]])[::2]
    lost = {r["text"] for r in damaged}
    gold, root = tmp_path / "gold.jsonl", tmp_path / "models"
    write_jsonl([{**r, "labels": []} if r["text"] in lost else r for r in subset], gold)
    first, _ = train_model(gold, root, k=K, evaluate=False, model=light())
    ids = save_passages(db, damaged)
    for r in damaged:  # the corrections restore the true labels
        db.save_correction(ids[r["text"]], "ana", labels=r["labels"], body=r["body"],
                           body_name=r["body_name"], topic=r["topic"], base_revision=0)  # fmt: skip

    path, result = train_model(gold, root, k=K, corrections=correction_records(db), model=light())
    promo = result["promotion"]
    print("helpful:", promo)
    assert promo["promoted"] is True and read_meta(path)["promoted"] is True
    assert promo["candidate_macro_f1"] >= promo["current_macro_f1"]
    assert current_version(root) == path.name != first.name


def test_models_listing(tmp_path: Path, subset: list[dict[str, Any]]) -> None:
    gold, root = tmp_path / "gold.jsonl", tmp_path / "models"
    write_jsonl(subset, gold)
    v1, _ = train_model(gold, root, k=K, evaluate=False, model=light())
    # same configuration and data: the current arm equals the candidate, promoted (not below)
    v2, res = train_model(gold, root, k=K, model=light())
    assert res["promotion"]["current_macro_f1"] == res["promotion"]["candidate_macro_f1"]
    out = CliRunner().invoke(cli(), ["models", "--root", str(root)])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert [(r["name"], r["version"]) for r in rows] == [(DEFAULT_NAME, v1.name), (DEFAULT_NAME, v2.name)]
    assert set(rows[0]) == {"name", "version", "created", "macro_f1", "n_train", "promoted", "current"}
    assert [r["current"] for r in rows] == [False, True]
    assert rows[0]["macro_f1"] is None and isinstance(rows[1]["macro_f1"], float)
    assert all(r["n_train"] == len(subset) and r["promoted"] is True for r in rows)
