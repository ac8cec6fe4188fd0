"""HTML of the review page, in German: Jinja2 templates with autoescaping on, so every
text that comes from a document (passages, titles, headings, unit names) and every error
message is escaped. Display names of labels and the number format: :mod:`.texts`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS
from watext.review import queue as Q
from watext.review import texts as T
from watext.review.service import Card, QueueView, Snapshot

__all__ = ["Page", "Views", "card_url", "source_url"]

HERE = Path(__file__).parent
#: Rows of the queue table shown at once.
QUEUE_ROWS = 200
#: Headings of the error pages by HTTP status.
ERROR_HEADINGS = {400: "Eingabe nicht gültig", 401: "Bitte anmelden", 403: "Nicht erlaubt", 404: "Nicht gefunden",
                  405: "Nicht erlaubt", 409: "Inzwischen geändert"}  # fmt: skip


def card_url(pid: str | None, f: Mapping[str, str]) -> str:
    """The card of ``pid`` under filters ``f`` (the queue when ``pid`` is None)."""
    return f"/passage/{pid}?{urlencode(f)}" if pid else f"/queue?{urlencode(f)}"


def source_url(source: str | None, fmt: str | None, page: int | None) -> str | None:
    """A ``file://`` link to the source file (at ``page`` for PDFs)."""
    if not source:
        return None
    try:
        url = Path(source).expanduser().resolve().as_uri()
    except (ValueError, OSError):
        return None
    return f"{url}#page={page}" if page and (fmt == "pdf" or source.lower().endswith(".pdf")) else url


@dataclass(frozen=True, slots=True)
class Page:
    """What every page shows in its header and forms."""

    user: str | None
    csrf: str
    model: tuple[str | None, str | None]


class Views:
    """Renders the pages from the templates in ``review/templates``."""

    def __init__(self) -> None:
        from watext import i18n

        GOAL_TITLES = i18n.names("goal")

        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
        self.env.globals.update(GOALS=GOAL_LABELS, BODIES=BODY_LABELS, TOPICS=TOPIC_LABELS, LANES=Q.LANES,
                                STATUSES=Q.STATUSES, GOAL_TITLES=GOAL_TITLES, TOPIC_NAMES=T.TOPIC_NAMES,
                                BODY_NAMES=T.BODY_NAMES, LANE_NAMES=T.LANE_NAMES, STATUS_NAMES=T.STATUS_NAMES,
                                ACTION_NAMES=T.ACTION_NAMES, SCORE_HELP=T.SCORE_HELP,
                                card_url=card_url)  # fmt: skip
        self.env.filters.update(num=T.number_de, goals=lambda ids: ", ".join(GOAL_TITLES.get(g, g) for g in ids or ()))

    def render(self, name: str, page: Page, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.update(user=page.user, csrf=page.csrf, model=page.model)
        return HTMLResponse(self.env.get_template(name).render(**ctx), status_code=status)

    def login(self, page: Page, *, need_password: bool, next: str, error: str | None = None,
              status: int = 200) -> HTMLResponse:  # fmt: skip
        return self.render("login.html", page, status, need_password=need_password, error=error, next=next)

    def queue(self, page: Page, view: QueueView, f: Mapping[str, str], snap: Snapshot) -> HTMLResponse:
        todo = view.todo
        return self.render("queue.html", page, f=f, items=todo[:QUEUE_ROWS], n=len(todo), stats=view.stats,
                           reviewed=view.reviewed, cities=snap.cities, documents=snap.documents,
                           start=card_url(todo[0].id if todo else None, f))  # fmt: skip

    def card(self, page: Page, card: Card, f: Mapping[str, str], thresholds: Mapping[str, float],
             status: int = 200) -> HTMLResponse:  # fmt: skip
        p = card.passage
        return self.render(
            "card.html", page, status, p=p, item=card.item, pred=card.prediction, state=card.state,
            shown=card.shown, history=card.history, before=card.before, after=card.after, f=f, q=urlencode(f),
            prev_url=card_url(card.prev, f) if card.prev else None, next_url=card_url(card.next, f),
            src_url=source_url(p.source, p.format, p.page), conflict=card.conflict,
            error=T.message_de(card.error) if card.error else None,
            thresholds=thresholds, blind=card.blind, base_revision=card.base_revision,
        )  # fmt: skip

    def stats(self, page: Page, stats: Mapping[str, Any]) -> HTMLResponse:
        return self.render("stats.html", page, **stats)

    def adjudicate(self, page: Page, rows: list[Any], f: Mapping[str, str]) -> HTMLResponse:
        return self.render("adjudicate.html", page, rows=rows, f=f)

    def message(self, text: str, status: int, user: str | None = None) -> HTMLResponse:
        """An error page with one (escaped, translated) message, for errors outside a page."""
        return self.render("error.html", Page(user, "", (None, None)), status, message=T.message_de(text),
                           heading=ERROR_HEADINGS.get(status, "Fehler"))  # fmt: skip
