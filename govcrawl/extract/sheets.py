"""Spreadsheet readers: .xls (BIFF, xlrd; Kingsoft .et is the same format) and .xlsx (openpyxl).

Agencies post the statistical tables of a report as a workbook, one table per sheet or all three
tables one under another with captions between them. Each sheet is cut into blocks: a row whose
only text is a caption or heading (``三、收到和处理政府信息公开申请情况``) becomes a paragraph, blank
rows end a table, and the rows between become a ``Table`` with the sheet's merged ranges as
rowspan/colspan (HTML semantics), so the same table mapper runs as for every other format.

Numbers are written back as the sheet shows them without float noise (3.0 -> "3", 901.24 ->
"901.24"); formulas are read as their cached results.
"""
from __future__ import annotations

import io
import re

from govcrawl.extract.document import Cell, Document, Paragraph, Table
from govcrawl.extract.pdf import tidy, unreadable_error
from govcrawl.extract.values import looks_numeric

MAX_ROWS = 5_000
MAX_COLS = 64
MAX_SHEETS = 20
_CAPTION_OK = re.compile(r"第二十条|勾稽")


def read_xls(data: bytes) -> Document:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception as exc:  # xlrd raises XLRDError, AssertionError, struct.error on damage
        try:  # formatting records are optional and sometimes the damaged part
            book = xlrd.open_workbook(file_contents=data, on_demand=True)
        except Exception:
            raise unreadable_error()(f"xls: cannot open: {type(exc).__name__}: {exc}"[:300]) from exc
    doc = Document(format="xls")
    names = book.sheet_names()
    if len(names) > MAX_SHEETS:
        doc.warnings.append(f"xls: {len(names)} sheets, read only the first {MAX_SHEETS}")
    for index in range(min(len(names), MAX_SHEETS)):
        sheet = book.sheet_by_index(index)
        nrows, ncols = min(sheet.nrows, MAX_ROWS), min(sheet.ncols, MAX_COLS)
        values = [[_xls_text(sheet.cell(r, c), book.datemode) for c in range(ncols)] for r in range(nrows)]
        merges = [(r0, r1, c0, c1) for r0, r1, c0, c1 in getattr(sheet, "merged_cells", [])]
        _sheet_blocks(doc, names[index], values, merges)
        book.unload_sheet(index)
    return _finish(doc, "xls")


def _xls_text(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return _number(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, datemode).date().isoformat()
        except (ValueError, OverflowError):
            return _number(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return ""
    return str(cell.value)


def read_xlsx(data: bytes) -> Document:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # zip errors, KeyError for missing parts, XML errors
        raise unreadable_error()(f"xlsx: cannot open: {type(exc).__name__}: {exc}"[:300]) from exc
    doc = Document(format="xlsx")
    sheets = book.worksheets
    if len(sheets) > MAX_SHEETS:
        doc.warnings.append(f"xlsx: {len(sheets)} sheets, read only the first {MAX_SHEETS}")
    for sheet in sheets[:MAX_SHEETS]:
        nrows, ncols = min(sheet.max_row or 0, MAX_ROWS), min(sheet.max_column or 0, MAX_COLS)
        values = []
        for row in sheet.iter_rows(min_row=1, max_row=nrows, max_col=ncols, values_only=True):
            values.append([_xlsx_text(v) for v in row])
        merges = [(m.min_row - 1, m.max_row, m.min_col - 1, m.max_col) for m in sheet.merged_cells.ranges]
        _sheet_blocks(doc, sheet.title, values, merges)
    return _finish(doc, "xlsx")


def _xlsx_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return _number(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def _finish(doc: Document, kind: str) -> Document:
    if not doc.blocks:
        raise unreadable_error()(f"{kind}: the workbook has no cells with text")
    first = next((b for b in doc.blocks if isinstance(b, Paragraph)), None)
    if first is not None and ("年度报告" in first.text or "年报" in first.text):
        doc.title = first.text
    return doc


def _sheet_blocks(doc: Document, name: str, values: list[list[str]], merges) -> None:
    """Cut one sheet into paragraphs (captions, headings) and tables (runs of rows between them)."""
    nrows = len(values)
    ncols = max((len(r) for r in values), default=0)
    span: dict[tuple[int, int], tuple[int, int]] = {}
    covered: set[tuple[int, int]] = set()
    below: set[tuple[int, int]] = set()  # covered by a merge that starts in a row above
    for r0, r1, c0, c1 in merges:
        if r0 >= nrows or c0 >= ncols:
            continue
        r1, c1 = min(r1, nrows), min(c1, ncols)
        span[(r0, c0)] = (r1 - r0, c1 - c0)
        covered |= {(r, c) for r in range(r0, r1) for c in range(c0, c1)} - {(r0, c0)}
        below |= {(r, c) for r in range(r0 + 1, r1) for c in range(c0, c1)}
    texts = [[tidy(t) for t in row] + [""] * (ncols - len(row)) for row in values]

    def row_kind(r: int) -> str:
        own = [(c, t) for c, t in enumerate(texts[r]) if t and (r, c) not in covered]
        spanned = any((r, c) in below for c in range(ncols))
        if not own and not spanned:
            return "blank"
        if not own:
            return "table"
        if len(own) == 1 and not spanned and span.get((r, own[0][0]), (1, 1))[0] == 1 \
                and not looks_numeric(own[0][1]) and not _CAPTION_OK.search(own[0][1]):
            return "text"
        return "table"

    def starts_table_span(r: int) -> bool:  # a rowspan from this row keeps the next rows together
        return any(span.get((r, c), (1, 1))[0] > 1 for c in range(ncols))

    block: list[int] = []

    def flush() -> None:
        if block:
            rows = []
            for r in block:
                row = []
                for c in range(ncols):
                    if (r, c) in covered:
                        continue
                    rs, cs = span.get((r, c), (1, 1))
                    rs = min(rs, block[-1] - r + 1)
                    row.append(Cell(texts[r][c], rs, cs))
                rows.append(row)
            width = max(sum(c.colspan for c in row) for row in rows)
            if width > 1 or len(rows) > 1:
                doc.blocks.append(Table(rows=_trim_columns(rows), source=f"sheet:{name}"))
            else:
                doc.blocks.extend(Paragraph(c.text) for row in rows for c in row if c.text)
            block.clear()

    for r in range(nrows):
        kind = row_kind(r)
        if kind == "table":
            block.append(r)
        elif kind == "text":
            flush()
            doc.blocks.append(Paragraph(next(t for c, t in enumerate(texts[r]) if t)))
        else:
            if block and starts_table_span(block[-1]):
                continue
            flush()
    flush()


def _trim_columns(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Drop trailing empty source columns (sheets often carry formatted but empty columns)."""
    while rows and all(row and row[-1].colspan == 1 and row[-1].rowspan == 1 and not row[-1].text for row in rows):
        rows = [row[:-1] for row in rows]
    return rows
