"""The ``watext`` command: one module per group of commands, all on :data:`main`.

Output contract: listings are JSON lines on standard output; progress and messages go
to standard error (a progress bar only when standard error is a terminal).

What a person reads (messages, the summary on a terminal, errors) is German by default and
English with ``WATEXT_LANG=en`` (texts: ``i18n/<lang>/cli.json``); JSON output stays as it
is; ``--help`` texts are English.

Exit status: 0 success; 1 a watext error (one line, no traceback); 2 usage error; 3 some
input files failed (the others were ingested; ``watext errors`` lists the reasons).
"""

from __future__ import annotations

import sys

import click

from watext.cli.common import Group, message, say
from watext.errors import WatextError

__all__ = ["main", "run"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="watext")
def main() -> None:
    """watext: municipal documents on welcome culture -> passages -> comparison tables."""


def run() -> None:
    """Entry point that renders watext errors as one readable line (in the language in force)."""
    try:
        main(standalone_mode=True)
    except WatextError as exc:
        click.echo(say("error", message=message(str(exc))), err=True)
        sys.exit(1)


from watext.cli import documents, dossier, model, oparl, review, service, sources, tables  # noqa: E402

for _module in (documents, model, tables, dossier, review, sources, service, oparl):
    _module.register(main)
