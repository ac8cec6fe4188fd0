"""Writes the DOCX inputs of tests/test_submission_formats.py (run once; the files are kept)."""

from pathlib import Path

import docx

HERE = Path(__file__).parent


def sitzungsvorlage() -> None:
    d = docx.Document()
    d.add_paragraph("Landeshauptstadt Musterstadt")
    d.add_heading("Baureferat", level=1)
    d.add_paragraph("Hochbau")
    d.add_heading("Generalsanierung der Grundschule an der Lindenstraße; Projektgenehmigung", level=2)
    d.add_paragraph("Produkt 41 Schulbau")
    d.add_heading("Sitzungsvorlage Nr. 20-26 / V 04711", level=2)
    d.add_paragraph("Vorberatung im Ausschuss für Bildung und Sport am 2. März 2022")
    d.add_paragraph("Beschluss der Vollversammlung des Stadtrates vom 23.03.2022")
    d.add_paragraph("Nichtöffentliche Sitzung")
    t = d.add_table(rows=4, cols=2)
    rows = [("Anlass", ("Die Grundschule an der Lindenstraße ist baulich und technisch "
                        "sanierungsbedürftig. Der Stadtrat hat das Baureferat 2019 mit der Planung beauftragt.")),
            ("Inhalt", ("Die Vorlage stellt die Planung, die Kosten und den Zeitplan der "
                        "Generalsanierung vor.")),
            ("Gesamtkosten", "./."),
            ("Entscheidungsvorschlag", "Das Projekt wird genehmigt.")]
    for row, (label, value) in zip(t.rows, rows):
        row.cells[0].text, row.cells[1].text = label, value
    d.add_heading("Vortrag des Referenten", level=1)
    d.add_paragraph("Die Schule wurde 1962 errichtet und seither nur teilweise modernisiert.")
    d.add_heading("Maßnahmen", level=2)
    t = d.add_table(rows=3, cols=2)
    rows = [("Maßnahme", "Beschreibung"), ("Dach", "Das Dach wird gedämmt und neu gedeckt."),
            ("Fenster", "Alle Fenster werden getauscht.")]
    for row, (a, b) in zip(t.rows, rows):
        row.cells[0].text, row.cells[1].text = a, b
    d.save(HERE / "sitzungsvorlage_baureferat.docx")


if __name__ == "__main__":
    sitzungsvorlage()
