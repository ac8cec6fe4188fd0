"""``pdf_layout.group_lines`` (and ``Line.from_words``) as sped up give exactly the lines of the
plain versions kept here, on random words: sizes missing or odd, words on and off baselines,
overlapping letterheads, bold and regular fonts; likewise ``pdf._outside`` (words around tables)."""

from __future__ import annotations

import random
import re
from typing import Any

from watext.extract import pdf
from watext.extract.normalize import clean_text
from watext.extract.pdf_layout import Line, _split_interleaved, group_lines

_BOLD = re.compile(r"bold|black|heavy|semibold|demi|,b$", re.IGNORECASE)


def _plain_line(words: list[dict[str, Any]]) -> tuple[Any, ...]:
    chars = [(len(w["text"]), float(w.get("size") or 0.0), w.get("fontname", "")) for w in words]
    total = sum(n for n, _, _ in chars) or 1
    sizes = sorted((s, n) for n, s, _ in chars)
    acc, size = 0, sizes[-1][0]
    for s, n in sizes:
        acc += n
        if acc * 2 >= total:
            size = s
            break
    bold_chars = sum(n for n, _, f in chars if _BOLD.search(f or ""))
    return (clean_text(" ".join(w["text"] for w in words)), min(w["x0"] for w in words), max(w["x1"] for w in words),
            min(w["top"] for w in words), max(w["bottom"] for w in words), size, bold_chars / total >= 0.6,
            [w["i"] for w in words])  # fmt: skip


def _plain_group_lines(words: list[dict[str, Any]], gap_factor: float = 2.5) -> list[tuple[Any, ...]]:
    if not words:
        return []
    ordered = sorted(words, key=lambda w: (w["bottom"], w["x0"]))
    clusters: list[list[dict[str, Any]]] = [[ordered[0]]]
    for w in ordered[1:]:
        ref = clusters[-1][0]
        tol = 0.35 * min(float(w.get("size") or 10), float(ref.get("size") or 10))
        if w["bottom"] - ref["bottom"] <= tol:
            clusters[-1].append(w)
        else:
            clusters.append([w])
    lines = []
    for cluster in _split_interleaved(clusters):
        cluster.sort(key=lambda w: w["x0"])
        segment = [cluster[0]]
        for w in cluster[1:]:
            size = max(float(w.get("size") or 10), 4.0)
            if w["x0"] - segment[-1]["x1"] > gap_factor * size:
                lines.append(_plain_line(segment))
                segment = [w]
            else:
                segment.append(w)
        lines.append(_plain_line(segment))
    lines = [ln for ln in lines if ln[0]]
    lines.sort(key=lambda ln: (round(ln[3]), ln[1]))
    return lines


def _as_tuple(line: Line) -> tuple[Any, ...]:
    return (line.text, line.x0, line.x1, line.top, line.bottom, line.size, line.bold, [w["i"] for w in line.words])


def _words(rng: random.Random) -> list[dict[str, Any]]:
    words = []
    for _ in range(rng.randint(0, 40)):
        size = rng.choice([None, 0, 8.0, 10.0, 10.5, 12.0, 24.0, "9"])
        x0 = rng.choice([rng.uniform(0, 500), float(rng.randrange(0, 500, 10))])
        bottom = rng.choice([100.0, 101.0, 103.5, 104.0, 112.0, 140.0]) + rng.choice([0.0, 0.5, 2.9, 3.5])
        word = {"text": rng.choice(["Die", "Stadt", "ﬁ", "", " ", "a  b", "Straße", "1."]), "x0": x0,
                "x1": x0 + rng.choice([0.0, 5.0, 30.0, 80.0]), "top": bottom - 10, "bottom": bottom,
                "fontname": rng.choice(["Arial", "Arial-Bold", "Times,B", "", None]), "i": len(words)}  # fmt: skip
        if size is not None:
            word["size"] = size
        words.append(word)
    return words


def test_group_lines_matches_the_plain_version() -> None:
    rng = random.Random(13)
    for _ in range(3_000):
        words = _words(rng)
        want = _plain_group_lines([dict(w) for w in words])
        got = [_as_tuple(ln) for ln in group_lines([dict(w) for w in words])]
        assert got == want


def test_outside_matches_the_plain_test() -> None:
    rng = random.Random(2)
    for _ in range(2_000):
        words = _words(rng)
        boxes = [(rng.randrange(0, 400, 10) + 1.0, rng.choice([96.0, 97.0, 100.0]), rng.randrange(100, 520, 10) - 1.0,
                  rng.choice([94.0, 98.0, 134.0])) for _ in range(rng.randint(0, 3))]  # on the centres: ±1 pt  # fmt: skip

        def inside(w: dict[str, Any], b: Any) -> bool:
            cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
            return b[0] - 1 <= cx <= b[2] + 1 and b[1] - 1 <= cy <= b[3] + 1

        assert pdf._outside(words, boxes) == [w for w in words if not any(inside(w, b) for b in boxes)]
