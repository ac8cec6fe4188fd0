"""What a user installs: every imported package is declared, and a wheel installed away
from the checkout finds the model shipped inside it (Settings.models_dir)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from .paths import ROOT


def _declared() -> set[str]:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    return {re.split(r"[<>=!\[; ]", d, maxsplit=1)[0].lower().replace("_", "-") for d in deps}


def _imported() -> set[str]:
    found = set()
    for p in [*(ROOT / "src" / "watext").rglob("*.py"), *(ROOT / "flows").glob("*.py")]:
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in ("watext", "flows")}


def test_every_imported_package_is_declared() -> None:
    dists = packages_distributions()
    missing = {m: dists.get(m) for m in _imported()
               if not {d.lower().replace("_", "-") for d in dists.get(m, [m])} & _declared()}  # fmt: skip
    assert missing == {}


@pytest.mark.slow
def test_wheel_finds_its_shipped_model(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path / "dist"), str(ROOT)], check=True, timeout=300)  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("watext-*.whl")
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    assert (site / "watext" / "_models" / "watext-goals" / "CURRENT").is_file()
    assert not (site / "watext" / "_models").is_symlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import watext, sys; from watext.settings import get_settings; from watext.tag.registry import model_info;"
            "d = get_settings().models_dir; print(watext.__file__); print(d); print(model_info().version)")
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("WATEXT_MODELS_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout.splitlines()  # fmt: skip
    current = (ROOT / "models" / "watext-goals" / "CURRENT").read_text(encoding="utf-8").strip()
    assert Path(out[0]).is_relative_to(site) and Path(out[1]).resolve() == (site / "watext" / "_models").resolve()
    assert out[2] == current
