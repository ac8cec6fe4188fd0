"""The model commands end to end: train, predict, evaluate, classify (in-process, no flow)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from watext.cli import main
from watext.model import Block, BlockKind, DocType, Document, Format, Passage
from watext.store import open_store
from watext.model import GOAL_LABELS

MINI = Path(__file__).parent / "data" / "gold" / "mini.jsonl"


def _invoke(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout


@pytest.fixture(scope="module")
def model_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    code, out = _invoke("train", "--corpus", str(MINI), "--out", str(root), "--folds", "3", "--no-flow")
    assert code == 0
    (row,) = [json.loads(line) for line in out.splitlines()]
    assert Path(row["model"]).parent == root / "watext-goals"
    return root / "watext-goals"


def test_cli_predict_jsonl(model_root: Path) -> None:
    lines = [{"id": "a", "text": "Sprachkurse für Geflüchtete", "lang": "de"},
             {"id": "b", "text": "Brescia: Dezernat für Inklusion und Migration"},
             {"id": "c", "text": "Agenda item 4: approval of the minutes", "lang": "en"}]
    code, out = _invoke("predict", "--model", str(model_root),
                        input="\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    for r in rows:
        assert set(r) == {"id", "labels", "scores", "body", "body_name", "topic"}
        assert list(r["scores"]) == list(GOAL_LABELS)
    if rows[1]["body"] == "fachstelle":
        assert rows[1]["body_name"] == "Dezernat für Inklusion und Migration"


def test_cli_evaluate_json_and_table(model_root: Path) -> None:
    code, out = _invoke("evaluate", "--gold", str(MINI), "--model", str(model_root), "--json")
    assert code == 0
    (res,) = [json.loads(line) for line in out.splitlines()]
    assert res["mode"] == "held-out" and res["n"] == 62
    assert set(res["model"]["per_label"]) == set(GOAL_LABELS) and "margin" in res
    code, out = _invoke("evaluate", "--gold", str(MINI), "--model", str(model_root))
    assert code == 0 and "macro-F1" in out and "base F1" in out


def _doc(salt: str) -> tuple[Document, list[Passage]]:
    texts = ["Die Interkulturelle Woche findet im September statt.",
             "Zuständig ist das Amt für Integration und Migration.", "TOP 3"]
    blocks = [Block(BlockKind.PARAGRAPH, t, page=1) for t in texts]
    doc = Document(id=hashlib.sha256(salt.encode()).hexdigest(), source=f"in/{salt}.txt",
                   format=Format.TEXT, blocks=blocks, city="Darmstadt", doc_type=DocType.CONCEPT,
                   language="de")
    offs = doc.block_offsets()
    passages = [Passage(document=doc.id, ordinal=i, text=t, start=offs[i], end=offs[i] + len(t),
                        kinds=(BlockKind.PARAGRAPH,), blocks=(i,)) for i, t in enumerate(texts)]
    return doc, passages


def test_cli_classify_store(model_root: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    with open_store(url) as store:
        store.save_document(*_doc("one"))
    code, out = _invoke("classify", "--db", url, "--model", str(model_root), "--batch", "2", "--no-flow")
    assert code == 0
    assert json.loads(out)["classified"] == 3
    code, out = _invoke("classify", "--db", url, "--model", str(model_root), "--no-flow")
    assert json.loads(out)["classified"] == 0  # nothing left for this version
    with open_store(url) as store:
        store.save_document(*_doc("two"))
        preds = list(store.predictions("watext-goals"))
        assert len(preds) == 3 and len({p.model_version for p in preds}) == 1
        assert sum(len(b) for b in store.passages_without_prediction("watext-goals", preds[0].model_version)) == 3
