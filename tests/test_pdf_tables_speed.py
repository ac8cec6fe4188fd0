"""The table finder's and the word builder's fast steps give exactly what the straightforward code
gives: ``pdf_tables._cells_to_tables`` against pdfplumber's ``cells_to_tables``, and
``pdf_words.char_dicts`` / ``upright_words`` against the plain versions kept here, on random input."""

from __future__ import annotations

import random
from itertools import pairwise
from operator import itemgetter
from typing import Any

from pdfplumber.table import cells_to_tables

from watext.extract import pdf_tables, pdf_words
from watext.extract.pdf_tables import centred


def _cells(rng: random.Random) -> list[tuple[float, float, float, float]]:
    """Cells of a few grids (some touching, some apart) plus strays, in random order."""
    cells = []
    for _ in range(rng.randint(0, 3)):
        x, y = rng.choice([0.0, 100.0, 250.5]), rng.choice([0.0, 80.0, 300.25])
        xs = sorted({x + rng.choice([0, 10, 20, 35.5, 50, 70]) for _ in range(rng.randint(2, 5))})
        ys = sorted({y + rng.choice([0, 12, 24, 36.75, 48]) for _ in range(rng.randint(2, 5))})
        for a, b in pairwise(xs):
            for c, d in pairwise(ys):
                if rng.random() < 0.85:
                    cells.append((a, c, b, d))
    for _ in range(rng.randint(0, 4)):
        a, c = rng.choice([0.0, 10.0, 100.0, 500.0]), rng.choice([0.0, 12.0, 80.0, 600.0])
        cells.append((a, c, a + rng.choice([5.0, 10.0]), c + rng.choice([6.0, 12.0])))
    if rng.random() < 0.2 and cells:
        cells.append(rng.choice(cells))  # an equal cell twice
    rng.shuffle(cells)
    return cells


def test_cells_to_tables_matches_pdfplumber() -> None:
    rng = random.Random(3)
    for _ in range(3_000):
        cells = _cells(rng)
        assert repr(pdf_tables._cells_to_tables(list(cells))) == repr(cells_to_tables(list(cells))), cells


def _runs(rng: random.Random) -> list[Any]:
    runs = []
    for _ in range(rng.randint(1, 6)):
        key = (rng.random() < 0.9, rng.choice([8.0, 10.0, 12.5]), rng.choice(["Arial", "Arial,Bold"]))
        run = []
        for _ in range(rng.randint(1, 40)):
            x0 = rng.choice([rng.uniform(0, 500), float(rng.randrange(0, 500, 5))])
            top = rng.choice([100.0, 101.5, 103.0, 104.0, 110.0, 200.0, rng.uniform(90, 210)])
            text = rng.choice(["a", "bc", "Wort", " ", "-", "\xa0", "x"])
            run.append((x0, x0 + rng.choice([0.0, 2.5, 5.0, 20.0]), top, top + key[1], text))
        runs.append((key, run))
    return runs


def _char_dicts(runs: list[Any], boxes: list[Any]) -> list[dict[str, Any]]:
    return [
        {"text": c[4], "x0": c[0], "x1": c[1], "top": c[2], "bottom": c[3], "doctop": c[2],
         "width": c[1] - c[0], "height": c[3] - c[2], "upright": upright, "size": size, "fontname": name}
        for (upright, size, name), run in runs for c in run
        if centred(c, boxes)
    ]  # fmt: skip


def _upright_words(run: list[Any], size: float, name: str, out: list[dict[str, Any]]) -> None:
    tops = sorted({c[2] for c in run})
    cluster: dict[float, int] = {}
    group, last = 0, tops[0]
    for t in tops:
        group += t > last + 3
        cluster[t], last = group, t
    lines: list[list[Any]] = [[] for _ in range(group + 1)]
    for c in sorted(run, key=itemgetter(0)):
        lines[cluster[c[2]]].append(c)
    for line in lines:
        word: list[Any] = []
        for c in line:
            if c[4].isspace():
                word = []
            elif word and not (c[0] < word[-1][0] or c[0] > word[-1][1] + 3 or abs(c[2] - word[-1][2]) > 3):
                word.append(c)
                out[-1] = _merge(word, size, name)
            else:
                word = [c]
                out.append(_merge(word, size, name))


def _merge(chars: list[Any], size: float, name: str) -> dict[str, Any]:
    x0, x1, top, bottom, text = zip(*chars, strict=True)
    return {"text": "".join(text), "x0": min(x0), "x1": max(x1), "top": min(top), "bottom": max(bottom),
            "size": size, "fontname": name}  # fmt: skip


def test_char_dicts_and_upright_words_match_plain_versions() -> None:
    rng = random.Random(11)
    for _ in range(3_000):
        runs = _runs(rng)
        boxes = [(rng.uniform(0, 300), rng.uniform(80, 150), rng.uniform(200, 520), rng.uniform(100, 220))
                 if rng.random() < 0.5 else  # or on the characters' centres (multiples of 1.25) and tops
                 (rng.randrange(240) * 1.25, rng.choice([100.0, 104.0, 110.0]) + rng.choice([0.0, 4.0, 5.0, 6.25]),
                  rng.randrange(160, 420) * 1.25, rng.choice([104.0, 110.0, 200.0]) + rng.choice([5.0, 6.25, 100.0]))
                 for _ in range(rng.randint(0, 3))]  # fmt: skip
        assert repr(pdf_words.char_dicts(runs, boxes)) == repr(_char_dicts(runs, boxes))
        for (_, size, name), run in runs:
            got: list[dict[str, Any]] = []
            want: list[dict[str, Any]] = []
            pdf_words.upright_words(run, size, name, got)
            _upright_words(run, size, name, want)
            assert repr(got) == repr(want), run


def _grid_edges(rng: random.Random) -> tuple[list[Any], list[float], list[float]]:
    xs = sorted({rng.randrange(10, 120) * 5.0 for _ in range(rng.randint(2, 7))})
    ys = sorted({rng.randrange(10, 150) * 5.0 for _ in range(rng.randint(2, 7))})
    if len(xs) < 2 or len(ys) < 2:
        return [], xs, ys
    edges = [(xs[0], y, xs[-1], y, "h") for y in ys if rng.random() < 0.9 or y in (ys[0], ys[-1])]
    edges += [(x, ys[0], x, ys[-1], "v") for x in xs if rng.random() < 0.9 or x in (xs[0], xs[-1])]
    return edges, xs, ys


def _plain_cells(page: pdf_tables.TablePage, table: Any) -> list[list[str | None]]:
    """``TablePage.cells`` as it was: every cell looks at every character of its row."""
    chars = page.chars
    mids = sorted(((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i) for i, c in enumerate(chars))
    rows = []
    for row in table.rows:
        x0, top, x1, bottom = row.bbox
        inside = [m for m in mids if x0 <= m[1] < x1 and top <= m[0] < bottom]
        texts: list[str | None] = []
        for x0, top, x1, bottom in [cell or (0.0, 0.0, 0.0, 0.0) for cell in row.cells]:
            found = sorted([m[2] for m in inside if x0 <= m[1] < x1 and top <= m[0] < bottom])
            texts.append(pdf_tables._cell_text([chars[i] for i in found]) if found else "")
        rows.append([t if cell else None for t, cell in zip(texts, row.cells, strict=True)])
    return rows


def test_table_cells_match_the_plain_version() -> None:
    rng = random.Random(17)
    tested = 0
    for _ in range(400):
        edges, xs, ys = _grid_edges(rng)
        if not edges:
            continue
        runs = []
        for _ in range(rng.randint(1, 4)):
            run = []
            for _ in range(rng.randint(0, 60)):  # centres often right on a ruling (multiples of 2.5)
                x0 = rng.randrange(int(xs[0]) - 10, int(xs[-1]) + 10) * 1.0
                top = rng.randrange(int(ys[0]) - 10, int(ys[-1]) + 10) * 1.0
                run.append((x0, x0 + rng.choice([0.0, 5.0, 3.0]), top, top + rng.choice([5.0, 10.0]),
                            rng.choice(["a", "b", " ", "Wort"])))  # fmt: skip
            runs.append(((True, 10.0, "Arial"), run))
        page = pdf_tables.TablePage(612.0, 792.0, edges, lambda boxes, runs=runs: pdf_words.char_dicts(runs, boxes))
        for table in page.find_tables():
            assert page.cells(table) == _plain_cells(page, table)
            tested += 1
    assert tested > 200
