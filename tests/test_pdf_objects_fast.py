"""pdf_objects' own table finder steps give what pdfplumber's TableFinder gives, bit for bit."""

from __future__ import annotations

import random

import pytest

from watext.extract import pdf_objects as po


def _edges(rng: random.Random) -> list[po.Edge]:
    """Ruled grids with jitter (snapping, joining), broken and stray lines, rectangles."""
    edges: list[po.Edge] = []
    for _ in range(rng.randint(1, 3)):
        x0, y0 = rng.uniform(0, 300), rng.uniform(0, 500)
        xs = sorted(x0 + sum(rng.uniform(5, 80) for _ in range(k)) for k in range(rng.randint(1, 6)))
        ys = sorted(y0 + sum(rng.uniform(2, 30) for _ in range(k)) for k in range(rng.randint(1, 8)))
        jit = rng.choice([0.0, 0.001, 0.7, 2.9, 3.2])
        for y in ys:
            pieces = rng.choice([1, 1, 2, 3])
            cuts = sorted(rng.uniform(xs[0], xs[-1]) for _ in range(pieces - 1))
            for a, b in zip([xs[0] - rng.uniform(0, 4)] + cuts, cuts + [xs[-1] + rng.uniform(0, 4)], strict=True):
                t = round(y + rng.uniform(-jit, jit), 3)
                edges.append((round(a + rng.uniform(0, 3.5), 3), t, round(b, 3), t, "h"))
        for x in xs:
            v = round(x + rng.uniform(-jit, jit), 3)
            edges.append((v, round(ys[0] - rng.uniform(0, 4), 3), v, round(ys[-1] + rng.uniform(-2, 4), 3), "v"))
    for _ in range(rng.randint(0, 6)):
        a, b = round(rng.uniform(0, 600), 3), round(rng.uniform(0, 800), 3)
        w, h = round(rng.uniform(0, 60), 3), round(rng.uniform(0, 60), 3)
        edges += [(a, b, a + w, b, "h"), (a, b + h, a + w, b + h, "h"), (a, b, a, b + h, "v"), (a + w, b, a + w, b + h, "v")]
    edges.append((10.0, 5.0, 30.0, 40.0, "v"))  # a slanted line: "v" for pdfplumber
    rng.shuffle(edges)
    return edges


@pytest.mark.parametrize("seed", range(300))
def test_finder_steps_match_pdfplumber(seed: int) -> None:
    edges = _edges(random.Random(seed))
    assert repr(po._table_cells(edges)) == repr(po._plumber_cells(edges, (0.0, 0.0, 612.0, 792.0)))


def test_tables_found_on_a_table_page() -> None:
    page = po.TablePage(612.0, 792.0, _edges(random.Random(7)), lambda boxes: [])
    assert [t.cells for t in page.find_tables()] == po._plumber_cells(page.edges, page.bbox)
