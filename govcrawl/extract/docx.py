"""DOCX reader: Word (OOXML) bytes -> ``Document`` (paragraphs and tables in body order).

Why lxml over word/document.xml instead of python-docx: python-docx hides vMerge continuation
cells behind repeated objects and reads whole parts without size checks. Reading the XML
directly keeps the source's spans (gridSpan -> colspan, vMerge restart/continue -> rowspan,
HTML semantics: continuation cells are omitted) and lets every part be size-checked first:
a zip bomb is refused from its declared ``ZipInfo.file_size`` and reads are capped anyway, since
the declared size can lie. The XML parser resolves no entities and loads no DTDs.
"""
from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from govcrawl.extract.document import Cell, Document, Paragraph, Table
from govcrawl.extract.pdf import unreadable_error

MAX_PART_BYTES = 32 * 1024 * 1024  # declared (and actual) size of word/document.xml
MAX_CHARS = 2_000_000
MAX_TABLE_CELLS = 100_000

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_W = f"{{{W}}}"
_NS = {"w": W}
_CORE_FIELDS = {
    "{http://purl.org/dc/elements/1.1/}title": "Title",
    "{http://purl.org/dc/elements/1.1/}creator": "Author",
    "{http://purl.org/dc/elements/1.1/}subject": "Subject",
    "{http://purl.org/dc/elements/1.1/}description": "Comments",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}keywords": "Keywords",
    "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}lastModifiedBy": "LastModifiedBy",
    "{http://purl.org/dc/terms/}created": "CreationDate",
    "{http://purl.org/dc/terms/}modified": "ModDate",
}
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True)


def read_docx(data: bytes) -> Document:
    doc = Document(format="docx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise unreadable_error()(f"docx: not a zip archive: {exc}") from exc
    with archive:
        body_xml = _read_part(archive, "word/document.xml", names, doc.warnings)
        if body_xml is None:
            raise unreadable_error()("docx: no readable word/document.xml; " + "; ".join(doc.warnings))
        core_xml = _read_part(archive, "docProps/core.xml", names, doc.warnings)
    try:
        root = etree.fromstring(body_xml, _parser())
    except etree.XMLSyntaxError as exc:
        raise unreadable_error()(f"docx: word/document.xml is not XML: {exc}") from exc
    doc.meta = _core_properties(core_xml, doc.warnings)
    body = root.find(f"{_W}body")
    if body is None:
        raise unreadable_error()("docx: word/document.xml has no w:body")
    budget = [MAX_CHARS]
    title_parts: list[str] = []
    for kind, element in _body_items(body):
        if budget[0] <= 0:
            doc.warnings.append(f"docx: character cap of {MAX_CHARS} hit, rest skipped")
            break
        if kind == "p":
            text = _paragraph_text(element)
            if not text:
                continue
            budget[0] -= len(text)
            leading = len(doc.blocks) == len(title_parts) < 3  # only title lines so far
            if leading and _looks_like_title(element, text):
                title_parts.append(text)
            doc.blocks.append(Paragraph(text))
        else:
            table = _table(element, budget, doc.warnings)
            if table is not None:
                doc.blocks.append(table)
    if title_parts:
        doc.title = "".join(title_parts)
        doc.blocks[: len(title_parts)] = [Paragraph(doc.title)]
    elif doc.meta.get("Title"):
        doc.title = doc.meta["Title"]
    return doc


def _read_part(archive: zipfile.ZipFile, name: str, names: set[str], warnings: list[str]) -> bytes | None:
    """Read one part after checking its declared size; stop at the cap whatever it declared."""
    if name not in names:
        return None
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        warnings.append(f"docx: {name} declares {info.file_size} bytes (cap {MAX_PART_BYTES}), refused")
        return None
    try:
        with archive.open(info) as part:
            raw = part.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        warnings.append(f"docx: {name} unreadable: {type(exc).__name__}: {exc}"[:300])
        return None
    if len(raw) > MAX_PART_BYTES:
        warnings.append(f"docx: {name} inflates beyond {MAX_PART_BYTES} bytes, refused")
        return None
    return raw


def _core_properties(xml: bytes | None, warnings: list[str]) -> dict[str, str]:
    if not xml:
        return {}
    try:
        root = etree.fromstring(xml, _parser())
    except etree.XMLSyntaxError:
        warnings.append("docx: docProps/core.xml is not XML")
        return {}
    meta = {}
    for child in root:
        key = _CORE_FIELDS.get(child.tag)
        text = (child.text or "").strip()
        if key and text:
            meta[key] = text[:2000]
    return meta


def _body_items(container):
    """Paragraphs and tables of a body or cell in document order, looking through wrappers."""
    for child in container:
        tag = child.tag
        if tag == f"{_W}p":
            yield "p", child
        elif tag == f"{_W}tbl":
            yield "tbl", child
        elif tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}ins", f"{{{MC}}}AlternateContent"):
            inner = child.find(f"{_W}sdtContent") if tag == f"{_W}sdt" else child
            if tag == f"{{{MC}}}AlternateContent":
                inner = child.find(f"{{{MC}}}Choice")
            if inner is not None:
                yield from _body_items(inner)


def _paragraph_text(p) -> str:
    """Visible text of one paragraph: w:t, tabs and breaks; not deleted text, not mc:Fallback."""
    parts = []
    for el in p.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}noBreakHyphen"):
        if _inside_fallback(el, p):
            continue
        if el.tag == f"{_W}t":
            parts.append(el.text or "")
        elif el.tag == f"{_W}noBreakHyphen":
            parts.append("-")
        elif el.tag == f"{_W}tab":
            # w:tab inside w:tabs (paragraph properties) is a tab stop, not a character
            if el.getparent() is not None and el.getparent().tag == f"{_W}tabs":
                continue
            parts.append("\t")
        else:
            parts.append("\n")
    text = "".join(parts).replace("\u00a0", " ")
    return re.sub(r"[ \t]*\n[ \t]*", "\n", text).strip()


def _inside_fallback(el, stop) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == f"{{{MC}}}Fallback":
            return True
        parent = parent.getparent()
    return False


def _looks_like_title(p, text: str) -> bool:
    """Centred, a Title/Heading style, or big bold type; and short."""
    if len(text) > 60 or _SECTION.match(text):
        return False
    ppr = p.find(f"{_W}pPr")
    style = ppr.find(f"{_W}pStyle") if ppr is not None else None
    if style is not None and re.match(r"(?i)title|heading ?1|1$", style.get(f"{_W}val", "")):
        return True
    jc = ppr.find(f"{_W}jc") if ppr is not None else None
    if jc is not None and jc.get(f"{_W}val") == "center":
        return True
    sizes = [int(s.get(f"{_W}val")) for s in p.iter(f"{_W}sz") if (s.get(f"{_W}val") or "").isdigit()]
    return bool(sizes) and min(sizes) >= 36  # half-points: 18pt and up


def _cell_text(tc, budget: list[int]) -> str:
    """All paragraph text in a cell, nested tables included, lines joined by newlines."""
    lines = []
    for el in tc.iter(f"{_W}p"):
        text = _paragraph_text(el)
        if text:
            lines.append(text)
    text = "\n".join(lines)
    budget[0] -= len(text)
    return text


def _table(tbl, budget: list[int], warnings: list[str]) -> Table | None:
    """w:tbl -> Table: gridSpan -> colspan, vMerge -> rowspan of the restarting cell."""
    grid: list[list[tuple[int, int, str | None, object]]] = []  # per row: (col, span, vmerge, tc)
    cells_seen = 0
    for tr in tbl.iterfind(f"{_W}tr"):
        row, col = [], 0
        trpr = tr.find(f"{_W}trPr")
        before = _int_val(trpr, "gridBefore") if trpr is not None else 0
        if before:
            row.append((col, before, None, None))  # a skipped grid column: an empty cell
            col += before
        for tc in _row_cells(tr):
            tcpr = tc.find(f"{_W}tcPr")
            span = max(1, _int_val(tcpr, "gridSpan") or 1) if tcpr is not None else 1
            vmerge = None
            if tcpr is not None:
                vm = tcpr.find(f"{_W}vMerge")
                if vm is not None:
                    vmerge = vm.get(f"{_W}val") or "continue"
                hm = tcpr.find(f"{_W}hMerge")
                if hm is not None and (hm.get(f"{_W}val") or "continue") == "continue" and row:
                    c0, s0, v0, t0 = row[-1]  # legacy horizontal merge: widen the previous cell
                    row[-1] = (c0, s0 + span, v0, t0)
                    col += span
                    continue
            row.append((col, span, vmerge, tc))
            col += span
            cells_seen += 1
        grid.append(row)
        if cells_seen > MAX_TABLE_CELLS:
            warnings.append(f"docx: table cut at {MAX_TABLE_CELLS} cells")
            break
    rows: list[list[Cell]] = []
    origin: dict[int, Cell] = {}  # grid column -> the cell a vMerge continuation extends
    for row in grid:
        out = []
        for col, span, vmerge, tc in row:
            if vmerge == "continue" and col in origin:
                origin[col].rowspan += 1
                continue
            cell = Cell(_cell_text(tc, budget) if tc is not None else "", 1, span)
            out.append(cell)
            if vmerge == "restart":
                origin[col] = cell
            else:
                origin.pop(col, None)
        for col in [c for c in origin if not any(c == r[0] for r in row)]:
            origin.pop(col)  # a row without a cell at that column ends the merge
        rows.append(out)
    if not any(c.text for row in rows for c in row):
        return None
    return Table(rows=rows, source="docx")


def _row_cells(tr):
    for child in tr:
        if child.tag == f"{_W}tc":
            yield child
        elif child.tag in (f"{_W}sdt", f"{_W}customXml"):
            inner = child.find(f"{_W}sdtContent") if child.tag == f"{_W}sdt" else child
            if inner is not None:
                yield from _row_cells(inner)


def _int_val(parent, name: str) -> int:
    el = parent.find(f"{_W}{name}") if parent is not None else None
    value = el.get(f"{_W}val") if el is not None else None
    return int(value) if value and value.isdigit() else 0
