"""PDF reader: text-layer PDF bytes -> ``Document`` (paragraphs and tables in reading order).

Why it looks like this:

* Tables are found from *stroked* ruling only. WPS/Word exports paint a white, unstroked
  background rectangle behind every text line and table cell; fed to pdfplumber's default
  finder, those turn running text into one-column "tables". Thin filled rectangles still count
  (many producers draw rules as 0.5pt filled bars).
* A table split over pages has no closing rule at the page break, so the merged cells there
  (e.g. the vertical "三、本年度办理结果" header) would vanish. Each connected cluster of rules is
  therefore closed with a synthetic border before cells are computed.
* Cells come back with rowspan/colspan derived from the cell geometry (HTML semantics: a cell
  covered by a span is omitted), so every format reaches the analyser in the same shape.
* Text inside a table's box is never emitted again as a paragraph; page numbers and running
  headers/footers are dropped so that two fragments of one table stay adjacent blocks.
* Chinese has no inter-word spaces: PDF justification makes pdfplumber insert spaces
  ("总 计", "2023 年"); whitespace next to a CJK character is removed everywhere.
* Work is bounded (pages, characters, rules per page, wall time); a failure on one page becomes
  a warning, and ``UnreadableDocument`` is raised only when nothing at all could be read.
"""
from __future__ import annotations

import io
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from govcrawl.extract.document import Cell, Document, Paragraph, Table

MAX_BYTES = 64 * 1024 * 1024
MAX_PAGES = 200
MAX_CHARS = 2_000_000  # text characters over the whole document
MAX_PAGE_CHARS = 60_000  # a page with more glyphs than this is not a report page
MAX_PAGE_EDGES = 8_000  # beyond this, table finding is skipped for the page
MAX_SECONDS = 120.0

_CJK = (
    "\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"  # dashes and curly quotes used as CJK punctuation
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－_~\s]*\d{1,4}[-—–－_~\s]*"
    r"|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?"
    r"|\d+\s*[/／]\s*\d+|(?:page|Page|PAGE)\s*\d+(?:\s*of\s*\d+)?)$"
)
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")


class _FallbackUnreadable(ValueError):
    """Used only if govcrawl.extract.report (home of UnreadableDocument) is missing."""


def unreadable_error() -> type[Exception]:
    """govcrawl.extract's UnreadableDocument, looked up late: the package __init__ imports us."""
    try:
        from govcrawl.extract.report import UnreadableDocument
    except ImportError:
        return _FallbackUnreadable
    return UnreadableDocument


def tidy(text: str) -> str:
    """Collapse whitespace; drop it entirely where it touches a CJK character."""
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    return _SPACE_NEXT_TO_CJK.sub("", text)


def read_pdf(data: bytes) -> Document:
    import pdfplumber  # imported here so that HTML-only users do not pay for pdfminer

    doc = Document(format="pdf")
    if len(data) > MAX_BYTES:
        raise unreadable_error()(f"pdf: {len(data)} bytes exceeds the {MAX_BYTES}-byte cap")
    damaged = False
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pages = pdf.pages
    except Exception as exc:  # pdfminer raises a zoo of types on broken files
        repaired = _repair_truncated(data)
        try:
            if repaired is None:
                raise
            pdf = pdfplumber.open(io.BytesIO(repaired))
            pages = pdf.pages
        except Exception:
            raise unreadable_error()(f"pdf: cannot open: {type(exc).__name__}: {exc}") from exc
        doc.warnings.append(f"pdf: damaged or truncated ({type(exc).__name__}); read what survives")
        doc.damaged = f"pdf damaged or truncated ({type(exc).__name__})"
        damaged = True
    with pdf:
        doc.meta = _metadata(pdf, doc.warnings)
        if len(pages) > MAX_PAGES:
            doc.warnings.append(f"pdf: {len(pages)} pages, read only the first {MAX_PAGES}")
        page_items, failed = _read_pages(pages[:MAX_PAGES], doc.warnings)
    if not any(page_items) and (damaged or failed or not pages):
        raise unreadable_error()(f"pdf: nothing readable; {'; '.join(doc.warnings)}"[:500])
    _drop_running_lines(page_items)
    doc.blocks, doc.title = _assemble(page_items)
    if not doc.blocks:  # intact but textless: let the caller decide (OCR, image link)
        doc.warnings.append("pdf: no text layer (scanned or image-only PDF?)")
    if doc.title is None and doc.meta.get("Title"):
        doc.title = doc.meta["Title"]
    return doc


def _repair_truncated(data: bytes) -> bytes | None:
    """A cut-off download loses the xref and trailer, and pdfminer then gives up entirely.

    Keep everything up to the last complete object and append a trailer naming the catalog, so
    pdfminer's fallback object scan can reach the pages that did arrive.
    """
    end = data.rfind(b"endobj")
    catalogs = re.findall(rb"(\d+)\s+0\s+obj\s*<<(?:(?!endobj).){0,400}?/Type\s*/Catalog", data, re.S)
    if end < 0 or not catalogs:
        return None
    return data[: end + 6] + b"\ntrailer\n<</Root " + catalogs[-1] + b" 0 R>>\n%%EOF\n"


# --- metadata -------------------------------------------------------------------------------

def _decode_pdf_string(raw: object) -> str:
    """Decode an Info value; WPS writes UTF-16LE with a BOM, which pdfminer misreads."""
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    if isinstance(raw, PSLiteral):
        raw = raw.name
    if isinstance(raw, str):
        return raw
    if not isinstance(raw, bytes):
        return ""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xff\xfe"):
        return raw[2:].decode("utf-16-le", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return decode_text(raw)


def _metadata(pdf, warnings: list[str]) -> dict[str, str]:
    from pdfminer.pdftypes import resolve1

    meta: dict[str, str] = {}
    try:
        for info in pdf.doc.info:
            for key, raw in resolve1(info).items():
                text = _decode_pdf_string(resolve1(raw)).replace("\x00", "").strip()
                if text and len(text) < 2000:
                    meta[str(key)] = text
    except Exception as exc:
        warnings.append(f"pdf: metadata unreadable: {type(exc).__name__}")
    return meta


# --- per page -------------------------------------------------------------------------------
# A page yields items (top, kind, payload): kind "table" with a Table, or "line" with a _Line
# for one text line outside every table.

def _read_pages(pages, warnings: list[str]) -> tuple[list[list[tuple]], int]:
    started = time.monotonic()
    chars_total = 0
    out: list[list[tuple]] = []
    failed = 0
    for number, page in enumerate(pages, start=1):
        if time.monotonic() - started > MAX_SECONDS:
            warnings.append(f"pdf: time cap of {MAX_SECONDS:.0f}s hit, stopped before page {number}")
            break
        try:
            if len(page.chars) > MAX_PAGE_CHARS:
                warnings.append(f"pdf: page {number} has {len(page.chars)} glyphs, skipped")
                out.append([])
                continue
            items = _read_page(page, number, warnings)
        except Exception as exc:  # one bad page must not lose the others
            failed += 1
            warnings.append(f"pdf: page {number} unreadable: {type(exc).__name__}: {exc}"[:300])
            out.append([])
            continue
        finally:
            page.close()
        chars_total += sum(len(p.text) if kind == "line" else 0 for _, kind, p in items)
        out.append(items)
        if chars_total > MAX_CHARS:
            warnings.append(f"pdf: character cap of {MAX_CHARS} hit after page {number}")
            break
    return out, failed


def _read_page(page, number: int, warnings: list[str]) -> list[tuple]:
    items: list[tuple] = []
    boxes: list[tuple[float, float, float, float]] = []
    edges = _ruling_edges(page)
    if len(edges) > MAX_PAGE_EDGES:
        warnings.append(f"pdf: page {number} has {len(edges)} rules, table detection skipped")
    elif edges:
        for found in _find_tables(page, edges):
            table = _to_table(found, number)
            if table is not None:
                boxes.append(found.bbox)
                items.append((found.bbox[1], "table", table))

    def outside_tables(obj) -> bool:
        if obj.get("object_type") != "char":
            return True
        cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)

    text_page = page.filter(outside_tables) if boxes else page
    for line in text_page.extract_text_lines(strip=True, return_chars=True):
        text = tidy(line["text"])
        if not text:
            continue
        sizes = [c.get("size", 0) for c in line["chars"]] or [0]
        items.append((line["top"], "line", _Line(text, line["x0"], line["x1"], line["top"],
                                                  line["bottom"], statistics.median(sizes), number)))
    items.sort(key=lambda item: item[0])
    return items


@dataclass(slots=True, eq=False)
class _Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # median glyph size: tells titles from body text
    page: int


def _ruling_edges(page) -> list[dict]:
    """Rules that are visibly drawn: stroked paths plus thin filled bars; not background fills."""
    from pdfplumber.utils import curve_to_edges, rect_to_edges

    edges = [_as_line(l) for l in page.lines if l.get("stroke", True)]
    for rect in page.rects:
        if rect.get("stroke"):
            edges += [_as_line(e) for e in rect_to_edges(rect)]
        elif rect.get("fill") and min(rect["width"], rect["height"]) < 2 and not _is_white(rect):
            edges.append(_as_line(rect))  # a rule drawn as a filled bar
    for curve in page.curves:
        if curve.get("stroke"):
            edges += [_as_line(e) for e in curve_to_edges(curve)
                      if min(abs(e["x1"] - e["x0"]), abs(e["bottom"] - e["top"])) < 2]
    return [e for e in edges if max(e["width"], e["height"]) >= 1]


def _is_white(edge: dict) -> bool:
    color = edge.get("non_stroking_color")
    if isinstance(color, (int, float)):
        color = (color,)
    if not isinstance(color, (tuple, list)) or not color:
        return False
    if len(color) == 4:  # CMYK: white is all zeros
        return all(isinstance(c, (int, float)) and c <= 0.02 for c in color)
    return all(isinstance(c, (int, float)) and c >= 0.98 for c in color)


def _find_tables(page, edges: list[dict]):
    lines = edges + _closing_lines(edges)
    vertical = [l for l in lines if l["x0"] == l["x1"]]
    horizontal = [l for l in lines if l["top"] == l["bottom"]]
    if len(vertical) < 2 or len(horizontal) < 2:
        return []
    return page.find_tables({
        "vertical_strategy": "explicit",
        "horizontal_strategy": "explicit",
        "explicit_vertical_lines": vertical,
        "explicit_horizontal_lines": horizontal,
        "intersection_tolerance": 3,
    })


def _as_line(edge: dict) -> dict:
    """Any edge, line or bar as a zero-thickness explicit line for pdfplumber's table finder."""
    if (edge["x1"] - edge["x0"]) < (edge["bottom"] - edge["top"]):
        x = (edge["x0"] + edge["x1"]) / 2
        return _line(x, x, edge["top"], edge["bottom"])
    y = (edge["top"] + edge["bottom"]) / 2
    return _line(edge["x0"], edge["x1"], y, y)


def _line(x0: float, x1: float, top: float, bottom: float) -> dict:
    return {"object_type": "line", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
            "width": x1 - x0, "height": bottom - top}


def _closing_lines(edges: list[dict], tol: float = 3.0) -> list[dict]:
    """Borders around each connected cluster of rules: restores the side lost at a page break."""
    boxes = [(e["x0"], e["top"], e["x1"], e["bottom"]) for e in edges]
    parent = list(range(len(boxes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1])
    for n, i in enumerate(order):  # sweep by top; only near-overlapping boxes can touch
        x0, top, x1, bottom = boxes[i]
        for j in order[n + 1:]:
            if boxes[j][1] > bottom + tol:
                break
            a0, _, a1, _ = boxes[j]
            if a0 <= x1 + tol and x0 <= a1 + tol:
                parent[find(i)] = find(j)
    clusters: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        clusters.setdefault(find(i), []).append(i)
    out = []
    for members in clusters.values():
        has_v = any(boxes[i][3] - boxes[i][1] > boxes[i][2] - boxes[i][0] for i in members)
        has_h = any(boxes[i][2] - boxes[i][0] > boxes[i][3] - boxes[i][1] for i in members)
        if not (has_v and has_h):
            continue
        x0 = min(boxes[i][0] for i in members)
        x1 = max(boxes[i][2] for i in members)
        top = min(boxes[i][1] for i in members)
        bottom = max(boxes[i][3] for i in members)
        out += [_line(x0, x1, top, top), _line(x0, x1, bottom, bottom),
                _line(x0, x0, top, bottom), _line(x1, x1, top, bottom)]
    return out


def _to_table(found, page_number: int) -> Table | None:
    """pdfplumber table -> Table with spans; None for an empty box or a framed single cell
    (a boxed note is running text, and its headings must stay visible as paragraphs)."""
    if len(found.cells) < 2:
        return None
    texts = found.extract()
    row_tops = sorted({round(c[1], 1) for c in found.cells})
    col_lefts = sorted({round(c[0], 1) for c in found.cells})
    text_of = {}
    for row, row_texts in zip(found.rows, texts):
        for bbox, text in zip(row.cells, row_texts):
            if bbox is not None:
                text_of[bbox] = tidy(text or "")
    if not any(text_of.values()):
        return None
    starts: dict[tuple[int, int], Cell] = {}
    covered: set[tuple[int, int]] = set()
    for bbox in found.cells:
        x0, top, x1, bottom = bbox
        r = row_tops.index(round(top, 1))
        c = col_lefts.index(round(x0, 1))
        rowspan = max(1, sum(1 for t in row_tops if top - 0.5 <= t < bottom - 0.5))
        colspan = max(1, sum(1 for x in col_lefts if x0 - 0.5 <= x < x1 - 0.5))
        starts[(r, c)] = Cell(text_of.get(bbox, ""), rowspan, colspan)
        covered |= {(r + i, c + j) for i in range(rowspan) for j in range(colspan)}
    rows: list[list[Cell]] = []
    for r in range(len(row_tops)):
        row = []
        for c in range(len(col_lefts)):
            if (r, c) in starts:
                row.append(starts[(r, c)])
            elif (r, c) not in covered:
                row.append(Cell(""))  # a hole in the ruling: keep the grid aligned
        rows.append(row)
    return Table(rows=_trim_empty_edge_rows(rows), source=f"pdf:p{page_number}")


def _trim_empty_edge_rows(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Drop blank first/last rows (left by closing borders) unless a span runs through them."""
    def blank(row: list[Cell]) -> bool:
        return all(not c.text and c.rowspan == 1 for c in row)

    width = max((sum(c.colspan for c in row) for row in rows), default=0)
    while len(rows) > 1 and blank(rows[-1]) and sum(c.colspan for c in rows[-1]) == width:
        rows = rows[:-1]
    while len(rows) > 1 and blank(rows[0]) and sum(c.colspan for c in rows[0]) == width:
        rows = rows[1:]
    return rows


# --- across pages ---------------------------------------------------------------------------

def _drop_running_lines(page_items: list[list[tuple]]) -> None:
    """Remove page numbers and headers/footers repeated in the page margins."""
    def zone(line: _Line, items) -> bool:
        lines = [p for _, k, p in items if k == "line"]
        tables = [p for _, k, p in items if k == "table"]
        first = lines[0] is line and not (tables and items[0][1] == "table")
        last = lines[-1] is line and not (tables and items[-1][1] == "table")
        return first or last

    def key(text: str) -> str:
        return re.sub(r"\d+", "#", text)

    seen = Counter()
    for items in page_items:
        for _, kind, line in items:
            if kind == "line" and zone(line, items):
                seen[key(line.text)] += 1
    repeated = {k for k, n in seen.items() if n >= 2 and len(page_items) >= 2}
    for items in page_items:
        keep = []
        for entry in items:
            _, kind, line = entry
            if kind == "line" and (
                (_PAGE_NUMBER.match(line.text) and zone(line, items))
                or (key(line.text) in repeated and zone(line, items) and len(line.text) < 60)
            ):
                continue
            keep.append(entry)
        items[:] = keep
        # a second pass catches a header above a page number, e.g. "报告名 / - 3 -"
        if items and items[-1][1] == "line" and _PAGE_NUMBER.match(items[-1][2].text):
            items.pop()


def _assemble(page_items: list[list[tuple]]) -> tuple[list, str | None]:
    """Join wrapped lines into paragraphs across pages; pick the title from the first page."""
    lines = [p for items in page_items for _, k, p in items if k == "line"]
    if not lines:
        return [p for items in page_items for _, k, p in items if k == "table"], None
    body_size = statistics.median(l.size for l in lines)
    long_lines = [l for l in lines if len(l.text) >= 10] or lines
    left = statistics.median_low(sorted(l.x0 for l in long_lines)[: max(1, len(long_lines) // 3)])
    right = statistics.median_high(sorted(l.x1 for l in long_lines)[-max(1, len(long_lines) // 3):])

    title_lines: list[_Line] = []
    for _, kind, line in (page_items[0] if page_items else []):
        if kind != "line" or line.size < body_size + 1.5 or len(title_lines) >= 4:
            break
        title_lines.append(line)
    title = "".join(l.text for l in title_lines) or None

    blocks: list = []
    if title:
        blocks.append(Paragraph(title))
    current: list[_Line] = []

    def flush() -> None:
        if current:
            blocks.append(Paragraph(tidy(" ".join(l.text for l in current))))
            current.clear()

    for items in page_items:
        for _, kind, item in items:
            if kind == "table":
                flush()
                blocks.append(item)
                continue
            if item in title_lines:
                continue
            if current and _starts_paragraph(current[-1], item, left, right):
                flush()
            current.append(item)
    flush()
    return blocks, title


def _starts_paragraph(prev: _Line, line: _Line, left: float, right: float) -> bool:
    size = line.size or 12
    if abs(line.size - prev.size) > 1.0:
        return True
    if line.x0 > left + 0.8 * size:  # first-line indent, centred text
        return True
    if prev.x1 < right - 1.5 * size:  # previous line stopped short
        return True
    if _HEADING.match(line.text) and len(line.text) < 40:
        return True
    if line.page == prev.page and line.top - prev.bottom > 1.6 * size:
        return True
    return False
