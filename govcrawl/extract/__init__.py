"""Extraction: bytes (+ URL, content type) in, an ``ExtractedReport`` out.

    from govcrawl.extract import extract, extract_file, format_text, PARSER_VERSION
    report = extract(data, url=...)          # never raises except UnreadableDocument
    report.to_dict()                         # JSON-able; Decimals as strings

The format is sniffed from the bytes (``sniff.py``, the one sniffer crawl and extraction share),
never the extension or header: PDF (text layer; pages without one go to OCR), DOCX, Word 97-2003
and Kingsoft WPS (``worddoc.py``), XLS/ET and XLSX (``sheets.py``), images (``ocr.py``), else HTML or
plain text. Every reader produces a ``Document``; ``analyse`` does the rest, and the report records
which reader produced its cells (``reader``: html, pdf-text, pdf-ocr, docx, doc, xls, xlsx,
image-ocr, text).

Limits (so a hostile or broken input costs bounded time): HTML/text input beyond ``MAX_HTML_BYTES``
is cut there (warning ``truncated``); grids are capped in ``grid.py``; tables, blocks and extra
tables are capped in ``html.py`` / ``analyse.py``.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Mapping

from govcrawl.extract.analyse import analyse, second_look, second_look_wanted
from govcrawl.extract.decode import cut_before_tag, decode
from govcrawl.extract.document import Document, Paragraph, Table
from govcrawl.extract.report import ExtractedReport, UnreadableDocument, format_text
from govcrawl.extract.sniff import IMAGE_KINDS, sniff

PARSER_VERSION = "govcrawl-extract/1.1"  # 1.1: Word 97-2003/WPS, xls/xlsx, OCR of pictures and scans
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_BINARY_BYTES = 100 * 1024 * 1024

__all__ = ["extract", "extract_file", "format_text", "PARSER_VERSION", "UnreadableDocument", "ExtractedReport",
           "sniff", "read_document"]

_BINARY_READERS = {  # kind -> (module, function, reader name recorded on the report)
    "pdf": ("govcrawl.extract.pdf", "read_pdf", "pdf-text"),
    "docx": ("govcrawl.extract.docx", "read_docx", "docx"),
    "doc": ("govcrawl.extract.worddoc", "read_doc", "doc"),
    "xls": ("govcrawl.extract.sheets", "read_xls", "xls"),
    "xlsx": ("govcrawl.extract.sheets", "read_xlsx", "xlsx"),
}
_UNSUPPORTED = {
    "zip": "a zip archive that is neither a .docx nor an .xlsx document",
    "ole": "a compound (OLE2) file that is neither a Word document nor a spreadsheet",
    "gzip": "a gzip archive, not a document",
    "rar": "a rar archive, not a document",
}


def _read_text(text: str) -> Document:
    doc = Document(format="text")
    for line in text.splitlines():
        line = line.strip()
        if line:
            doc.blocks.append(Paragraph(re.sub(r"\s+", " ", line)))
    return doc


def read_document(data: bytes, *, url: str | None = None, content_type: str | None = None,
                  resources: Mapping[str, bytes] | _Siblings | None = None) -> Document:
    """Bytes -> Document using the reader the bytes call for; UnreadableDocument when none can.

    ``resources`` maps URLs to fetched bytes (a report page's images, from the crawl or the
    archive): an HTML page whose template tables are pictures gets them read by OCR in place."""
    if not data or not data.strip():
        raise UnreadableDocument("empty input: no bytes to extract")
    kind = sniff(data)
    if kind in _BINARY_READERS or kind in IMAGE_KINDS:
        if len(data) > MAX_BINARY_BYTES:
            raise UnreadableDocument(f"{kind} input of {len(data)} bytes exceeds the {MAX_BINARY_BYTES}-byte limit")
        if kind in IMAGE_KINDS:
            return _read_image(data, kind)
        module, function, reader_name = _BINARY_READERS[kind]
        try:
            reader = getattr(importlib.import_module(module), function)
        except ImportError as e:
            raise UnreadableDocument(f"no {kind} reader available (needs converter): {e}") from e
        try:
            doc = reader(data)
        except UnreadableDocument:
            raise
        except Exception as e:  # a broken/encrypted file: the reader's own errors are not ours to leak
            raise UnreadableDocument(f"cannot read {kind}: {type(e).__name__}: {e}") from e
        doc.format, doc.reader = kind, reader_name
        if kind == "pdf":
            _ocr_scanned_pdf(doc, data)
        return doc
    if kind in _UNSUPPORTED:
        raise UnreadableDocument(_UNSUPPORTED[kind])
    if kind == "binary":
        raise UnreadableDocument("binary data that is none of HTML, text, PDF, Word, spreadsheet or image")
    warnings = []
    if len(data) > MAX_HTML_BYTES:
        warnings.append(f"truncated: input is {len(data)} bytes; only the first {MAX_HTML_BYTES} bytes were read")
        data = cut_before_tag(data, MAX_HTML_BYTES)
    text, _enc, dw = decode(data, content_type)
    warnings.extend(dw)
    if kind == "html":
        from govcrawl.extract.html import read_html
        doc = read_html(text, url)
        if not doc.blocks and doc.meta.get("_lost_depth"):  # libxml2 kept nothing: BeautifulSoup reads it
            doc = read_html(text, url, soup=True)
            doc.warnings.append("html: nested past libxml2's depth limit; read with BeautifulSoup")
        doc.source_text = text  # kept for a second look with BeautifulSoup (see extract())
        if not doc.blocks:
            # libxml2 drops content nested deeper than its limit; fall back to the bare text
            plain = _read_text(re.sub(r"<[^>]{0,2000}>", "\n", text))
            if plain.blocks:
                doc.blocks = plain.blocks
                doc.warnings.append("HTML structure unreadable (nesting too deep?); read as plain text")
    else:
        doc = _read_text(text)
    doc.warnings[:0] = warnings
    doc.reader = "html" if kind == "html" else "text"
    if kind == "html" and resources and doc.images:
        _ocr_page_images(doc, resources)
    if not doc.blocks and not doc.images:
        raise UnreadableDocument("no readable content: the document has no text, tables or images")
    return doc


def _read_image(data: bytes, kind: str) -> Document:
    """An image (a table published as a picture, a scanned page) read by local OCR."""
    from govcrawl.extract import ocr
    doc = ocr.read_image(data)
    doc.format, doc.reader = kind, "image-ocr"
    return doc


_TEMPLATE_TABLE_LABELS = ("本年新收", "第二十条", "行政复议")


def _has_template_tables(doc: Document) -> bool:
    text = " ".join(c.text for b in doc.blocks if isinstance(b, Table) for row in b.rows for c in row)
    return all(label in text for label in _TEMPLATE_TABLE_LABELS)


def _ocr_page_images(doc: Document, resources: Mapping[str, bytes]) -> None:
    """Tables published as pictures inside a page: OCR the page's images, put their blocks where
    the images stood. Skipped when the page's own tables already carry tables 二, 三 and 四."""
    if _has_template_tables(doc):
        return
    from govcrawl.extract import ocr
    inserts = []
    for n, src in enumerate(doc.images):
        data = resources.get(src)
        if not data or sniff(data) not in IMAGE_KINDS:
            continue
        try:
            blocks = ocr.read_image(data).blocks
        except (UnreadableDocument, ocr.OcrUnavailable) as e:
            doc.warnings.append(f"image {src}: {e}"[:300])
            continue
        inserts.append((doc.image_at.get(src, len(doc.blocks)), n, blocks))
    for pos, _n, blocks in sorted(inserts, key=lambda x: (-x[0], -x[1])):
        doc.blocks[pos:pos] = blocks
    if any(isinstance(b, Table) for _p, _n, blocks in inserts for b in blocks):
        doc.reader = "image-ocr"
        doc.warnings.append(f"ocr: {len(inserts)} image(s) in the page read by OCR (image-ocr)")


def _ocr_scanned_pdf(doc: Document, data: bytes) -> None:
    """PDF pages without a text layer (a scan, or tables pasted in as pictures): OCR them, and only them."""
    from govcrawl.extract import ocr
    if ocr.read_pdf_pages(doc, data):
        doc.reader = "pdf-ocr"


def extract(data: bytes, *, url: str | None = None, content_type: str | None = None,
            filename: str | None = None, resources: Mapping[str, bytes] | None = None) -> ExtractedReport:
    """Extract one saved document. ``filename`` is informational only (the bytes decide the format);
    ``resources`` (URL -> bytes) supplies a page's images for OCR."""
    doc = read_document(data, url=url, content_type=content_type, resources=resources)
    try:
        rep = analyse(doc, url=url, parser_version=PARSER_VERSION)
    except RecursionError as e:  # pragma: no cover - analyse is iterative; belt and braces
        raise UnreadableDocument(f"document too deeply nested: {e}") from e
    rep.reader = doc.reader or doc.format
    if rep.reader in ("pdf-ocr", "image-ocr"):
        from govcrawl.extract.ocr import move_confidences, settle_uncertain
        move_confidences(rep)
        settle_uncertain(rep)
    if doc.format == "html" and second_look_wanted(doc, rep):
        rep = second_look(doc, rep, url=url, parser_version=PARSER_VERSION)
    if filename:
        ext = Path(filename).suffix.lower()
        expected = {"pdf": (".pdf",), "docx": (".docx",), "doc": (".doc", ".wps", ".dot"), "xls": (".xls", ".et"),
                    "xlsx": (".xlsx", ".xlsm"), "png": (".png",), "jpeg": (".jpg", ".jpeg"), "html": (".html", ".htm", ".shtml", ".jsp", ".php", ".asp",
                                                                      ".aspx", ""), "text": (".txt", "")}
        if ext and doc.format in expected and ext not in expected[doc.format]:
            rep.warnings.append(f"file extension {ext} does not match its content ({doc.format})")
    return rep


class _Siblings:
    """A saved page's images, read from beside the file (``src`` relative to it, or to ``url``)."""

    def __init__(self, folder: Path, url: str | None):
        self.folder, self.base = folder.resolve(), (url or "").rsplit("/", 1)[0] + "/"

    def get(self, src: str, default=None):
        rel = src[len(self.base):] if self.base != "/" and src.startswith(self.base) else src
        if "://" in rel or rel.startswith("/"):
            return default
        path = (self.folder / rel.split("?", 1)[0]).resolve()
        if not path.is_relative_to(self.folder) or not path.is_file() or path.stat().st_size > MAX_BINARY_BYTES:
            return default
        return path.read_bytes()


def extract_file(path, *, url: str | None = None) -> ExtractedReport:
    """Extract a saved file; a page's pictures of tables are read from beside it."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"cannot read {p}: {e.strerror or e}") from e
    return extract(data, url=url, filename=p.name, resources=_Siblings(p.parent, url))
