"""German display texts of the review page: names of labels, lanes and statuses, the
German number format, and German versions of the service's error messages.

Label ids (in URLs, forms and the store) stay as they are; only what a person reads is
translated here, in one place.
"""

from __future__ import annotations

import re

from watext.model import BODY_LABELS, TOPIC_LABELS

__all__ = [
    "ACTION_NAMES", "BODY_NAMES", "LANE_NAMES", "SCORE_HELP", "STATUS_NAMES", "TOPIC_NAMES", "message_de",
    "number_de",
]  # fmt: skip

#: Survey topics (the seven survey questions; 5 and 6 share one topic).
TOPIC_NAMES: dict[str, str] = {
    "verstaendnis": "Verständnis und Ziele (Frage 1)",
    "leitfaden": "Leitfaden oder Konzept (Frage 2)",
    "massnahme": "Konkrete Maßnahmen (Frage 3)",
    "zustaendigkeit": "Zuständigkeit (Frage 4)",
    "finanzierung": "Finanzierung (Fragen 5 und 6)",
    "best_practice": "Gute-Praxis-Beispiele (Frage 7)",
}
#: Types of the responsible body.
BODY_NAMES: dict[str, str] = {
    "fachstelle": "Fachstelle (eine benannte Stelle)",
    "chefsache": "Chefsache (Verwaltungsspitze)",
    "querschnittsaufgabe": "Querschnittsaufgabe (ganze Verwaltung)",
}
#: Queue lanes (``queue.LANES``).
LANE_NAMES: dict[str, str] = {
    "uncertain": "Unsichere Passagen zuerst",
    "tables": "Zweifelsfälle der Tabellen zuerst",
    "random": "Zufallsstichprobe",
}
#: Review statuses of the queue filter (``queue.STATUSES``).
STATUS_NAMES: dict[str, str] = {"unreviewed": "offen", "reviewed": "geprüft", "all": "alle"}
#: Actions in a passage's history.
ACTION_NAMES: dict[str, str] = {"correct": "korrigiert", "accept": "bestätigt", "undo": "rückgängig gemacht"}
assert tuple(TOPIC_NAMES) == TOPIC_LABELS and tuple(BODY_NAMES) == BODY_LABELS

#: What "0,52 / 0,50" next to a goal means (tooltip and help overlay).
SCORE_HELP = ("Modellwert / Schwelle: wie sicher das Modell ist, dass die Passage dieses Ziel nennt "
              "(0 bis 1), und ab welchem Wert es das Ziel ankreuzt. Liegt der Wert nahe an der "
              "Schwelle, ist das Modell unsicher – hier lohnt der genaue Blick.")  # fmt: skip


def number_de(value: float | None, digits: int = 2) -> str:
    """``value`` with a decimal comma (``0,27``); a dash for None."""
    if value is None:
        return "–"
    return f"{float(value):.{digits}f}".replace(".", ",")


_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no such passage|no passage .*"), "Diese Passage gibt es nicht."),
    (re.compile(r"unknown goal labels (?P<x>.*)"), "Unbekannte Ziele: {x}"),
    (re.compile(r"unknown body type (?P<x>.*)"), "Unbekannte Art der Zuständigkeit: {x}"),
    (re.compile(r"unknown topic (?P<x>.*)"), "Unbekanntes Thema: {x}"),
    (re.compile(r"unknown review action (?P<x>.*)"), "Unbekannte Prüfaktion: {x}"),
    (re.compile(r"passage \S+ has no review to undo"),
     "Für diese Passage gibt es keine Prüfung, die rückgängig gemacht werden könnte."),
    (re.compile(r"a review needs a reviewer name"), "Zum Speichern wird Ihr Name gebraucht."),
    (re.compile(r"passage \S+ was changed concurrently"),
     "Diese Passage wurde inzwischen von einer anderen Person geändert."),
]  # fmt: skip


def message_de(text: str) -> str:
    """The German version of an error message of the store or service (unknown ones as
    they are). Not escaped: the templates escape it."""
    for pattern, german in _MESSAGES:
        m = pattern.fullmatch(text)
        if m:
            return german.format(**m.groupdict())
    return text
