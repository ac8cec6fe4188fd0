"""Label ids of the watext taxonomy (``/work/shared/TAXONOMY.md``), in a fixed order.

Models, registry and evaluation use exactly these tuples; a saved model whose labels
differ is refused on load (:class:`watext.errors.ModelMismatchError`).
"""

from __future__ import annotations

__all__ = ["BODY_LABELS", "GOAL_LABELS", "NONE", "TOPIC_LABELS"]

#: Goal categories (multi-label; a passage may have none).
GOAL_LABELS: tuple[str, ...] = (
    "kulturelle_vielfalt",
    "teilhabe_integration",
    "anti_diskriminierung",
    "humanitaere_hilfe",
    "dienstleistungsorientierung",
    "standortfoerderung",
)
#: Responsible-body types (one per passage, or none).
BODY_LABELS: tuple[str, ...] = ("fachstelle", "chefsache", "querschnittsaufgabe")
#: Survey topics (one per passage, or none).
TOPIC_LABELS: tuple[str, ...] = (
    "verstaendnis", "leitfaden", "massnahme", "zustaendigkeit", "finanzierung", "best_practice",
)
#: Class id used inside single-label classifiers for a gold ``null``.
NONE = "none"
