"""Round trip: ingest every rendered corpus file with watext and look for its gold texts.

Usage: ``python corpus/check_roundtrip.py [--docs corpus/docs] [--gold corpus/gold] [-v]``

For each document of the gold JSON lines, the rendered file ``<docs>/<split>/<doc>.*`` is
run through :func:`watext.ingest.files.process_file`. A gold passage counts as *found* when its
whitespace-normalised text equals an extracted passage's text or is a substring of one.
Prints per-document counts and the overall recall (how faithfully rendering plus
extraction preserve the gold text).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


def norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class DocResult:
    doc: str
    path: Path | None
    gold: int
    found: int
    missing: list[str] = field(default_factory=list)
    error: str | None = None


def check_document(path: Path, gold_texts: list[str], settings, doc_id: str) -> DocResult:
    from watext.ingest.files import process_file

    try:
        _doc, passages = process_file(path, settings, doc_id=doc_id)
    except Exception as exc:  # noqa: BLE001 - report and continue with the next file
        return DocResult(doc_id, path, len(gold_texts), 0, list(gold_texts), f"{type(exc).__name__}: {exc}")
    extracted = [norm(p.text) for p in passages]
    exact = set(extracted)
    found, missing = 0, []
    for text in gold_texts:
        t = norm(text)
        if t in exact or any(t in e for e in extracted):
            found += 1
        else:
            missing.append(text)
    return DocResult(doc_id, path, len(gold_texts), found, missing)


def roundtrip(docs_dir: Path, gold_dir: Path) -> list[DocResult]:
    from watext.settings import get_settings
    settings = get_settings(ocr="off")
    results: list[DocResult] = []
    for gold_file in sorted(gold_dir.glob("*.jsonl")):
        split = gold_file.stem
        by_doc: dict[str, list[str]] = {}
        for line in gold_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                by_doc.setdefault(row["doc"], []).append(row["text"])
        for doc_id, texts in by_doc.items():
            files = sorted((docs_dir / split).glob(f"{doc_id}.*"))
            if not files:
                results.append(DocResult(doc_id, None, len(texts), 0, list(texts), "rendered file not found"))
                continue
            results.append(check_document(files[0], texts, settings, doc_id))
    return results


def report(results: list[DocResult], verbose: bool = False) -> float:
    gold = sum(r.gold for r in results)
    found = sum(r.found for r in results)
    for r in results:
        name = r.path.name if r.path else r.doc
        line = f"{r.found:4d}/{r.gold:<4d} {100 * r.found / r.gold if r.gold else 0:5.1f} %  {name}"
        if r.error:
            line += f"  ERROR {r.error}"
        print(line)
        if verbose:
            for m in r.missing:
                print(f"        missing: {m[:100]!r}")
    recall = found / gold if gold else 0.0
    print(f"overall recall: {found}/{gold} = {100 * recall:.1f} % over {len(results)} documents")
    return recall


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=Path, default=HERE / "docs")
    parser.add_argument("--gold", type=Path, default=HERE / "gold")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the gold texts not found")
    args = parser.parse_args(argv)
    results = roundtrip(args.docs, args.gold)
    report(results, args.verbose)
    return 0 if all(r.error is None for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
