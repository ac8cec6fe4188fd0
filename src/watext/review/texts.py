"""Error messages of the store and service in the reader's language.

The sentences of the review page are data (``i18n/<lang>/review.json``), display names
of labels come from ``i18n/<lang>/labels.json`` (:func:`watext.i18n.names`); here only the
service's English messages are matched to their catalogue entry (``message.*``).
"""

from __future__ import annotations

import re

from watext import i18n

__all__ = ["message"]

#: A store or service message (English, as raised) and its key in ``review.json``'s ``message``.
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"no such passage|no passage .*"), "no_passage"),
    (re.compile(r"unknown goal labels (?P<x>.*)"), "unknown_goals"),
    (re.compile(r"unknown body type (?P<x>.*)"), "unknown_body"),
    (re.compile(r"unknown topic (?P<x>.*)"), "unknown_topic"),
    (re.compile(r"unknown review action (?P<x>.*)"), "unknown_action"),
    (re.compile(r"passage \S+ has no review to undo"), "nothing_to_undo"),
    (re.compile(r"a review needs a reviewer name"), "name_needed"),
    (re.compile(r"passage \S+ was changed concurrently"), "changed"),
    (re.compile(r"the form is incomplete \(no base_revision\)"), "form_incomplete"),
]  # fmt: skip


def message(text: str) -> str:
    """``text``, an error message of the store or service, in the language in force
    (unknown ones as they are). Not escaped: the templates escape it."""
    for pattern, key in _MESSAGES:
        m = pattern.fullmatch(text)
        if m:
            return i18n.texts("review")["message"][key].format(**m.groupdict())
    return text
