"""Document -> ExtractedReport: the format-neutral half of extraction.

Order matters: tables are classified first (their labels are the strongest evidence of the
template), then the template is chosen (table 二 headers, table 三（六）structure, else the
report year), then cells are mapped and parsed, sections split, metadata read, the page is judged
report / not report, and the identities are checked. Every template cell is emitted, null with a
reason when it is blank, not applicable, or missing from the document.

A table found in no table structure (flattened text, PDF text layers, OCR, table 四 printed as
lines) is read from its section's text by ``text.read_stream``. Each report gets ``coverage`` and
``min_confidence``; a repaired (damaged) file that yields no cells is kind ``damaged``, not a report
of nulls. ``second_look`` re-reads an HTML page with BeautifulSoup when lxml lost content.
"""
from __future__ import annotations

from govcrawl import checks, templates
from govcrawl.extract import labels as L
from govcrawl.extract import meta as M
from govcrawl.extract import sections as S
from govcrawl.extract import tables as T
from govcrawl.extract import text as X
from govcrawl.extract.document import Document, Paragraph, Table
from govcrawl.extract.grid import resolve
from govcrawl.extract.report import ExtractedReport
from govcrawl.extract.values import looks_numeric, parse

MAX_EXTRA_TABLES = 50


def _peel(doc: Document) -> list:
    """PDF/DOCX readers put running text into tables; lift those rows back out as paragraphs.

    Leading and trailing rows whose only text is in the first cell (and that are not a table-二
    caption) become paragraphs; a table left with no real rows disappears. HTML is left alone.
    """
    if doc.format == "html":
        return list(doc.blocks)
    out: list = []
    for b in doc.blocks:
        if not isinstance(b, Table):
            out.append(b)
            continue
        rows = list(b.rows)

        def prose(row) -> bool:
            texts = [c.text for c in row if c.text and c.text.strip()]
            if not texts:
                return True
            if len(texts) > 1 or not (row[0].text or "").strip():
                return False
            k = L.key(texts[0])
            return "第二十条" not in k and not looks_numeric(texts[0]) and "勾稽" not in k

        head: list = []
        while rows and prose(rows[0]):
            head.append(rows.pop(0))
        tail: list = []
        while rows and prose(rows[-1]):
            tail.insert(0, rows.pop())
        out.extend(Paragraph(L.collapse(r[0].text)) for r in head if r and r[0].text and r[0].text.strip())
        if rows:
            out.append(Table(rows=rows, source=b.source))
        out.extend(Paragraph(L.collapse(r[0].text)) for r in tail if r and r[0].text and r[0].text.strip())
    return out


def _extra_table(grid, caption: str | None) -> dict:
    rows = [[L.collapse(t) for t in r] for r in grid.rows]
    header: list[list[str]] = []
    while rows and len(header) < 3 and not any(looks_numeric(t) for t in rows[0]) and len(rows) > 1:
        header.append(rows.pop(0))
    return {"caption": caption, "header": header, "rows": rows}


def _caption(blocks: list, table_pos: int) -> str | None:
    if table_pos > 0 and isinstance(blocks[table_pos - 1], Paragraph):
        t = blocks[table_pos - 1].text
        if 0 < len(t) <= 80:
            return t
    return None


def _stream_texts(split, paragraphs: list[str]) -> dict[str, str]:
    """Where each table should be in running text: its section, else the whole text."""
    whole = "\n".join(paragraphs)
    secs = split.sections
    return {"t2": secs.get("s2") or whole, "t3": secs.get("s3") or whole, "t4": secs.get("s4") or whole}


def _coverage(rep: ExtractedReport, mapping, uncertain: set[str]) -> None:
    """coverage = template cells found / template cells; min_confidence = the weakest label match
    among the rows and columns that gave a found cell (a cell found by position counts low)."""
    found = [cid for cid, c in rep.cells.items() if c["null_reason"] != "missing"]
    rep.coverage = round(len(found) / len(rep.cells), 4) if rep.cells else 0.0
    if not found:
        rep.min_confidence = None
        return
    confs = []
    for cid in found:
        parts = cid.split(".")
        row_key = ".".join(parts[:-1])
        col_key = f"{parts[0]}.{parts[-1]}" if parts[0] != "t2" else f"t2.{parts[1]}.{parts[-1]}"
        c = min(mapping.confidence.get(row_key, 1.0), mapping.confidence.get(col_key, 1.0))
        if col_key in mapping.low_confidence or cid in uncertain:
            c = min(c, 0.5)
        confs.append(c)
    rep.min_confidence = round(min(confs), 2)


def analyse(doc: Document, *, url: str | None = None, parser_version: str = "") -> ExtractedReport:
    rep = ExtractedReport(parser_version=parser_version, format=doc.format, url=url)
    rep.warnings.extend(doc.warnings)
    blocks = _peel(doc)
    tables = [b for b in blocks if isinstance(b, Table)]
    table_pos = [i for i, b in enumerate(blocks) if isinstance(b, Table)]
    paragraphs = [b.text for b in blocks if isinstance(b, Paragraph)]
    full_text = "\n".join(paragraphs)

    # -- metadata
    split = S.split(paragraphs)
    body_title = M.body_title(paragraphs)
    title = M.page_title(doc.meta, doc.title)
    if not M.looks_like_report_title(title) and body_title:
        title = body_title
    rep.title = title or body_title
    rep.year = M.report_year(rep.title, full_text) or M.report_year(body_title, "")
    rep.agency = M.agency_from_title(rep.title) or M.agency_from_title(body_title)
    if not rep.agency:
        orgs = [s for s in split.signature if not M.iso_date(s)]
        if orgs:
            rep.agency = L.collapse(orgs[0])
        elif paragraphs and S.is_signature_line(paragraphs[0]) and not M.iso_date(paragraphs[0]):
            rep.agency = L.collapse(paragraphs[0])
    rep.published = M.published(doc.meta, split.signature, doc.meta.get("_pagetext", "") + "\n" + full_text[:2000])
    if rep.year is None and rep.published:
        rep.year = int(rep.published[:4]) - 1
        rep.warnings.append("report year not stated; assumed the year before publication")
    rep.sections = split.sections
    rep.images = list(doc.images)

    # -- tables
    by_kind, others = T.group_fragments(tables)
    version, votes = T.detect_version(by_kind)
    year_template = templates.template_for_year(rep.year)
    if version:
        rep.template = version
        if year_template in templates.VERSIONS and year_template != version:
            rep.warnings.append(f"table headers follow the {version} template although report year "
                                f"{rep.year} would use {year_template}")
    elif by_kind and year_template in templates.VERSIONS:
        rep.template = year_template
    elif year_template != "unknown":
        rep.template = year_template
    else:
        rep.template = "2021" if by_kind.get("t3") else "unknown"

    # -- tables that lost their structure (flattened text, PDF text layers, OCR): read as a stream
    n_headings = len([k for k in split.headings if k in ("s1", "s2", "s3", "s4", "s5", "s6")])
    stream_texts = _stream_texts(split, paragraphs)
    if not version and not by_kind:
        text_version = X.detect_version(stream_texts["t3"] + "\n" + stream_texts["t2"])
        if text_version:
            rep.template = text_version
    has_tables = bool(by_kind.get("t3") or by_kind.get("t4") or by_kind.get("t2"))
    stream = None
    if rep.template in templates.VERSIONS:
        want = {k for k in ("t2", "t3", "t4") if not by_kind.get(k)}
        if want:
            stream = X.read_stream(stream_texts, templates.get(rep.template), want)
            has_tables = has_tables or bool(stream.kinds)
    report_title = M.looks_like_report_title(rep.title) or M.looks_like_report_title(body_title)
    links = int(doc.meta.get("_links", "0") or 0)
    if M.looks_like_letter(rep.title) and not has_tables:
        rep.kind, rep.reason = "not_report", f"a letter or notice about disclosure work, not an annual report: {rep.title}"
    elif links >= 3 and n_headings < 3 and not has_tables:
        rep.kind, rep.reason = "not_report", f"listing page: {links} links to reports and no report body"
        rep.year = rep.agency = rep.published = None  # those of the listed reports, not of the page
    elif not has_tables and n_headings < 3 and not (report_title and len(full_text) > 200):
        rep.kind, rep.reason = "not_report", "no report content: no report title, section headings or template tables"
    else:
        rep.kind, rep.reason = "report", ""
    if rep.kind == "not_report" and doc.damaged:
        rep.kind, rep.reason = "damaged", f"{doc.damaged}: what survives reads as no report ({rep.reason})"
    if rep.kind != "report":
        rep.template = "unknown"
        rep.sections = split.sections if n_headings else {}
        return rep

    # -- cells
    used: set[int] = set()
    if rep.template in templates.VERSIONS:
        mapping = T.map_all(by_kind, rep.template)
        used = mapping.used_tables
        rep.warnings.extend(dict.fromkeys(mapping.warnings))
        uncertain: set[str] = set()
        lost = {k for k in ("t2", "t3", "t4") if not any(c.startswith(k + ".") for c in mapping.cells)}
        if stream is None and lost:  # tables there, but one of them not in table form (四 as lines of text)
            stream = X.read_stream(stream_texts, templates.get(rep.template), lost)
        if stream is not None and stream.cells:
            for cid, f in stream.cells.items():
                mapping.cells.setdefault(cid, f)
            mapping.confidence.update(stream.confidence)
            uncertain = set(stream.uncertain)
            rep.warnings.append("tables read from text without table structure: " + ", ".join(
                {"t2": "二", "t3": "三", "t4": "四"}[k] for k in sorted(stream.kinds)))
            rep.warnings.extend(stream.warnings)
        for cid, meta in templates.get(rep.template).cells():
            col = meta["col"]
            found = mapping.cells.get(cid)
            if found is None:
                rep.cells[cid] = {"value": None, "raw": None, "unit": col.unit, "null_reason": "missing",
                                  "source_unit": None, "row_label": None, "col_label": None}
                continue
            v = parse(found.raw, col.type, col.unit)
            if v.warning:
                rep.warnings.append(f"{cid}: {v.warning}")
            rep.cells[cid] = {"value": v.value, "raw": v.raw, "unit": v.unit, "null_reason": v.null_reason,
                              "source_unit": v.source_unit, "row_label": found.row_label,
                              "col_label": found.col_label}
        _coverage(rep, mapping, uncertain)
        if doc.images and (not has_tables or rep.coverage < 0.5):
            # most of the tables are missing and the page shows pictures: they are the likely tables
            # (the prose may still give a few figures through the text reader)
            rep.warnings.append("tables_are_images")
        elif not has_tables:
            rep.warnings.append("no template tables found")
        if doc.damaged and rep.coverage == 0:
            # what survived holds no table cells: say so instead of storing a report of nulls
            rep.kind = "damaged"
            rep.reason = f"{doc.damaged}: no table cells could be read from what survives"
            rep.cells = {}
            rep.min_confidence = None
            return rep
        if doc.damaged:
            rep.warnings.append(f"{doc.damaged}: only {rep.coverage:.0%} of the template cells could be read")
        rep.checks = checks.evaluate(rep.template, rep.values())
    # -- everything not mapped (all tables of a pre-2019 report) is kept as a labelled grid
    for i, table in enumerate(tables):
        if i in used:
            continue
        if len(rep.extra_tables) >= MAX_EXTRA_TABLES:
            rep.warnings.append(f"more than {MAX_EXTRA_TABLES} extra tables; the rest were dropped")
            break
        grid = resolve(table)
        if not grid.rows or not any(t.strip() for r in grid.rows for t in r):
            continue
        rep.extra_tables.append(_extra_table(grid, _caption(blocks, table_pos[i])))
    return rep


# --- a second look with BeautifulSoup ---------------------------------------------------------------

SECOND_LOOK = "html: read again with BeautifulSoup"


def _found(rep: ExtractedReport) -> int:
    return sum(1 for c in rep.cells.values() if c["null_reason"] != "missing")


def second_look_wanted(doc: Document, rep: ExtractedReport) -> bool:
    """libxml2 lost content (nesting past its depth limit), or a report's template tables came out
    incomplete (misnested Word markup that libxml2 repairs differently from a browser)."""
    if not doc.source_text:
        return False
    if doc.meta.get("_lost_depth"):
        return True
    return rep.kind == "report" and rep.template in templates.VERSIONS and 0 < rep.coverage < 1


def second_look(doc: Document, rep: ExtractedReport, *, url: str | None, parser_version: str) -> ExtractedReport:
    """Read the page again with BeautifulSoup; keep the reading that maps more template cells
    (lxml's on a tie), and say which one was kept."""
    from govcrawl.extract.html import read_html

    try:
        doc2 = read_html(doc.source_text, url, soup=True)
    except Exception as e:  # a parser's own failure must not lose the first reading
        rep.warnings.append(f"{SECOND_LOOK} failed: {type(e).__name__}: {e}")
        return rep
    doc2.warnings[:0] = [w for w in doc.warnings if not w.startswith(("html:", "no content block"))]
    rep2 = analyse(doc2, url=url, parser_version=parser_version)
    better = (_found(rep2), rep2.kind == "report", len("".join(rep2.sections.values()))) > \
        (_found(rep), rep.kind == "report", len("".join(rep.sections.values())))
    kept, other = (rep2, rep) if better else (rep, rep2)
    kept.warnings.append(f"{SECOND_LOOK}: kept the {'BeautifulSoup' if better else 'lxml'} reading "
                         f"({_found(kept)} template cells found vs {_found(other)})")
    return kept
