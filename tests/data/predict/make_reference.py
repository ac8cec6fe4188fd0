"""How tests/data/predict/reference.jsonl.gz was written (run from the repo root, with the
code path to be taken as reference): python tests/data/predict/make_reference.py"""
import gzip
import json
from pathlib import Path

import numpy as np

from watext.files import read_jsonl
from watext.tag.analysis import analyze, as_pairs
from watext.tag.registry import load_model, resolve_model_dir

ROOT = Path(__file__).resolve().parents[3]
SPLITS = ("train", "heldout", "ood", "table_test")
model, meta = load_model(resolve_model_dir(None, ROOT / "models"))
records = []
for split in SPLITS:
    for _, obj in read_jsonl(ROOT / "corpus" / "gold" / f"{split}.jsonl"):
        records.append({"id": obj["id"], "text": obj["text"], "lang": obj.get("lang"), "split": split})
preds = model.predict(records)
# raw arrays, exactly as the old predict computes them
pairs = as_pairs(records)
docs = analyze(pairs)
X = model.features_.transform(docs)
Xg, negated = model._goal_matrix(pairs, X)
proba = model.goals_.predict_proba(Xg)
proba[np.asarray(negated, dtype=bool)] = 0.0
bp = model.body_.predict_proba(X)
tp = model.topic_.predict_proba(X)
out = ROOT / "tests" / "data" / "predict" / "reference.jsonl.gz"
with gzip.open(out, "wt", encoding="utf-8", compresslevel=9) as fh:
    fh.write(json.dumps({"model": meta.get("version"), "splits": SPLITS, "n": len(records)}) + "\n")
    for i, (r, p) in enumerate(zip(records, preds)):
        assert p["scores"] == {lab: round(float(proba[i, j]), 4) for j, lab in enumerate(model.labels_)}
        fh.write(json.dumps({
            "split": r["split"], "id": r["id"], "labels": p["labels"],
            "raw": [round(float(v), 9) for v in proba[i]],
            "scores": p["scores"], "body": p["body"], "body_name": p["body_name"], "topic": p["topic"],
            "body_proba": [round(float(v), 9) for v in bp[i]],
            "topic_proba": [round(float(v), 9) for v in tp[i]],
        }, ensure_ascii=False) + "\n")
print(len(records), out, out.stat().st_size, meta.get("version"))
