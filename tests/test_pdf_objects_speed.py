"""The path scan's rectangle shortcut (``pdf_objects._rectangle``) gives exactly the edges of the
general subpath steps: random five-segment subpaths, mostly rectangles in all orientations and
under all kinds of matrices, go through ``_subpath`` with and without the shortcut."""

from __future__ import annotations

import random

import pytest

from watext.extract import pdf_objects as po

_MOVE, _LINE, _CURVE = po._MOVETO, 0, po._BEZIERTO


def _matrix(rng: random.Random) -> tuple[float, ...]:
    kind = rng.randrange(5)
    e, f = rng.uniform(-50, 700), rng.uniform(-50, 900)
    if kind == 0:
        return (1.0, 0.0, 0.0, -1.0, e, f)  # pdfplumber's flip
    if kind == 1:
        return (0.0, 1.0, 1.0, 0.0, e, f)  # rotated page
    if kind == 2:
        s = rng.choice([0.1, 0.5, 1 / 3, 2.0, 0.75])
        return (s, 0.0, 0.0, -s, e, f)
    if kind == 3:
        return (1.0, rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01), -1.0, e, f)  # skewed
    return tuple(rng.uniform(-2, 2) for _ in range(4)) + (e, f)


def _subpath(rng: random.Random) -> list[tuple[float, float, int, int]]:
    x0, y0 = (rng.choice([rng.uniform(0, 600), float(rng.randrange(600)), rng.randrange(6000) / 7]) for _ in "xy")
    w, h = rng.choice([rng.uniform(-200, 200), 0.0, 1 / 3, 0.0004]), rng.choice([rng.uniform(-200, 200), 0.0, 0.1])
    pts = [(x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0)]
    if rng.random() < 0.5:
        pts = [(x0, y0), (x0, y0 + h), (x0 + w, y0 + h), (x0 + w, y0), (x0, y0)]  # the other way round
    if rng.random() < 0.2:  # not quite a rectangle
        k = rng.randrange(5)
        pts[k] = (pts[k][0] + rng.choice([1e-9, 0.001, 1.0]), pts[k][1])
    kinds = [_MOVE, _LINE, _LINE, _LINE, _LINE]
    closes = [0, 0, 0, 0, 1]
    if rng.random() < 0.3:
        kinds[rng.randrange(5)] = rng.choice([_MOVE, _LINE, _CURVE, -1])
    if rng.random() < 0.3:
        closes[rng.randrange(5)] = rng.choice([0, 1, 2])
    return [(float(x), float(y), k, c) for (x, y), k, c in zip(pts, kinds, closes, strict=True)]


def test_rectangle_shortcut_matches_the_general_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(42)
    cases = [(_subpath(rng), _matrix(rng)) for _ in range(30_000)]
    fast = []
    for segs, m in cases:
        out: list[po.Edge] = []
        po._subpath(segs, m, out)
        fast.append(out)
    monkeypatch.setattr(po, "_rectangle", lambda *args: False)
    taken = 0
    for (segs, m), got in zip(cases, fast, strict=True):
        out = []
        po._subpath(segs, m, out)
        assert repr(got) == repr(out), (segs, m)
        taken += len(out) == 4
    assert taken > 5_000  # the shortcut's case is well covered
