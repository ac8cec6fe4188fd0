"""HTML of the review page: Jinja2 templates with autoescaping on, so every text that
comes from a document (passages, titles, headings, unit names) and every error message is
escaped.

The page speaks one language, chosen when the app is created (German by default): its
sentences are ``T`` (``i18n/<lang>/review.json``), display names of labels come from
``i18n/<lang>/labels.json`` and numbers are formatted by :func:`watext.i18n.number`; every
page renders inside ``i18n.use(lang)``, so the language holds per request. Service errors
are translated by :func:`.texts.message`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from watext import i18n
from watext.enrich.binding import BINDINGS
from watext.model import BODY_LABELS, GOAL_LABELS, TOPIC_LABELS
from watext.review import queue as Q
from watext.review.service import Card, QueueView, Snapshot
from watext.review.texts import message

__all__ = ["Page", "Views", "card_url", "source_url"]

HERE = Path(__file__).parent
#: Rows of the queue table shown at once.
QUEUE_ROWS = 200


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

    def __init__(self, lang: str | None = None) -> None:
        #: The page's language (``de`` unless chosen; ``None``: the one in force now).
        self.lang = i18n.check(lang) if lang else i18n.lang()
        names = {kind: i18n.names(kind, self.lang) for kind in ("goal", "body", "topic", "lane", "review_status",
                                                                "action", "binding")}  # fmt: skip
        goal_titles = names["goal"]
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
        self.env.globals.update(GOALS=GOAL_LABELS, BODIES=BODY_LABELS, TOPICS=TOPIC_LABELS, LANES=Q.LANES,
                                STATUSES=Q.STATUSES, GOAL_TITLES=goal_titles, TOPIC_NAMES=names["topic"],
                                BODY_NAMES=names["body"], LANE_NAMES=names["lane"],
                                STATUS_NAMES=names["review_status"], ACTION_NAMES=names["action"],
                                BINDINGS=BINDINGS, BINDING_NAMES=names["binding"],
                                T=i18n.texts("review", self.lang), lang=self.lang, card_url=card_url)  # fmt: skip
        self.env.filters.update(num=i18n.number, goals=lambda ids: ", ".join(goal_titles.get(g, g) for g in ids or ()),
                                fill=_fill, strong=lambda v: Markup("<strong>{}</strong>").format(v))  # fmt: skip

    def text(self, section: str, key: str, **values: Any) -> str:
        """The sentence ``section.key`` of ``review.json`` in the page's language."""
        text = i18n.texts("review", self.lang)[section][key]
        return text.format(**values) if values else text

    def render(self, name: str, page: Page, status: int = 200, **ctx: Any) -> HTMLResponse:
        ctx.update(user=page.user, csrf=page.csrf, model=page.model)
        with i18n.use(self.lang):
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
            error=self._message(card.error) if card.error else None,
            thresholds=thresholds, blind=card.blind, base_revision=card.base_revision,
        )  # fmt: skip

    def stats(self, page: Page, stats: Mapping[str, Any]) -> HTMLResponse:
        return self.render("stats.html", page, **stats)

    def adjudicate(self, page: Page, rows: list[Any], f: Mapping[str, str]) -> HTMLResponse:
        return self.render("adjudicate.html", page, rows=rows, f=f)

    def message(self, text: str, status: int, user: str | None = None) -> HTMLResponse:
        """An error page with one (escaped, translated) message, for errors outside a page."""
        errors = i18n.texts("review", self.lang)["error"]
        return self.render("error.html", Page(user, "", (None, None)), status, message=self._message(text),
                           heading=errors.get(str(status), errors["title"]))  # fmt: skip

    def _message(self, text: str) -> str:
        with i18n.use(self.lang):
            return message(text)


def _fill(text: str, **values: Any) -> Markup:
    """The catalogue sentence ``text`` with ``values`` filled in, all escaped except
    values that already are markup (``|strong``)."""
    return Markup(escape(text)).format(**values)
