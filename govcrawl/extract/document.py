"""The format-neutral document every reader produces and the analyser consumes.

Every reader (HTML, PDF, DOCX, Word binary, spreadsheets, OCR of images) turns bytes into a ``Document``: the report's blocks in reading
order (paragraphs and tables), plus title/meta hints. Everything after that — sections, template
mapping, values, checks — works on this one shape, so a fix there helps every format.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    """One source cell as published, before rowspan/colspan are resolved into a grid."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    confidence: float | None = None  # OCR only: the engine's certainty of the least certain character


@dataclass
class Table:
    """A table as found in the source; ``rows`` keep the source's spans."""

    rows: list[list[Cell]]
    source: str = ""  # where it came from, e.g. "html", "pdf:p3", "docx"


@dataclass
class Paragraph:
    text: str


Block = Paragraph | Table


@dataclass
class Document:
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None  # <title>, the body title, or the PDF/DOCX title line
    meta: dict[str, str] = field(default_factory=dict)  # e.g. ArticleTitle, PubDate
    images: list[str] = field(default_factory=list)  # image URLs inside the content block
    image_at: dict[str, int] = field(default_factory=dict)  # image URL -> index in blocks where it stood
    warnings: list[str] = field(default_factory=list)
    format: str = "html"  # what the bytes are: html | pdf | docx | doc | xls | xlsx | png | jpeg | … | text
    reader: str = ""  # what produced the blocks: html, pdf-text, pdf-ocr, docx, doc, xls, xlsx, image-ocr, text
    source_text: str | None = None  # the decoded HTML, for a second parse when the first lost content
    damaged: str | None = None  # why the reader had to repair the file (truncated, broken xref): read what survives
