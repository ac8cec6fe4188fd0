"""Hostile and pathological input files, generated (shared by tests and benchmarks/hostile.py).

Each maker writes one file into a folder and returns its path; sizes are parameters so
tests stay small where size is not the point and the benchmark can use the sizes of the
issue ("≈ 1 MB of script siblings", "300 KB without a sentence end").
"""

from __future__ import annotations

import zlib
from pathlib import Path

__all__ = ["MAKERS", "deep_html", "flate_bomb_pdf", "lying_page_count_pdf", "no_sentence_text", "script_soup_html",
           "utf8_few_invalid"]  # fmt: skip


def script_soup_html(d: Path, kb: int = 1000) -> Path:
    """An answer page drowned in ``<script>``/``<iframe>`` siblings (quadratic for per-node removal)."""
    unit = '<script>var tracking = "x";</script><iframe src="https://ads.example/"></iframe>'
    body = unit * max(1, kb * 1024 // len(unit))
    p = d / "script_soup.html"
    p.write_text(f"<html><body><h1>Antwort der Stadt</h1><p>Willkommen ist, wer hier lebt.</p>{body}"
                 "<p>Mit freundlichen Grüßen</p></body></html>", encoding="utf-8")  # fmt: skip
    return p


def deep_html(d: Path, depth: int = 600) -> Path:
    p = d / "deep.html"
    p.write_text("<html><body>" + "<div>" * depth + "tief verschachtelt" + "</div>" * depth + "</body></html>",
                 encoding="utf-8")  # fmt: skip
    return p


def no_sentence_text(d: Path, kb: int = 300) -> Path:
    """Words without any sentence end (a log dump, a scraped list)."""
    words = ("Integration Sprachkurs Beratung Willkommen Nachbarschaft Stadtteil Verein Fest "
             "Unterkunft Begleitung ").split()
    n = kb * 1024 // 9
    p = d / "no_sentence_end.txt"
    p.write_text(" ".join(words[i % len(words)] for i in range(n)), encoding="utf-8")
    return p


def utf8_few_invalid(d: Path) -> Path:
    text = ("Betreff: Antwort aus Saanen\n\nDie Anmeldung für Neuzuzüger ist ungültig, wenn sie "
            "nicht vollständig ist. Die Gemeinde begrüßt alle Neuen im Landhaus.\n")  # fmt: skip
    data = text.encode("utf-8").replace("Landhaus".encode(), b"Landh\xe4us")  # one stray Latin-1 byte
    p = d / "utf8_few_invalid.txt"
    p.write_bytes(data)
    return p


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _page_content(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    return b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"


_TOPICS = ["Sprachkurse", "Beratung", "Willkommensmappe", "Sprachcafe", "Stadtfest", "Patenschaften",
           "Dolmetscherdienst", "Integrationskurs", "Nachbarschaftshilfe", "Bibliothek", "Sportverein",
           "Elterncafe", "Kulturtage"]  # varied, so no line repeats on half the pages (running header)


def lying_page_count_pdf(d: Path, pages: int = 40) -> Path:
    """The page tree says ``/Count 1`` but holds ``pages`` pages."""
    # 1 catalog, 2 pages, 3 font, then per page: page object + content stream
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{kids}] /Count 1 >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]  # fmt: skip
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {5 + 2 * i} 0 R "
                       "/Resources << /Font << /F1 3 0 R >> >> >>".encode())  # fmt: skip
        objects.append(_page_content(f"Seite {i + 1}: {_TOPICS[i % len(_TOPICS)]} fuer alle neuen Einwohner."))
    p = d / "lying_page_count.pdf"
    p.write_bytes(_pdf(objects))
    return p


def flate_bomb_pdf(d: Path, expand_mb: int = 300) -> Path:
    """One page whose content stream is small compressed and ``expand_mb`` MB inflated."""
    comp = zlib.compressobj(9)
    chunk = b" " * 1_048_576
    data = b"".join(comp.compress(chunk) for _ in range(expand_mb)) + comp.flush()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"]  # fmt: skip
    p = d / "flate_bomb.pdf"
    p.write_bytes(_pdf(objects))
    return p


MAKERS = {
    "script_soup_html": script_soup_html, "deep_html": deep_html, "no_sentence_text": no_sentence_text,
    "utf8_few_invalid": utf8_few_invalid, "lying_page_count_pdf": lying_page_count_pdf,
    "flate_bomb_pdf": flate_bomb_pdf,
}
