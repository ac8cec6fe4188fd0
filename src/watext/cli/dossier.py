"""``watext dossier``: a feedback form per partner city (HTML, and PDF through Chromium)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from watext.cli.common import db_option, json_option, message, model_option, open_db, say, settings_for, summary

__all__ = ["register"]


def _pick(wanted: tuple[str, ...], known: list[str]) -> list[str]:
    """The cities asked for, spelled as in the tables (case does not matter); one line and
    exit 2 when one is not there."""
    by_fold = {c.casefold(): c for c in known}
    picked, unknown = [], []
    for name in wanted:
        city = name if name in known else by_fold.get(name.strip().casefold())
        (picked if city else unknown).append(city or name)
    if unknown:
        click.echo(say("dossier_unknown_city", cities=", ".join(repr(u) for u in unknown),
                       known=", ".join(known) or say("dossier_no_cities")), err=True)  # fmt: skip
        sys.exit(2)
    return list(dict.fromkeys(picked))


def register(main: click.Group) -> None:
    @main.command()
    @db_option
    @click.option("--city", "city_names", multiple=True, required=True,
                  help="The partner city, as in the tables (repeatable: one dossier each).")  # fmt: skip
    @click.option("--out", required=True, type=click.Path(path_type=str), help="Output directory.")
    @model_option
    @click.option("--no-pdf", "no_pdf", is_flag=True, help="Write the HTML only (no PDF through Chromium).")
    @json_option
    def dossier(db: str | None, city_names: tuple[str, ...], out: str, model_dir: str | None, no_pdf: bool,
                as_json: bool) -> None:  # fmt: skip
        """Write a feedback form for a partner city: every passage the tables used, by question,
        with the cells it produced and boxes to tick (dossier-<city>.html and .pdf). Read-only."""
        from watext.tables import frames as table_frames
        from watext.tables.export._common import cities
        from watext.tables.export.dossier import write_dossier
        from watext.tables.export.pdf_print import PrintError, print_pdf
        from watext.tag.registry import read_meta, resolve_model_dir, validate_meta

        settings = settings_for(db)
        model = resolve_model_dir(model_dir, settings.models_dir)
        validate_meta(read_meta(model))
        with open_db(db) as store:
            frames = table_frames.build(store, model)
        chosen = _pick(city_names, cities(frames))
        out_dir = Path(out)
        files: list[str] = []
        rows: list[dict[str, Any]] = []
        pdf_error: str | None = None
        for city in chosen:
            html = write_dossier(frames, city, out_dir)[0]
            row: dict[str, Any] = {"city": city, "html": str(html), "pdf": None}
            if not no_pdf and pdf_error is None:
                try:
                    row["pdf"] = str(print_pdf(html, html.with_suffix(".pdf"), binary=settings.chromium))
                except PrintError as exc:
                    pdf_error = str(exc)
            files += [p for p in (row["html"], row["pdf"]) if p]
            rows.append(row)
        result = {"cities": chosen, "files": files, "dossiers": rows, "pdf_error": pdf_error}
        summary(result, say("dossier_done_one" if len(chosen) == 1 else "dossier_done_many", n=len(chosen), files=len(files), out=out), as_json)
        if pdf_error:
            click.echo(say("dossier_no_pdf", reason=message(pdf_error)), err=True)
