"""Time and peak memory per pathological file, against a normal file of similar size.

    .venv/bin/python benchmarks/hostile.py [--src SRC_DIR] [--cap-s 120] [--out DIR]

Generates the files of issue 11 (``tests/hostile.py``) at the sizes the issue reports, and
ingests each one alone into a fresh SQLite store in a fresh process (``pipeline.ingest``, so
the current code reads it in its worker under its limits). Prints per file: wall time,
peak RSS of that process and all its children, the outcome (status/code), and the ratio of
time and memory to the baseline (a normal HTML or text file of similar size, measured in
the same run). ``--src`` points at another checkout's ``src`` folder to measure the code
before the change the same way (a run that exceeds ``--cap-s`` is killed and shown as
``> cap``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

import hostile as H  # noqa: E402

_RUN = """
import json, sys
from watext import pipeline
from watext.settings import get_settings
from watext.store import open_store
path, db = sys.argv[1], sys.argv[2]
store = open_store(db)
batch = pipeline.ingest(store, get_settings(db=db, ocr="off"), [path])
f = batch.files[0]
print(json.dumps({"status": f.status, "code": f.code, "passages": f.passages,
                  "longest": max((len(p["text"]) for p in store.iter_passages()), default=0)}))
"""


def make_files(d: Path) -> dict[str, Path]:
    files = {
        "script soup html (800 KB)": H.script_soup_html(d, kb=800),
        "600 nested divs": H.deep_html(d, depth=600),
        "text without sentence end (300 KB)": H.no_sentence_text(d, kb=300),
        "page tree /Count 1, 2,500 pages": H.lying_page_count_pdf(d, pages=2500),
        "flate bomb PDF (1 GB inflated)": H.flate_bomb_pdf(d, expand_mb=1024),
        "utf-8 with one stray byte": H.utf8_few_invalid(d),
    }
    base = d / "baseline"
    base.mkdir()
    para = "<p>Die Stadt begrüßt alle neuen Einwohnerinnen und Einwohner mit einer Willkommensmappe.</p>"
    (base / "normal.html").write_text("<html><body>" + para * (800 * 1024 // len(para)) + "</body></html>",
                                      encoding="utf-8")  # fmt: skip
    sent = "Die Stadt bietet Sprachkurse und Beratung für alle Neuen an. "
    (base / "normal.txt").write_text(sent * (300 * 1024 // len(sent)), encoding="utf-8")
    return {"baseline: normal html (800 KB)": base / "normal.html",
            "baseline: normal text (300 KB)": base / "normal.txt", **files}


def measure(path: Path, src: Path, cap_s: float) -> dict[str, object]:
    db = f"sqlite:///{tempfile.mkdtemp(prefix='watext-bench-')}/w.db"
    env = {**os.environ, "PYTHONPATH": str(src), "WATEXT_NO_FLOW": "1"}
    # each file in its own process tree; its peak RSS is read from this runner's children
    runner = [sys.executable, "-c",
              "import resource, subprocess, sys, time, json\n"
              "t = time.monotonic()\n"
              "try:\n"
              f"    p = subprocess.run([sys.executable, '-c', {_RUN!r}, sys.argv[1], sys.argv[2]],"
              f" capture_output=True, text=True, timeout={cap_s})\n"
              "    out = (p.stdout.strip().splitlines() or ['{}'])[-1]\n"
              "    res = json.loads(out) if out.startswith('{') else {'status': 'crashed', 'code': p.returncode}\n"
              "except subprocess.TimeoutExpired:\n"
              "    res = {'status': 'killed at cap'}\n"
              "res['seconds'] = round(time.monotonic() - t, 2)\n"
              "res['peak_mb'] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)\n"
              "print(json.dumps(res))\n",
              str(path), db]  # fmt: skip
    out = subprocess.run(runner, capture_output=True, text=True, env=env, timeout=cap_s + 60)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="the watext source folder to measure")
    ap.add_argument("--cap-s", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=None, help="write the rows as JSON here too")
    a = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="watext-hostile-") as tmp:
        files = make_files(Path(tmp))
        base: dict[str, dict] = {}
        print(f"{'file':<36}{'seconds':>9}{'peak MB':>9}{'x time':>8}{'x RSS':>7}  outcome")
        for name, path in files.items():
            r = measure(path, a.src, a.cap_s)
            ref = base.get("html") if "html" in name or "div" in name else base.get("text")
            if name.startswith("baseline"):
                base["html" if path.suffix == ".html" else "text"] = r
                ref = r
            xt = r["seconds"] / ref["seconds"] if ref and ref["seconds"] else float("nan")
            xm = r["peak_mb"] / ref["peak_mb"] if ref and ref["peak_mb"] else float("nan")
            outcome = f"{r.get('status')} {r.get('code') or ''} passages={r.get('passages', '-')}"
            if r.get("longest"):
                outcome += f" longest={r['longest']}"
            print(f"{name:<36}{r['seconds']:>9.2f}{r['peak_mb']:>9}{xt:>8.1f}{xm:>7.1f}  {outcome}")
            rows.append({"file": name, **r})
    if a.out:
        a.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
