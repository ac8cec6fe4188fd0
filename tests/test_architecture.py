"""The house's rooms, read from the code: imports run one way, and no module grows past 400 lines.

Layers, top to bottom (ARCHITECTURE.md):

    cli -> flows -> (pipeline, reprocess) -> (tables, review, train, ingest)
        -> (tag, store, enrich, extract, segment) -> (model, errors, settings, sources, files, cache, procs, progress, i18n)

A module may import its own room and the rooms of lower layers. Between rooms of one
layer only the edges in ``SIDEWAYS`` are allowed, and those must not form a cycle. Every
import counts, also one inside a function.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "watext"
FLOWS = ROOT / "flows"

LAYERS: list[set[str]] = [
    {"cli"},
    {"flows", "service"},
    {"pipeline", "reprocess"},
    {"tables", "review", "train", "ingest", "oparl"},
    {"tag", "store", "enrich", "extract", "segment"},
    {"model", "errors", "settings", "sources", "files", "cache", "procs", "progress", "i18n", "watext"},
]
#: Allowed imports between rooms of one layer (one way only).
SIDEWAYS = {
    ("review", "tables"),  # the review page's lane of doubtful table cells
    ("tag", "enrich"),  # language detection of a text that comes without a language
    ("files", "errors"),
    ("sources", "errors"),
    ("cache", "files"),
    ("pipeline", "reprocess"),  # reprocess.py holds the units of pipeline.reprocess
    ("oparl", "ingest"),  # an OParl file is read by the normal ingest (worker, limits, hash)
}
MAX_LINES = 400


def _module(path: Path) -> str:
    if path.is_relative_to(FLOWS):
        return "flows" if path.stem == "__init__" else f"flows.{path.stem}"
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _room(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "flows":
        return "flows"
    return parts[1] if len(parts) > 1 and parts[1] != "__main__" else "watext"


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py")) + sorted(FLOWS.glob("*.py"))


def _imports(path: Path) -> set[str]:
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            names = [name] + [f"{name}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found.update(n for n in names if n.split(".")[0] in ("watext", "flows"))
    return found


def _layer(room: str) -> int:
    return next(i for i, rooms in enumerate(LAYERS) if room in rooms)


def _edges() -> dict[tuple[str, str], list[str]]:
    """(importing room, imported room) -> 'module -> import' examples."""
    known = {_module(p) for p in _sources()}
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in _sources():
        src = _module(path)
        if src == "watext.__main__":
            continue  # ``python -m watext`` is the CLI itself
        for name in _imports(path):
            while name not in known and "." in name:  # "from watext.x import func"
                name = name.rpartition(".")[0]
            if name in known and _room(name) != _room(src):
                edges[(_room(src), _room(name))].append(f"{src} -> {name}")
    return edges


def test_every_module_has_a_room() -> None:
    rooms = {r for layer in LAYERS for r in layer}
    assert {_room(_module(p)) for p in _sources()} - rooms == set()


def _violations(edges: dict[tuple[str, str], list[str]]) -> list[str]:
    wrong = []
    for (a, b), where in sorted(edges.items()):
        la, lb = _layer(a), _layer(b)
        if la > lb or (la == lb and (a, b) not in SIDEWAYS):
            wrong.extend(where)
    return wrong


def test_imports_run_one_way() -> None:
    assert _violations(_edges()) == []


def test_sideways_edges_have_no_cycle() -> None:
    used = {e for e in _edges() if _layer(e[0]) == _layer(e[1])}
    assert used <= SIDEWAYS
    assert not any((b, a) in used for a, b in used)


def test_the_checker_sees_upward_and_sideways_imports() -> None:
    """The rule can fail: an import inside a function is found, an upward edge and an
    undeclared sideways edge are reported."""
    src = PACKAGE / "store" / "repo.py"
    assert "watext.store.engine" in _imports(src)
    assert _violations({("store", "pipeline"): ["watext.store.repo -> watext.pipeline"]}) == [
        "watext.store.repo -> watext.pipeline"]
    assert _violations({("tables", "review"): ["x"], ("review", "tables"): ["y"]}) == ["x"]
    assert _violations({("cli", "store"): ["z"]}) == []


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES


def test_an_ingest_runs_without_the_classifier_libraries() -> None:
    """``watext ingest`` (pipeline.ingest and the readers its file workers use) imports neither
    spaCy nor scikit-learn nor pandas: ~2 s and ~190 MB less at start, and forked workers copy
    a process of ~70 MB instead of ~260 MB."""
    import subprocess
    import sys

    code = ("import sys; from watext import pipeline; from watext.ingest.worker import _preload; _preload(); "
            "print(sorted(m for m in ('spacy', 'sklearn', 'pandas') if m in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
