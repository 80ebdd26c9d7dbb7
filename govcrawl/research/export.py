"""Exports of the archive's current reports: CSV or JSON Lines, long or wide, with a codebook.

Long (default): ``reports``, ``cells`` (one row per template cell) and ``checks``. Wide
(``wide=True``): ``reports_wide``, one row per report with a column per template cell, read from
the precomputed ``wide_t2/t3/t4`` tables so 100,000 reports export in seconds. Every export writes
``codebook.csv`` and a Frictionless ``datapackage.json`` beside the data, and ``audit`` (findings per
report and rule) and ``timelines`` (per agency and year) as `govcrawl audit` last computed them.

Row order is deterministic (site, year, URL, report id, then cell or check id). CSV is UTF-8
(``excel=True`` adds a BOM so Excel shows Chinese); text a spreadsheet would run as a formula is
prefixed with an apostrophe. JSON Lines keeps text exactly as archived.
"""
from __future__ import annotations

import csv
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from govcrawl.research import codebook
from govcrawl.archive.store import Archive, wide_cell_defs

FORMATS = ("csv", "jsonl")
REPORT_COLS = list(codebook.REPORT_COLUMNS)
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_REPORT_SQL = {c: {"site_name": "s.name", "division_code": "s.division_code"}.get(c, f"r.{c}")
               for c in REPORT_COLS}


def neutralise(value):
    """Stop spreadsheets from evaluating text as a formula; numbers (also as text: '-185') pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


@dataclass
class Filters:
    years: list[int] = field(default_factory=list)
    division: str | None = None  # administrative division code prefix: 50, 5001, 500112
    template: str | None = None
    sites: list[str] = field(default_factory=list)
    only_consistent: bool = False  # no failed printed or structural check

    def where(self) -> tuple[str, list]:
        sql, params = ["r.is_current = 1"], []
        if self.years:
            sql.append(f"r.year in ({', '.join('?' * len(self.years))})")
            params += self.years
        if self.division:
            sql.append("s.division_code like ? || '%'")
            params.append(self.division)
        if self.template:
            sql.append("r.template = ?")
            params.append(self.template)
        if self.sites:
            sql.append(f"r.site_id in ({', '.join('?' * len(self.sites))})")
            params += self.sites
        if self.only_consistent:
            sql.append("""not exists (select 1 from check_results k join check_defs d using (check_no)
                          where k.report_no = r.report_no and k.status = 'fail'
                          and d.kind in ('printed', 'structural'))""")
        return " and ".join(sql), params


_ORDER = "r.site_id, r.year, r.url, r.report_id"
_FROM = "reports r left join sites s using (site_id)"


def _queries(conn: sqlite3.Connection, wide: bool, filters: Filters, fmt: str) -> dict[str, tuple]:
    """{file stem: (sql, params, [(column, codebook entry)])}."""
    where, params = filters.where()
    report_cols = [(c, codebook.REPORT_COLUMNS[c]) for c in REPORT_COLS]
    report_sel = ", ".join(f"{_REPORT_SQL[c]} as {c}" for c in REPORT_COLS)
    if wide:
        defs = {d.cell_id: d for d in codebook.cell_defs()}
        cells = [d for d in wide_cell_defs(Database(conn))
                 if not filters.template or filters.template in d["templates"].split()]
        sel = ", ".join(f'w{d["tbl"][1]}."{d["cell_id"]}"' for d in cells)
        joins = " ".join(f"left join wide_{t} w{t[1]} on w{t[1]}.report_no = r.report_no"
                         for t in ("t2", "t3", "t4"))
        cols = report_cols + [(d["cell_id"], defs.get(d["cell_id"]) or d) for d in cells]
        return {"reports_wide": (f"select {report_sel}{', ' + sel if sel else ''} from {_FROM} {joins} "
                                 f"where {where} order by {_ORDER}", params, cols)}
    value = "v.value" if fmt == "jsonl" else "v.value_text"
    long_cols = ["report_id", "site_id", "year", "template"]
    cell_cols = ["cell_id", "tbl", "block", "row_id", "col_id", "value", "unit", "null_reason", "raw",
                 "row_label", "col_label"]
    check_cols = ["check_id", "kind", "status", "expr", "detail"]
    describe = {**codebook.REPORT_COLUMNS, **codebook.LONG_COLUMNS}
    return {
        "reports": (f"select {report_sel} from {_FROM} where {where} order by {_ORDER}", params,
                    report_cols),
        "cells": (f"""select r.report_id, r.site_id, r.year, r.template, d.cell_id, d.tbl, d.block,
                      d.row_id, d.col_id, {value} as value, v.unit, v.null_reason, v.raw,
                      rl.label as row_label, cl.label as col_label
                      from {_FROM} join cell_values v on v.report_no = r.report_no
                      join cell_defs d on d.cell_no = v.cell_no
                      left join labels rl on rl.label_no = v.row_label_no
                      left join labels cl on cl.label_no = v.col_label_no
                      where {where} order by {_ORDER}, d.cell_id""", params,
                  [(c, describe[c]) for c in long_cols + cell_cols]),
        "checks": (f"""select r.report_id, r.site_id, r.year, r.template, d.check_id, d.kind, k.status,
                       d.expr, k.detail
                       from {_FROM} join check_results k on k.report_no = r.report_no
                       join check_defs d on d.check_no = k.check_no
                       where {where} order by {_ORDER}, d.check_id""", params,
                   [(c, describe[c]) for c in long_cols + check_cols]),
    }


def _research_queries(filters: Filters) -> dict[str, tuple]:
    """The audit findings and agency timelines of the selected agencies (filled by `govcrawl audit`)."""
    where, params = filters.where()
    audit_cols = list(codebook.AUDIT_COLUMNS)
    t_cols = list(codebook.TIMELINE_COLUMNS)
    t_where, t_params = ["1 = 1"], []
    if filters.years:
        t_where.append(f"t.year in ({', '.join('?' * len(filters.years))})")
        t_params += filters.years
    if filters.division:
        t_where.append("t.division_code like ? || '%'")
        t_params.append(filters.division)
    if filters.sites:
        t_where.append(f"t.site_id in ({', '.join('?' * len(filters.sites))})")
        t_params += filters.sites
    return {
        "audit": (f"""select {', '.join('a.' + c for c in audit_cols)} from audit_findings a
                      join reports r using (report_id) left join sites s on s.site_id = r.site_id
                      where {where} order by a.site_id, a.year, a.report_id, a.rule""", params,
                  [(c, codebook.AUDIT_COLUMNS[c]) for c in audit_cols]),
        "timelines": (f"""select {', '.join('t.' + c for c in t_cols)} from agency_timeline t
                          where {' and '.join(t_where)} order by t.site_id, t.year""", t_params,
                      [(c, codebook.TIMELINE_COLUMNS[c]) for c in t_cols]),
    }


def export(db_path: str | Path, out_dir: str | Path, *, fmt: str = "csv", wide: bool = False,
           excel: bool = False, filters: Filters | None = None) -> dict[str, int]:
    """Write the export files, the codebook and datapackage.json; returns {file name: rows}."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    filters = filters or Filters()
    Archive(db_path).close()  # upgrade an archive written by an older govcrawl
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
    conn.create_function("govcrawl_neutralise", 1, neutralise, deterministic=True)
    counts, resources = {}, []
    try:
        queries = {**_queries(conn, wide, filters, fmt), **_research_queries(filters)}
        for stem, (sql, params, cols) in queries.items():
            name = f"{stem}.{fmt}"
            if fmt == "csv":
                sql = _neutralised(sql, [c for c, _e in cols])
            counts[name] = _write(conn.execute(sql, params), out / name, fmt, excel)
            resources.append((stem, name, cols))
    finally:
        conn.close()
    write_codebook(out, resources, fmt=fmt, excel=excel, filters=filters)
    return counts


def _neutralised(sql: str, columns: list[str]) -> str:
    """Wrap text columns so SQLite calls ``neutralise`` only on the rare value that needs it."""
    starts = ", ".join(f"'{c}'" for c in _FORMULA_START if c.isprintable()) + ", char(9), char(13)"
    sel = ", ".join(
        f"case when substr([{c}], 1, 1) in ({starts}) then govcrawl_neutralise([{c}]) else [{c}] end as [{c}]"
        if codebook_type(c) == "string" else f"[{c}]" for c in columns)  # [x] never falls back to a string
    return f"select {sel} from ({sql})"


def _write(cursor: sqlite3.Cursor, path: Path, fmt: str, excel: bool) -> int:
    columns = [d[0] for d in cursor.description]
    n = 0
    if fmt == "jsonl":
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            for row in cursor:
                f.write(json.dumps(dict(zip(columns, row)), ensure_ascii=False) + "\n")
                n += 1
        return n
    with open(path, "w", newline="", encoding="utf-8-sig" if excel else "utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        while rows := cursor.fetchmany(2000):
            writer.writerows(rows)
            n += len(rows)
    return n


def codebook_type(column: str) -> str:
    for columns in (codebook.REPORT_COLUMNS, codebook.LONG_COLUMNS, codebook.AUDIT_COLUMNS,
                    codebook.TIMELINE_COLUMNS):
        if column in columns:
            return columns[column][0]
    return "number"  # a template cell of a wide export


def _field(column: str, entry) -> dict:
    if isinstance(entry, codebook.CellDef):
        return {"name": column, "type": "number", "description": entry.meaning,
                "title": entry.label_zh, "unit": entry.unit, "templates": entry.templates.split()}
    if isinstance(entry, dict):  # a cell of the archive without a codebook entry
        return {"name": column, "type": "number", "description": column, "title": "", "unit": "",
                "templates": entry.get("templates", "").split()}
    return {"name": column, "type": entry[0], "description": entry[1], "title": "", "unit": "",
            "templates": []}


def write_codebook(out: Path, resources: list, *, fmt: str, excel: bool, filters: Filters) -> None:
    """codebook.csv (file, column, type, unit, meaning, Chinese label, templates) and datapackage.json."""
    with open(out / "codebook.csv", "w", newline="", encoding="utf-8-sig" if excel else "utf-8") as f:
        w = csv.writer(f)
        w.writerow(["file", "column", "type", "unit", "meaning", "label_zh", "templates"])
        for _stem, name, cols in resources:
            for column, entry in cols:
                d = _field(column, entry)
                w.writerow([name, column, d["type"], d["unit"], d["description"], d["title"],
                            " ".join(d["templates"])])
    package = {
        "profile": "tabular-data-package" if fmt == "csv" else "data-package",
        "name": "govcrawl-annual-reports",
        "title": "政府信息公开工作年度报告 — tables extracted by govcrawl",
        "description": "Current version of each archived report. Filters: " + json.dumps(
            {k: v for k, v in filters.__dict__.items() if v}, ensure_ascii=False),
        "licenses": [{"name": "other-pd", "title": "Public government information published by the "
                      "agencies under 《中华人民共和国政府信息公开条例》"}],
        "sources": [{"title": "Agency websites listed in data/sites.csv; every response kept as WARC"}],
        "resources": [
            {"name": stem.replace("_", "-"), "path": name,
             "profile": "tabular-data-resource" if fmt == "csv" else "data-resource",
             "format": fmt, "mediatype": "text/csv" if fmt == "csv" else "application/x-ndjson",
             "encoding": "utf-8-sig" if excel and fmt == "csv" else "utf-8",
             "schema": {"fields": [{k: v for k, v in _field(c, e).items() if v not in ("", [])}
                                   for c, e in cols]}}
            for stem, name, cols in resources
        ],
    }
    (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=1) + "\n",
                                          encoding="utf-8")


def export_csv(db_path: str | Path, out_dir: str | Path, *, excel: bool = False) -> dict[str, int]:
    """The long CSV export of every current report (what `govcrawl demo` writes)."""
    return export(db_path, out_dir, excel=excel)
