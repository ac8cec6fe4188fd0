"""Format adapters: each turns one file into a :class:`watext.model.Document`.

Contract shared by every adapter module (``pdf``, ``pptx``, ``docx``, ``html``, ``text``)::

    def extract(path: Path, settings: Settings) -> Document

- returns a Document with ``id=""`` (the caller sets the content hash), ``source``,
  ``format``, ``blocks`` in reading order, ``title`` (if the file states one),
  ``pages`` (pages/slides, or None) and format-level ``metadata`` (author, producer…);
- never touches the database and never looks at other stages;
- raises only :class:`watext.errors.InputError` subclasses for bad files, chaining the
  parser library's exception (``raise CorruptFileError(...) from exc``).
"""

#: Version of each format adapter's output. Bump one when its blocks change for files it
#: already read: a reprocessing run then reads again only the files of that format.
#: text 2: printed e-mails; pdf 2: the PDFium reader (``Settings.pdf_engine``).
EXTRACTOR_VERSIONS: dict[str, int] = {"pdf": 2, "pptx": 1, "docx": 1, "html": 1, "text": 2}
