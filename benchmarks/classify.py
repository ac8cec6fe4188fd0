"""Throughput of ``WatextModel.predict`` (spaCy preprocessing included) vs a TF-IDF-only
baseline (word 1–2-grams + one-vs-rest LogisticRegression, no spaCy), in the same run.

    python benchmarks/classify.py [N]
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline

from watext.tag import analysis
from watext.model import GOAL_LABELS
from watext.tag.tagger import WatextModel

PHRASES = {
    "kulturelle_vielfalt": ["Die Interkulturelle Woche", "the festival of cultures", "Vielfalt sichtbar machen"],
    "teilhabe_integration": ["Sprachkurse für Neuzugewanderte", "the migrant advisory council", "Integrationslotsen begleiten"],
    "anti_diskriminierung": ["Beratung gegen Diskriminierung", "campaigns against racism", "eine Beschwerdestelle"],
    "humanitaere_hilfe": ["Unterbringung von Geflüchteten", "volunteers support refugees", "Patenschaften für Flüchtlinge"],
    "dienstleistungsorientierung": ["eine Willkommensmappe", "a multilingual information portal", "der Dolmetscherservice"],
    "standortfoerderung": ["Fachkräfte gewinnen", "attract international researchers", "mit der IHK"],
}
FILLER = ["Die Stadt", "In 2016", "Zuständig ist das Amt für Bildung und Soziales.", "The council",
          "wird fortgesetzt", "is funded by the city", "TOP 4", "Beratungsfolge: Ausschuss"]


def synth(n: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        labels = rng.sample(GOAL_LABELS, rng.choice([0, 1, 1, 2]))
        words = [rng.choice(PHRASES[lab]) for lab in labels] + rng.sample(FILLER, rng.randint(1, 4))
        rng.shuffle(words)
        text = " ".join(words) + f" (Nr. {i})"  # unique texts: no analysis-cache hits
        out.append({"id": str(i), "text": text, "lang": "en" if "the" in text else "de",
                    "city": f"c{i % 7}", "labels": labels, "body": None, "topic": None})
    return out


def main(n: int = 5000) -> None:
    train, test = synth(1000, 0), synth(n, 1)
    model = WatextModel().fit(train)
    Y = np.array([[int(lab in r["labels"]) for lab in GOAL_LABELS] for r in train])
    base = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                         OneVsRestClassifier(LogisticRegression(solver="liblinear")))
    base.fit([r["text"] for r in train], Y)

    analysis._cache.clear()
    t0 = time.perf_counter()
    model.predict(test)
    t_model = time.perf_counter() - t0
    t0 = time.perf_counter()
    base.predict_proba([r["text"] for r in test])
    t_base = time.perf_counter() - t0
    print(f"passages: {n}")
    print(f"watext model (spaCy + features + 3 classifiers): {n / t_model:10.0f} passages/s")
    print(f"tf-idf word n-grams + LR OvR baseline:           {n / t_base:10.0f} passages/s")
    print(f"ratio model/baseline: {t_base / t_model:.3f} (baseline is {t_model / t_base:.1f}x faster)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
