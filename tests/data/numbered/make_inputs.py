"""Build the numbered-question inputs of ``tests/test_numbered_questions.py``.

    .venv/bin/python tests/data/numbered/make_inputs.py

Three small survey answers whose questions are numbered list items, not headings, each
phrased in its own words (none is the Darmstadt questionnaire's wording):

- ``lindenau_antworten.docx``: a real Word numbered list (``w:numPr`` to a numbering
  definition "%1)"); answers as plain paragraphs, as the item's continuation after a line
  break, and as a bold label with bullets below it;
- ``marwick_response.pdf`` (reportlab): "1." items, answers as paragraphs, one answer
  continuing the item's own text, bullets under a question;
- ``hallberg_folien.pptx``: auto-numbered paragraphs (``a:buAutoNum``) in a body
  placeholder with sub-bullets as answers, and in a text box with unnumbered, indented
  answers (numbering starting at 3 with ``startAt`` and continued past the answers).
"""

from __future__ import annotations

import copy
from pathlib import Path

HERE = Path(__file__).parent


# --- DOCX -------------------------------------------------------------------------------

def _docx_numbering(document) -> str:
    """Add a decimal "%1)" numbering definition; return its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    numbering = document.part.numbering_part.element
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:multiLevelType w:val="hybridMultilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1)"/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="360" w:hanging="360"/></w:pPr></w:lvl>'
        "</w:abstractNum>"
    )
    num = parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return "90"


def _numbered(document, num_id: str, text: str, continuation: str | None = None):
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    p = document.add_paragraph()
    p.add_run(text)
    if continuation:
        p.add_run().add_break()
        p.add_run(continuation)
    ppr = p._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return p


def make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.core_properties.title = ""
    d.add_paragraph("Rückmeldung der Gemeinde Lindenau zur Partnerstadt-Umfrage", style="Title")
    d.add_paragraph("Sehr geehrte Damen und Herren, gern beantworten wir Ihre Fragen.")
    num = _docx_numbering(d)
    _numbered(d, num, "Welche Bedeutung hat Willkommenskultur für Ihre Gemeinde?")
    d.add_paragraph("Für Lindenau heißt Willkommenskultur, dass Neuankömmlinge schnell Anschluss finden.")
    d.add_paragraph("Dazu gehört auch der Respekt vor unterschiedlichen Herkunftsländern.")
    _numbered(d, num, "Gibt es bei Ihnen ein schriftliches Konzept zur Willkommenskultur?",
              "Nein. Ein Integrationskonzept wird derzeit im Gemeinderat beraten.")
    _numbered(d, num, "Welche Angebote für Zugewanderte gibt es bereits?")
    d.add_paragraph().add_run("Beispiele:").bold = True
    d.add_paragraph("Sprachcafé im Bürgerhaus", style="List Bullet")
    d.add_paragraph("Begrüßungspaket für Neubürgerinnen und Neubürger", style="List Bullet")
    _numbered(d, num, "Wer ist in der Verwaltung für dieses Thema verantwortlich?")
    d.add_paragraph("Zuständig ist das Bürgeramt, Sachgebiet Soziales.")
    _numbered(d, num, "Welche Mittel stehen dafür zur Verfügung?")
    d.add_paragraph("Im Haushalt 2015 sind 4.000 Euro für das Sprachcafé eingeplant.")
    _numbered(d, num, "Wer entscheidet über die Vergabe dieser Gelder?")
    d.add_paragraph("Der Gemeinderat entscheidet im Rahmen der Haushaltsberatungen.")
    _numbered(d, num, "Welche Vorbilder aus anderen Kommunen würden Sie gern übernehmen?")
    d.add_paragraph("Das Patenschaftsprogramm der Stadt Weiden halten wir für vorbildlich.")
    d.add_paragraph("Mit freundlichen Grüßen")
    d.add_paragraph("Anna Roth, Bürgermeisterin")
    d.save(str(path))


# --- PDF --------------------------------------------------------------------------------

PDF_ITEMS: list[tuple[str, str, list[str]]] = [
    # (question, its continuation in the same item, answer paragraphs / "• " bullets)
    ("1. How would you describe a welcoming culture in your town?", "",
     ["For Marwick a welcoming culture means that new residents feel at home within their first months.",
      "It also means that the town speaks up against racism in public."]),
    ("2. Has your council adopted a written strategy on welcoming newcomers?",
     "No. A strategy is being drafted by the community team and will go to the cabinet in autumn.", []),
    ("3. Which initiatives for newcomers are already running?", "",
     ["• English conversation club in the central library", "• Welcome walks through the town centre"]),
    ("4. Which department takes the lead on this topic?", "",
     ["The Community Development Service leads, supported by the housing office."]),
    ("5. Is there a dedicated budget or staff for this work?", "",
     ["A part-time coordinator post is funded for two years."]),
    ("6. Who decides how this money is spent?", "",
     ["The cabinet member for communities approves the annual plan."]),
    ("7. Which examples from other places would you like to adopt?", "",
     ["We admire the volunteer mentoring scheme in Leeds."]),
]


def make_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(TTFont("Vera", "Vera.ttf"))  # shipped with reportlab; has "•"
    pdfmetrics.registerFont(TTFont("VeraBd", "VeraBd.ttf"))
    title = ParagraphStyle("t", fontName="VeraBd", fontSize=16, leading=20, spaceAfter=14)
    body = ParagraphStyle("b", fontName="Vera", fontSize=10, leading=13, spaceAfter=8)
    item = ParagraphStyle("i", parent=body, leftIndent=16, firstLineIndent=-16, spaceBefore=6)
    bullet = ParagraphStyle("u", parent=body, leftIndent=28, firstLineIndent=-10, spaceAfter=4)
    story = [Paragraph("Response of the Town of Marwick to the partner city questionnaire", title),
             Paragraph("Dear colleagues, please find our answers to your questions below.", body)]
    for question, continuation, answers in PDF_ITEMS:
        story.append(Paragraph(f"{question} {continuation}".strip(), item))
        for a in answers:
            story.append(Paragraph(a, bullet if a.startswith("• ") else body))
    story += [Spacer(1, 12), Paragraph("Yours faithfully,", body), Paragraph("Jane Holt, Chief Executive", body)]
    doc = SimpleDocTemplate(str(path), pagesize=A4, title="", author="watext tests",
                            invariant=1, leftMargin=60, rightMargin=60)
    doc.build(story)


# --- PPTX -------------------------------------------------------------------------------

A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _paragraph(frame, text: str, level: int = 0, numbered: str | None = None, start: int | None = None,
               no_bullet: bool = False, first: bool = False):
    from lxml import etree

    p = frame.paragraphs[0] if first else frame.add_paragraph()
    p.text = text
    p.level = level
    ppr = p._p.get_or_add_pPr()
    if numbered:
        el = etree.SubElement(ppr, f"{{{A}}}buAutoNum", type=numbered)
        if start is not None:
            el.set("startAt", str(start))
    elif no_bullet:
        etree.SubElement(ppr, f"{{{A}}}buNone")
    return p


def make_pptx(path: Path) -> None:
    from pptx import Presentation
    from pptx.util import Pt

    prs = Presentation()
    s1 = prs.slides.add_slide(prs.slide_layouts[1])
    s1.shapes.title.text = "Partnergemeinde Hallberg – Antworten"
    f = s1.placeholders[1].text_frame
    _paragraph(f, "Was versteht Hallberg unter einer Kultur des Willkommens?", numbered="arabicPeriod", first=True)
    _paragraph(f, "Offenheit gegenüber neuen Nachbarn", level=1)
    _paragraph(f, "Unterstützung beim Ankommen in Schule und Beruf", level=1)
    _paragraph(f, "Liegt ein Leitbild oder Konzept zur Willkommenskultur vor?", numbered="arabicPeriod")
    _paragraph(f, "Ja, das Leitbild „Hallberg für alle“ von 2014", level=1)

    s2 = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    s2.shapes.title.text = "Hallberg – Projekte und Zuständigkeit"
    box = s2.shapes.add_textbox(Pt(40), Pt(130), Pt(600), Pt(300)).text_frame
    _paragraph(box, "Welche Projekte laufen bereits?", numbered="arabicParenR", start=3, first=True)
    _paragraph(box, "Nachbarschaftsfest im Juni", level=1, no_bullet=True)
    _paragraph(box, "Hausaufgabenhilfe für Kinder aus zugewanderten Familien", level=1, no_bullet=True)
    # the numbering goes on past the deeper answer lines: this one shows "4)"
    _paragraph(box, "Welche Stelle koordiniert die Arbeit?", numbered="arabicParenR", start=3)
    _paragraph(box, "Das Amt für Familie und Soziales koordiniert alle Angebote.", no_bullet=True)
    prs.core_properties.title = ""
    prs.save(str(path))


if __name__ == "__main__":
    make_docx(HERE / "lindenau_antworten.docx")
    make_pdf(HERE / "marwick_response.pdf")
    make_pptx(HERE / "hallberg_folien.pptx")
    print("written to", HERE)
