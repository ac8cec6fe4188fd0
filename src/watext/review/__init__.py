"""``watext review``: a keyboard-first web page to review and correct passage labels."""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See :func:`watext.review.app.create_app` (imported lazily: starlette is optional)."""
    from watext.review.app import create_app as _create

    return _create(*args, **kwargs)
