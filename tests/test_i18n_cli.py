"""What the watext command tells a person is German by default and English with
``WATEXT_LANG=en``; JSON output stays machine data; the change report follows the same
setting. Words that must not appear are taken from the other language's catalogue."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from watext import i18n
from watext.cli import common, main, run
from watext.tables.export.changes import changes_html, format_changes

from .paths import DATA
from .test_changes_export import full_report

LANGS = [pytest.param(None, "de", id="default"), pytest.param("en", "en", id="en")]
WORD = re.compile(r"[^\W\d_]{4,}")


def _texts(code: str, keys: Iterable[str], area: str = "cli") -> list[str]:
    """The catalogue texts ``keys`` (``a.b`` for nested ones, lists flattened) of ``area``."""
    out: list[str] = []
    for key in keys:
        value: Any = i18n.texts(area, code)
        for part in key.split("."):
            value = value[part]
        out += [str(v) for v in (value.values() if isinstance(value, dict) else value)] \
            if isinstance(value, (dict, list)) else [str(value)]  # fmt: skip
    return out


def _unplaced(texts: list[str]) -> str:
    """``texts`` as one string without their ``{placeholders}``."""
    return re.sub(r"\{[^}]*\}", " ", " ".join(texts))


def _foreign(code: str, keys: Iterable[str], area: str = "cli") -> set[str]:
    """Words of the other language's texts ``keys`` that the texts in ``code`` do not use
    (placeholders left out): none of them may appear in output in ``code``."""
    (other,) = [c for c in i18n.LANGS if c != code]
    own = set(WORD.findall(_unplaced(_texts(code, keys, area))))
    return set(WORD.findall(_unplaced(_texts(other, keys, area)))) - own


def _present(words: set[str], text: str) -> list[str]:
    return sorted(w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text))


def _prefix(code: str, key: str) -> str:
    """The fixed start of a catalogue line (up to its first placeholder)."""
    return str(i18n.texts("cli", code)[key]).split("{")[0]


def _env(lang: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    if lang is None:
        monkeypatch.delenv("WATEXT_LANG", raising=False)
    else:
        monkeypatch.setenv("WATEXT_LANG", lang)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny folder: one text document and one empty file (which fails)."""
    d = tmp_path_factory.mktemp("eingang")
    shutil.copy(DATA / "text" / "osnabrueck_vorlage.txt", d / "vorlage.txt")
    (d / "leer.txt").write_bytes(b"")
    return d


@pytest.mark.parametrize(("lang", "code"), LANGS)
def test_run_speaks_the_language(lang: str | None, code: str, inbox: Path, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """``watext run`` at a terminal: the summary, the failure line and the report line."""
    _env(lang, monkeypatch)
    monkeypatch.setattr(common, "to_terminal", lambda: True)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(inbox), "--out", str(out), "--db", f"sqlite:///{tmp_path / 'w.db'}",
                                       "--format", "html", "--no-flow"], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == common.EXIT_SOME_FAILED, result.output
    stdout = [x for x in result.stdout.splitlines() if x.strip()]
    stderr = [x for x in result.stderr.splitlines() if x.strip()]
    keys = ["run_ingest", "run_classify", "tables", "done"]
    assert [line.startswith(_prefix(code, k)) for line, k in zip(stdout, keys, strict=True)] == [True] * 4
    assert stdout[0].startswith({"de": "Einlesen: 2 Dateien", "en": "ingest: 2 files"}[code])
    assert any(line.startswith(_prefix(code, "failed")) and line.endswith(i18n.texts("cli", code)["messages"]["empty_file"])
               for line in stderr), stderr  # fmt: skip
    assert _prefix(code, "report") + str(out / "report.html") in stderr
    # the person's lines (paths left out) hold no word of the other language
    text = "\n".join(stdout + [x for x in stderr if not x.startswith(_prefix(code, "warning"))])
    text = re.sub(r"\S*/\S*", " ", text)  # paths and file names
    keys += ["failed", "report", "messages.empty_file"]
    assert _present(_foreign(code, keys), text) == []


@pytest.mark.parametrize(("lang", "code"), LANGS)
def test_json_output_is_the_same_in_every_language(lang: str | None, code: str, inbox: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _env(lang, monkeypatch)
    result = CliRunner().invoke(main, ["ingest", str(inbox / "leer.txt"), "--db", f"sqlite:///{tmp_path / 'w.db'}",
                                       "--no-flow"], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == common.EXIT_SOME_FAILED
    row = json.loads(result.stdout)
    assert row == {"files": 1, "new": 0, "new_version": 0, "unchanged": 0, "failed": 1, "passages": 0, "pages": 0,
                   "reviews_carried": 0}  # fmt: skip
    (failed,) = [x for x in result.stderr.splitlines() if x.strip()]
    assert failed.startswith(_prefix(code, "failed"))


@pytest.mark.parametrize(("lang", "code"), LANGS)
def test_missing_path_is_a_usage_error_in_the_language(lang: str | None, code: str, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    _env(lang, monkeypatch)
    missing = tmp_path / "gibt-es-nicht"
    result = CliRunner().invoke(main, ["run", str(missing), "--out", str(tmp_path / "out"), "--no-flow"],
                                prog_name="watext")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    click_texts = i18n.texts("cli", code)["click"]
    lines = [x for x in result.stderr.splitlines() if x.strip()]
    assert lines[0].startswith(click_texts["usage"] + " watext run")
    assert lines[-1] == click_texts["error"].format(message=i18n.texts("cli", code)["missing_paths"].format(paths=missing))
    text = re.sub(r"\S*/\S*|--?\w[\w-]*", " ", result.stderr)  # paths and option names
    assert _present(_foreign(code, ["missing_paths", "click.usage", "click.hint", "click.error"]), text) == []
    # click's own usage errors too
    result = CliRunner().invoke(main, ["run", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == click_texts["error"].format(
        message=click_texts["missing_argument"].format(name="'PATHS...'"))


@pytest.mark.parametrize(("lang", "code"), LANGS)
def test_watext_error_is_one_line_in_the_language(lang: str | None, code: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    """``watext documents`` on a database that does not exist: one translated line, exit 1
    (through :func:`watext.cli.run`, the boundary that prints watext errors)."""
    _env(lang, monkeypatch)
    nothing = tmp_path / "nichts.db"
    monkeypatch.setattr(sys, "argv", ["watext", "documents", "--db", f"sqlite:///{nothing}"])
    with pytest.raises(SystemExit) as exited:
        run()
    assert exited.value.code == 1 and not nothing.exists()
    captured = capsys.readouterr()
    assert captured.out == ""
    texts = i18n.texts("cli", code)
    expected = texts["error"].format(message=texts["messages"]["no_database"].format(path=nothing))
    assert captured.err.splitlines() == [expected]
    assert _present(_foreign(code, ["error", "messages.no_database"]), captured.err.replace(str(nothing), "")) == []


def test_unknown_message_passes_through_and_known_ones_are_translated() -> None:
    with i18n.use("de"):
        assert common.message("something nobody translated: x") == "something nobody translated: x"
        assert common.message("cannot open database sqlite:///a b.db: disk I/O error") == \
            "Datenbank sqlite:///a b.db lässt sich nicht öffnen: disk I/O error"  # fmt: skip
    with i18n.use("en"):
        assert common.message("cannot open database x.db: locked") == "cannot open database x.db: locked"


def test_message_patterns_fit_their_texts() -> None:
    """Every pattern has its text in every language, its groups are the text's placeholders,
    and the English text (the developer string itself) is recognised by its pattern."""
    for patterns, section in ((common.MESSAGES, "messages"), ({**common.CLICK_MESSAGES, **common.CLICK_DETAILS}, "click")):
        for key, pattern in patterns.items():
            groups = set(re.compile(pattern).groupindex)
            for code in i18n.LANGS:
                text = i18n.texts("cli", code)[section][key]
                assert set(re.findall(r"\{(\w+)\}", text)) == groups, (code, key)
            if section == "messages":
                english = i18n.texts("cli", "en")[section][key]
                sample = english.format(**{g: f"<{g}>" for g in groups})
                assert re.fullmatch(pattern, sample, re.DOTALL), key
                with i18n.use("de"):
                    assert common.message(sample) == i18n.texts("cli", "de")[section][key].format(
                        **{g: f"<{g}>" for g in groups})


@pytest.mark.parametrize("value", ["fr", "deutsch"])
def test_unknown_language_is_one_line_and_exit_2(value: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["documents", "--db", f"sqlite:///{tmp_path / 'x.db'}"],
                                env={"WATEXT_LANG": value})  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [i18n.texts("cli", "de")["lang_invalid"].format(
        value=value, choices=i18n.join(i18n.LANGS) if i18n.lang() == "de" else "de und en")]
    assert "Traceback" not in result.output and result.stdout == ""


def test_models_works_from_any_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``watext models`` outside the checkout lists the shipped registry, one of them current."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WATEXT_MODELS_DIR", raising=False)
    result = CliRunner().invoke(main, ["models"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert rows and sum(r["current"] for r in rows) == 1
    assert {r["name"] for r in rows} == {"watext-goals"}


# ------------------------------------------------------------------ the change report

CHANGES_KEYS = ["cells_title", "doubtful_title", "unanswered_title", "rows_title", "new_title", "changed_title",
                "removed_title", "failed_title", "versions_title", "heading", "meta", "cells_header",
                "documents_header", "failed_header", "versions_header", "failure_titles", "version_titles"]  # fmt: skip
TEXT_KEYS = ["text.run", "text.times", "text.counts", "text.flipped", "text.was_verified", "text.doubtful",
             "text.unanswered", "text.new", "text.changed", "text.removed", "text.failed", "text.next_attempt"]  # fmt: skip


@pytest.mark.parametrize(("lang", "code"), LANGS)
def test_change_report_in_the_language(lang: str | None, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _env(lang, monkeypatch)
    report = full_report()
    page = changes_html(report)
    assert f'<html lang="{code}">' in page
    texts = i18n.texts("changes", code)
    for key in ("heading", "cells_title", "doubtful_title", "versions_title", "failed_title"):
        assert f">{texts[key]}<" in page, key
    assert texts["failure_titles"]["corrupt"] in page
    visible = re.sub(r"<style>.*?</style>|<[^>]+>", " ", page, flags=re.DOTALL)
    own = set(WORD.findall(json.dumps(report, ensure_ascii=False)))  # the report's own text may hold any word
    assert _present(_foreign(code, CHANGES_KEYS, "changes") - own, visible) == []
    text = format_changes(report)
    assert text.splitlines()[0] == texts["text"]["run"].format(run=12, source="partnerstaedte")
    assert _present(_foreign(code, TEXT_KEYS, "changes") - own, text) == []
    if code == "de":
        assert "Was sich geändert hat" in page and text.startswith("Lauf 12")


def test_serve_lines_follow_the_language(tmp_path: Path) -> None:
    from watext import service

    ready = {"deployments": [{"name": "reprocess-inbox", "schedule": "alle 300 s"}], "deleted": 1, "cancelled": 0}
    with i18n.use("de"):
        line = service._ready_line("http://127.0.0.1:4200", ready, tmp_path)
        assert line.startswith("watext serve: Prefect-Oberfläche http://127.0.0.1:4200 · bedient reprocess-inbox")
        assert "1 liegengebliebene Läufe" in line and "Strg-C beendet" in line
    with i18n.use("en"):
        line = service._ready_line("http://127.0.0.1:4200", ready, tmp_path)
        assert "Prefect UI" in line and "cleared 1 stale run(s)" in line and "Ctrl-C stops" in line
