"""Extraction: bytes (+ URL, content type) in, an ``ExtractedReport`` out.

    from govcrawl.extract import extract, extract_file, format_text, PARSER_VERSION
    report = extract(data, url=...)          # never raises except UnreadableDocument
    report.to_dict()                         # JSON-able; Decimals as strings

The format is sniffed from the bytes, never the extension or header: ``%PDF`` -> the PDF reader, a
zip holding ``word/document.xml`` -> the DOCX reader, anything else -> HTML or plain text. Every
reader produces a ``Document``; ``analyse`` does the rest.

Limits (so a hostile or broken input costs bounded time): HTML/text input beyond ``MAX_HTML_BYTES``
is cut there (warning ``truncated``); grids are capped in ``grid.py``; tables, blocks and extra
tables are capped in ``html.py`` / ``analyse.py``.
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from govcrawl.extract.analyse import analyse, second_look, second_look_wanted
from govcrawl.extract.decode import cut_before_tag, decode
from govcrawl.extract.document import Document, Paragraph
from govcrawl.extract.report import ExtractedReport, UnreadableDocument, format_text

PARSER_VERSION = "govcrawl-extract/1.0"
MAX_HTML_BYTES = 8 * 1024 * 1024
MAX_BINARY_BYTES = 100 * 1024 * 1024

__all__ = ["extract", "extract_file", "format_text", "PARSER_VERSION", "UnreadableDocument", "ExtractedReport",
           "sniff", "read_document"]

_HTMLISH = re.compile(r"<\s*(html|head|body|meta|title|div|p|table|span|br|!doctype)\b", re.I)


def sniff(data: bytes) -> str:
    """'pdf' | 'docx' | 'zip' | 'html' | 'text' from the leading bytes."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except (zipfile.BadZipFile, OSError, ValueError):
            pass
        return "zip"
    try:
        sample = data[:4096].decode("utf-8", "ignore")
    except Exception:  # pragma: no cover
        sample = ""
    if _HTMLISH.search(sample) or _HTMLISH.search(data[:4096].decode("gb18030", "ignore")):
        return "html"
    return "text"


def _is_binary(data: bytes) -> bool:
    """Binary junk: NUL bytes or many control characters in the leading bytes."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.count(b"\x00") > len(sample) // 100:
        return True
    ctrl = sum(1 for b in sample if b < 9 or 13 < b < 32 and b != 27)
    return ctrl > len(sample) * 0.05


def _read_text(text: str) -> Document:
    doc = Document(format="text")
    for line in text.splitlines():
        line = line.strip()
        if line:
            doc.blocks.append(Paragraph(re.sub(r"\s+", " ", line)))
    return doc


def read_document(data: bytes, *, url: str | None = None, content_type: str | None = None) -> Document:
    """Bytes -> Document using the reader the bytes call for; UnreadableDocument when none can."""
    if not data or not data.strip():
        raise UnreadableDocument("empty input: no bytes to extract")
    kind = sniff(data)
    if kind in ("pdf", "docx"):
        if len(data) > MAX_BINARY_BYTES:
            raise UnreadableDocument(f"{kind} input of {len(data)} bytes exceeds the {MAX_BINARY_BYTES}-byte limit")
        try:
            if kind == "pdf":
                from govcrawl.extract.pdf import read_pdf as reader
            else:
                from govcrawl.extract.docx import read_docx as reader
        except ImportError as e:
            raise UnreadableDocument(f"no {kind} reader available: {e}") from e
        try:
            doc = reader(data)
        except UnreadableDocument:
            raise
        except Exception as e:  # a broken/encrypted file: the reader's own errors are not ours to leak
            raise UnreadableDocument(f"cannot read {kind}: {type(e).__name__}: {e}") from e
        doc.format = kind
        return doc
    if kind == "zip":
        raise UnreadableDocument("a zip archive that is not a .docx document")
    if _is_binary(data):
        raise UnreadableDocument("binary data that is neither HTML, text, PDF nor DOCX")
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
    if not doc.blocks and not doc.images:
        raise UnreadableDocument("no readable content: the document has no text, tables or images")
    return doc


def extract(data: bytes, *, url: str | None = None, content_type: str | None = None,
            filename: str | None = None) -> ExtractedReport:
    """Extract one saved document. ``filename`` is informational only (the bytes decide the format)."""
    doc = read_document(data, url=url, content_type=content_type)
    try:
        rep = analyse(doc, url=url, parser_version=PARSER_VERSION)
    except RecursionError as e:  # pragma: no cover - analyse is iterative; belt and braces
        raise UnreadableDocument(f"document too deeply nested: {e}") from e
    if doc.format == "html" and second_look_wanted(doc, rep):
        rep = second_look(doc, rep, url=url, parser_version=PARSER_VERSION)
    if filename:
        ext = Path(filename).suffix.lower()
        expected = {"pdf": (".pdf",), "docx": (".docx",), "html": (".html", ".htm", ".shtml", ".jsp", ".php", ".asp",
                                                                      ".aspx", ""), "text": (".txt", "")}
        if ext and doc.format in expected and ext not in expected[doc.format]:
            rep.warnings.append(f"file extension {ext} does not match its content ({doc.format})")
    return rep


def extract_file(path, *, url: str | None = None) -> ExtractedReport:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as e:
        raise UnreadableDocument(f"cannot read {p}: {e.strerror or e}") from e
    return extract(data, url=url, filename=p.name)
