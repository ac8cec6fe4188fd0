"""The quick start's promise: ``scripts/demo.sh`` writes every ``out/*.jsonl`` the README
names, with commands that give JSON lines (one object per line) on a real database."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

from .paths import DATA, ROOT

DEMO = ROOT / "scripts" / "demo.sh"
README = ROOT / "README.md"
#: ``.venv/bin/watext documents --db "$db" > "$out/documents.jsonl"``
_LINE = re.compile(r'^\.venv/bin/watext (?P<args>[^>\n]+?) > "\$out/(?P<name>[\w.-]+\.jsonl)"$', re.M)


def _demo_commands() -> dict[str, list[str]]:
    return {m["name"]: shlex.split(m["args"]) for m in _LINE.finditer(DEMO.read_text(encoding="utf-8"))}


def test_demo_writes_what_the_readme_promises() -> None:
    promised = set(re.findall(r"`out/([\w.-]+\.jsonl)`", README.read_text(encoding="utf-8")))
    assert promised, "the README names the JSON lines files of the quick start"
    assert promised == set(_demo_commands()), "README and scripts/demo.sh disagree on out/*.jsonl"


def test_demo_commands_give_json_lines(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    folder = tmp_path / "in"
    folder.mkdir()
    for src in [*sorted((DATA / "text").glob("*.txt")), *sorted((DATA / "docx").glob("*.docx"))][:3]:
        (folder / src.name).write_bytes(src.read_bytes())
    (folder / "leer.txt").write_bytes(b"")  # one bad file, so errors.jsonl has a row
    ingest = subprocess.run([sys.executable, "-m", "watext", "ingest", str(folder), "--db", db, "--no-flow"],
                            capture_output=True, text=True, timeout=300)  # fmt: skip
    assert ingest.returncode in (0, 3), ingest.stderr[-2000:]
    for name, args in _demo_commands().items():
        args = [db if a == "$db" else a for a in args]
        proc = subprocess.run([sys.executable, "-m", "watext", *args], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, (name, proc.stderr[-2000:])
        rows = [json.loads(line) for line in proc.stdout.splitlines()]
        assert rows and all(isinstance(r, dict) for r in rows), name
