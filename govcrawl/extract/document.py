"""The format-neutral document every reader produces and the analyser consumes.

HTML, PDF and DOCX readers each turn bytes into a ``Document``: the report's blocks in reading
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
    warnings: list[str] = field(default_factory=list)
    format: str = "html"  # html | pdf | docx | text
    source_text: str | None = None  # the decoded HTML, for a second parse when the first lost content
    damaged: str | None = None  # why the reader had to repair the file (truncated, broken xref): read what survives
