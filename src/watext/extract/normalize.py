"""Text cleanup shared by every format adapter (pure functions, no I/O)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text"]

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u00ad": "",  # soft hyphen
        "\u200b": "",  # zero-width space
        "\ufeff": "",  # byte-order mark
        "\u00a0": " ",  # no-break space
        "\u2009": " ",
        "\u202f": " ",
    }
)
_SPACES = re.compile(r"[ \t\f\v]+")


def clean_text(text: str) -> str:
    """NFC-normalise, resolve ligatures and invisible characters, collapse spaces.

    Newlines are kept (callers decide what a line break means); spaces around them
    are trimmed.
    """
    text = unicodedata.normalize("NFC", text).translate(_LIGATURES)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()
