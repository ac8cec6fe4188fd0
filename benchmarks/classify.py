"""Throughput of ``WatextModel.predict`` (spaCy preprocessing included) vs a TF-IDF-only
baseline (word 1–2-grams + one-vs-rest LogisticRegression, no spaCy), in the same run.

    python benchmarks/classify.py [N] [REPEATS]

One process, one thread of work (numbers are per core; pin it with ``taskset -c 0`` for a
steadier figure). Each repeat predicts N new passages (fresh numbers in every text, the
analysis cache cleared: nothing is a cache hit), model and baseline one after the other;
the best repeat of each counts, as wall-clock and as CPU time of the process.
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

from watext.model import GOAL_LABELS
from watext.tag import analysis
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


def synth(n: int, seed: int, tag: str = "") -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        labels = rng.sample(GOAL_LABELS, rng.choice([0, 1, 1, 2]))
        words = [rng.choice(PHRASES[lab]) for lab in labels] + rng.sample(FILLER, rng.randint(1, 4))
        rng.shuffle(words)
        text = " ".join(words) + f" (Nr. {tag}{i})"  # unique texts: no analysis-cache hits
        out.append({"id": str(i), "text": text, "lang": "en" if "the" in text else "de",
                    "city": f"c{i % 7}", "labels": labels, "body": None, "topic": None})
    return out


def _timed(fn) -> tuple[float, float]:
    w, c = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w, time.process_time() - c


def main(n: int = 5000, repeats: int = 5) -> None:
    train = synth(1000, 0)
    model = WatextModel().fit(train)
    Y = np.array([[int(lab in r["labels"]) for lab in GOAL_LABELS] for r in train])
    base = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                         OneVsRestClassifier(LogisticRegression(solver="liblinear")))
    base.fit([r["text"] for r in train], Y)

    t_model, t_base = [], []
    for rep in range(repeats):
        test = synth(n, 1 + rep, tag=f"{rep + 1}-")
        analysis._cache.clear()
        t_model.append(_timed(lambda test=test: model.predict(test)))
        t_base.append(_timed(lambda test=test: base.predict_proba([r["text"] for r in test])))
    (mw, mc), (bw, bc) = [tuple(min(x) for x in zip(*t)) for t in (t_model, t_base)]
    print(f"passages: {n} x {repeats} repeats (best), one process")
    print(f"{'':49s} {'wall':>10s} {'cpu':>10s}  passages/s")
    print(f"watext model (spaCy + features + 3 classifiers): {n / mw:10.0f} {n / mc:10.0f}")
    print(f"tf-idf word n-grams + LR OvR baseline:           {n / bw:10.0f} {n / bc:10.0f}")
    print(f"ratio model/baseline (cpu): {bc / mc:.3f} (baseline is {mc / bc:.1f}x faster)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
