"""Word 97-2003 binary reader (.doc, and Kingsoft .wps, same compound-file format) -> ``Document``.

Pure Python over ``olefile``, chosen by measurement over LibreOffice headless (see bench/formats.py):
it installs from pyproject.toml alone, reads a report in milliseconds instead of a converter's
seconds, and keeps the source's table structure rather than a converter's re-rendering.

How a Word binary file holds what we need ([MS-DOC]):

* the FIB at the start of the ``WordDocument`` stream says which table stream (``0Table`` /
  ``1Table``) holds the piece table (CLX) and the paragraph-property index (PlcBtePapx);
* the piece table maps character positions to byte runs, UTF-16LE or "compressed" 8-bit;
* a table is ordinary paragraphs flagged in-table; a cell ends with U+0007, and a row ends with a
  U+0007 paragraph flagged TTP whose properties carry ``sprmTDefTable``: the cells' edges (so
  colspans follow from the edges of all rows, as in the PDF reader) and vertical-merge flags (so
  rowspans follow from continuation cells, HTML semantics: a covered cell is omitted).

Field codes (between U+0013 and U+0014) are dropped, their results kept. Word 6/95 files (no piece
table, 8-bit code page) and encrypted files raise ``UnreadableDocument`` naming why.
"""
from __future__ import annotations

import bisect
import io
import re
import struct
from dataclasses import dataclass, field

from govcrawl.extract.document import Cell, Document, Paragraph, Table
from govcrawl.extract.pdf import tidy, unreadable_error

MAX_CHARS = 2_000_000
MAX_TABLE_ROWS = 5_000

SPRM_P_IN_TABLE = 0x2416
SPRM_P_TTP = 0x2417
SPRM_P_ITAP = 0x6649
SPRM_P_INNER_TTP = 0x244C
SPRM_T_DEF_TABLE = 0xD608
SPRM_P_HUGE_PAPX = 0x6646  # the paragraph's real sprms live in the Data stream (big table rows)
_SPRA_SIZE = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}


@dataclass
class _Props:
    in_table: bool = False
    ttp: bool = False
    depth: int = 0
    edges: list[int] = field(default_factory=list)  # cell edges (twips) of a TTP row
    vmerge: list[int] = field(default_factory=list)  # 0 none, 1 continuation, 3 restart
    hmerge: list[int] = field(default_factory=list)  # 0 none, 1 first, 2 continuation


def read_doc(data: bytes) -> Document:
    import olefile

    error = unreadable_error()
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:
        raise error(f"doc: not a readable compound file: {exc}") from exc
    with ole:
        if not ole.exists("WordDocument"):
            raise error("doc: compound file without a WordDocument stream (not a Word document)")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1A2 + 8 or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise error("doc: WordDocument stream has no valid FIB")
        nfib, flags = struct.unpack_from("<H", word, 2)[0], struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise error("doc: encrypted (password-protected) Word document")
        if nfib < 101:
            raise error(f"doc: Word 6/95 file (nFib {nfib}) needs converter")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise error(f"doc: the FIB names a missing {table_name} stream")
        table = ole.openstream(table_name).read()
        data_stream = ole.openstream("Data").read() if ole.exists("Data") else b""
        meta = _metadata(ole)
    fib = _fib(word)
    pieces = _pieces(table, fib["fcClx"], fib["lcbClx"])
    text, fcs = _text(word, pieces, min(fib["ccpText"], MAX_CHARS))
    papx = _papx_runs(word, table, fib["fcPlcfBtePapx"], fib["lcbPlcfBtePapx"])
    doc = Document(format="doc", meta=meta)
    if fib["ccpText"] > MAX_CHARS:
        doc.warnings.append(f"doc: character cap of {MAX_CHARS} hit, rest skipped")
    _assemble(doc, text, fcs, papx, data_stream)
    if meta.get("Title") and not doc.title:
        doc.title = meta["Title"]
    if not doc.blocks:
        raise error("doc: no text in the document body")
    return doc


# --- file structure ---------------------------------------------------------------------------

def _fib(word: bytes) -> dict[str, int]:
    """ccpText and the (fc, lcb) pairs we use, located through the FIB's variable-length parts."""
    pos = 32
    csw = struct.unpack_from("<H", word, pos)[0]
    pos += 2 + csw * 2
    cslw = struct.unpack_from("<H", word, pos)[0]
    lw = pos + 2
    ccp_text = struct.unpack_from("<i", word, lw + 3 * 4)[0]
    pos = lw + cslw * 4
    cb = struct.unpack_from("<H", word, pos)[0]
    rg = pos + 2

    def pair(index: int) -> tuple[int, int]:
        if index >= cb:
            return 0, 0
        return struct.unpack_from("<II", word, rg + index * 8)

    fc_clx, lcb_clx = pair(33)
    fc_papx, lcb_papx = pair(13)
    return {"ccpText": max(0, ccp_text), "fcClx": fc_clx, "lcbClx": lcb_clx,
            "fcPlcfBtePapx": fc_papx, "lcbPlcfBtePapx": lcb_papx}


def _pieces(table: bytes, fc: int, lcb: int) -> list[tuple[int, int, int, bool]]:
    """[(cp_start, cp_end, byte offset in WordDocument, compressed)] from the CLX."""
    clx = table[fc:fc + lcb]
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: skip property modifiers
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise unreadable_error()("doc: no piece table (Word 6/95 or damaged file); needs converter")
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + size]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    out = []
    for i in range(n):
        raw_fc = struct.unpack_from("<I", plc, (n + 1) * 4 + i * 8 + 2)[0]
        compressed = bool(raw_fc & 0x40000000)
        offset = (raw_fc & 0x3FFFFFFF) // 2 if compressed else raw_fc & 0x3FFFFFFF
        out.append((cps[i], cps[i + 1], offset, compressed))
    return out


def _text(word: bytes, pieces, limit: int) -> tuple[str, list[int]]:
    """The main-document text and, per character, its byte offset (to find its paragraph props)."""
    parts: list[str] = []
    fcs: list[int] = []
    for cp0, cp1, offset, compressed in pieces:
        if cp0 >= limit:
            break
        n = min(cp1, limit) - cp0
        if compressed:
            chunk = word[offset:offset + n].decode("cp1252", "replace")
            fcs.extend(range(offset, offset + len(chunk)))
        else:
            chunk = word[offset:offset + 2 * n].decode("utf-16-le", "replace")
            fcs.extend(range(offset, offset + 2 * len(chunk), 2))
        parts.append(chunk)
    return "".join(parts), fcs


def _papx_runs(word: bytes, table: bytes, fc: int, lcb: int) -> tuple[list[int], list[bytes]]:
    """Sorted run starts and their paragraph sprms, from every PAPX FKP page."""
    starts: list[int] = []
    grpprls: list[bytes] = []
    if lcb < 8:
        return starts, grpprls
    n = (lcb - 4) // 8
    plc = table[fc:fc + lcb]
    for i in range(n):
        pn = struct.unpack_from("<I", plc, (n + 1) * 4 + i * 4)[0] & 0x3FFFFF
        page = word[pn * 512:(pn + 1) * 512]
        if len(page) < 512:
            continue
        crun = page[511]
        rgfc = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for j in range(crun):
            boff = page[(crun + 1) * 4 + j * 13] * 2
            grpprl = b""
            if boff:
                cb = page[boff]
                if cb:
                    body = page[boff + 1:boff + 1 + 2 * cb - 1]
                else:
                    cb2 = page[boff + 1]
                    body = page[boff + 2:boff + 2 + 2 * cb2]
                grpprl = body[2:]  # after istd
            starts.append(rgfc[j])
            grpprls.append(grpprl)
    order = sorted(range(len(starts)), key=starts.__getitem__)
    return [starts[i] for i in order], [grpprls[i] for i in order]


def _sprms(grpprl: bytes):
    pos = 0
    while pos + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        spra = sprm >> 13
        if sprm == SPRM_T_DEF_TABLE or sprm == 0xC615:
            if pos + 2 > len(grpprl):
                return
            size = struct.unpack_from("<H", grpprl, pos)[0]
            start, pos = pos + 2, pos + 2 + max(0, size - 1)
        elif spra == 6:
            if pos >= len(grpprl):
                return
            size = grpprl[pos]
            start, pos = pos + 1, pos + 1 + size
        else:
            size = _SPRA_SIZE[spra]
            start, pos = pos, pos + size
        yield sprm, grpprl[start:pos]


def _props(grpprl: bytes, data_stream: bytes = b"") -> _Props:
    p = _Props()
    for sprm, operand in _sprms(grpprl):
        if sprm == SPRM_P_HUGE_PAPX and len(operand) >= 4 and data_stream:
            offset = struct.unpack_from("<I", operand)[0]
            if offset + 2 <= len(data_stream):
                size = struct.unpack_from("<H", data_stream, offset)[0]
                huge = _props(data_stream[offset + 2:offset + 2 + size])
                p = _Props(p.in_table or huge.in_table, p.ttp or huge.ttp, max(p.depth, huge.depth),
                           huge.edges or p.edges, huge.vmerge or p.vmerge, huge.hmerge or p.hmerge)
        elif sprm == SPRM_P_IN_TABLE and operand:
            p.in_table = operand[0] == 1
        elif sprm == SPRM_P_TTP and operand:
            p.ttp = operand[0] == 1
        elif sprm == SPRM_P_INNER_TTP and operand:
            p.ttp = p.ttp or operand[0] == 1
        elif sprm == SPRM_P_ITAP and len(operand) >= 4:
            p.depth = struct.unpack_from("<i", operand)[0]
        elif sprm == SPRM_T_DEF_TABLE and operand:
            count = operand[0]
            if len(operand) >= 1 + 2 * (count + 1):
                p.edges = list(struct.unpack_from(f"<{count + 1}h", operand, 1))
                base = 1 + 2 * (count + 1)
                for i in range(count):
                    if base + i * 20 + 2 > len(operand):
                        break
                    grf = struct.unpack_from("<H", operand, base + i * 20)[0]
                    p.hmerge.append(grf & 0x3)
                    p.vmerge.append((grf >> 5) & 0x3)
    if p.depth > 0:
        p.in_table = True
    elif p.in_table:
        p.depth = 1
    return p


def _metadata(ole) -> dict[str, str]:
    meta: dict[str, str] = {}
    try:
        m = ole.get_metadata()
    except Exception:
        return meta
    for attr, key in (("title", "Title"), ("author", "Author"), ("subject", "Subject")):
        value = getattr(m, attr, None)
        if isinstance(value, bytes):
            value = _decode_meta(value)
        if value and str(value).strip():
            meta[key] = str(value).strip()
    for attr, key in (("create_time", "CreationDate"), ("last_saved_time", "ModDate")):
        value = getattr(m, attr, None)
        if value is not None and hasattr(value, "isoformat") and value.year > 1990:
            meta[key] = value.isoformat()
    return meta


def _decode_meta(raw: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding).replace("\x00", "")
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1").replace("\x00", "")


# --- text and tables --------------------------------------------------------------------------

_DROP_CHARS = dict.fromkeys(map(ord, "\x01\x02\x05\x08\x1f"), None) | {0x1E: "-", 0x0B: "\n", 0x0C: "\n",
                                                                         0xA0: " "}


def _strip_fields(text: str) -> str:
    """Keep field results (between U+0014 and U+0015); drop codes (U+0013 .. U+0014)."""
    if "\x13" not in text:
        return text
    out = []
    depth_code = []
    for ch in text:
        if ch == "\x13":
            depth_code.append(True)
        elif ch == "\x14":
            if depth_code:
                depth_code[-1] = False
        elif ch == "\x15":
            if depth_code:
                depth_code.pop()
        elif not any(depth_code):
            out.append(ch)
    return "".join(out)


def _clean(text: str) -> str:
    lines = [tidy(t) for t in _strip_fields(text).translate(_DROP_CHARS).split("\n")]
    return "\n".join(t for t in lines if t)


def _assemble(doc: Document, text: str, fcs: list[int], papx: tuple[list[int], list[bytes]],
              data_stream: bytes = b"") -> None:
    starts, grpprls = papx
    cache: dict[int, _Props] = {}

    def props_at(index: int) -> _Props:
        if not starts or index >= len(fcs):
            return _Props()
        i = bisect.bisect_right(starts, fcs[index]) - 1
        if i < 0:
            return _Props()
        if i not in cache:
            cache[i] = _props(grpprls[i], data_stream)
        return cache[i]

    rows: list[tuple[list[str], _Props]] = []
    cell_parts: list[str] = []
    cells: list[str] = []
    start = 0

    def flush_table() -> None:
        if rows:
            doc.blocks.append(_table(rows))
            rows.clear()

    for m in re.finditer(r"[\r\x07]", text):
        end = m.start()
        chunk = text[start:end]
        start = end + 1
        p = props_at(end)
        if not p.in_table:
            if cells or cell_parts:  # a table that lost its row mark: keep what it had
                rows.append((cells + ([_clean("\n".join(cell_parts))] if cell_parts else []), _Props()))
                cells, cell_parts = [], []
            flush_table()
            para = _clean(chunk)
            for line in para.split("\n"):
                if line:
                    doc.blocks.append(Paragraph(line))
            continue
        if p.ttp and m.group() == "\x07":
            if p.depth <= 1:
                rows.append((cells, p))
                cells = []
                if len(rows) > MAX_TABLE_ROWS:
                    doc.warnings.append(f"doc: table longer than {MAX_TABLE_ROWS} rows cut")
                    rows[:] = rows[:MAX_TABLE_ROWS]
            continue
        cell_parts.append(chunk)
        if m.group() == "\x07" and p.depth <= 1:
            cells.append(_clean("\n".join(cell_parts)))
            cell_parts = []
    flush_table()


def _table(rows: list[tuple[list[str], _Props]]) -> Table:
    """Rows of cell texts with their TDefTable -> a Table with rowspan/colspan (HTML semantics)."""
    edges = sorted({e for texts, p in rows for e in p.edges if len(p.edges) == len(texts) + 1})
    merged: list[int] = []
    for e in edges:  # edges a few twips apart are one column line
        if merged and e - merged[-1] <= 20:
            continue
        merged.append(e)

    def col(x: int) -> int:
        return min(range(len(merged)), key=lambda i: abs(merged[i] - x))

    grid: list[list[tuple[int, int, Cell, int]]] = []  # per row: (start col, span, cell, vmerge)
    for texts, p in rows:
        if merged and len(p.edges) == len(texts) + 1:
            placed = []
            for i, t in enumerate(texts):
                c0, c1 = col(p.edges[i]), col(p.edges[i + 1])
                vm = p.vmerge[i] if i < len(p.vmerge) else 0
                hm = p.hmerge[i] if i < len(p.hmerge) else 0
                if hm == 2 and placed:  # legacy horizontal merge: widen the cell before
                    s, span, cell, v = placed[-1]
                    placed[-1] = (s, span + max(1, c1 - c0), cell, v)
                    continue
                placed.append((c0, max(1, c1 - c0), Cell(t, 1, max(1, c1 - c0)), vm))
        else:
            placed = [(i, 1, Cell(t), 0) for i, t in enumerate(texts)]
        for s, span, cell, _ in placed:
            cell.colspan = span
        grid.append(placed)
    out: list[list[Cell]] = []
    open_cells: dict[int, Cell] = {}  # start col -> the restart cell a continuation extends
    for placed in grid:
        row = []
        for s, span, cell, vm in placed:
            if vm == 1 and s in open_cells and not cell.text:
                open_cells[s].rowspan += 1
                continue
            open_cells[s] = cell
            row.append(cell)
        out.append(row)
    return Table(rows=out, source="doc")
