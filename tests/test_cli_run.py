"""`watext run` and `watext tables` from the command line (one as a real Prefect flow)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .prefect_server import PrefectServer

ROOT = Path(__file__).resolve().parents[1]
TABLE_TEST = ROOT / "corpus" / "docs" / "table_test"


def _watext(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watext", *args], capture_output=True, text=True,
                          timeout=600, env=env or dict(os.environ), cwd=cwd)


@pytest.mark.flow
def test_run_is_one_prefect_flow_and_prints_the_report(tmp_path: Path, prefect_server: PrefectServer) -> None:
    env = prefect_server.flow_env(tmp_path / "prefect")
    broken = tmp_path / "in" / "kaputt.pdf"
    broken.parent.mkdir()
    broken.write_bytes(b"%PDF-1.4\n1 0 obj<<>>\n")  # truncated: must not stop the run
    proc = _watext("run", str(TABLE_TEST), str(broken), "--out", str(tmp_path / "out"), "--flow",
                   "--db", f"sqlite:///{tmp_path / 'w.db'}", env=env, cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr[-3000:]  # 3: some input failed, the rest went on
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    assert summary["ingest"]["new"] == 7 and summary["ingest"]["failed"] == 1
    assert summary["classify"]["classified"] == summary["ingest"]["passages"]
    assert len(summary["tables"]["cities"]) == 7
    assert f"Bericht: {tmp_path / 'out' / 'report.html'}" in proc.stderr
    assert "watext-run" in proc.stderr  # Prefect logged the flow run
    for name in ("report.html", "tables.xlsx", "goals_matrix.csv", "tables.md",
                 "rueckmeldung_partnerstaedte.pptx", "tables.json"):
        assert (tmp_path / "out" / name).stat().st_size > 0


def test_tables_command_exports_chosen_formats(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    assert _watext("ingest", str(TABLE_TEST / "e-saanen-survey-2015.txt"), "--db", db, "--no-flow").returncode == 0
    assert _watext("classify", "--db", db, "--no-flow").returncode == 0
    proc = _watext("tables", "--db", db, "--out", str(tmp_path / "t"), "--format", "csv", "--no-flow")
    assert proc.returncode == 0, proc.stderr[-2000:]
    summary = json.loads(proc.stdout)
    assert summary["cities"] == ["Saanen"] and summary["report"] is None
    header = (tmp_path / "t" / "goals_matrix.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.lstrip("\ufeff") == ("city,kulturelle_vielfalt,teilhabe_integration,anti_diskriminierung,"
                                       "humanitaere_hilfe,dienstleistungsorientierung,standortfoerderung")
    assert not (tmp_path / "t" / "tables.xlsx").exists()
