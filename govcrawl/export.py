"""CSV exports of the archive: current reports, their cells (long format) and their checks.

Deterministic row order; UTF-8 (``excel=True`` adds a BOM so Excel shows Chinese); text that a
spreadsheet would run as a formula (=, +, -, @ at the start) is prefixed with an apostrophe.
"""
from __future__ import annotations

import csv
from pathlib import Path

from sqlite_utils import Database

QUERIES = {
    "reports.csv": """
        select r.report_id, r.site_id, s.name as site_name, s.division_code, r.agency, r.year,
               r.template, r.title, r.published, r.url, r.fetched_at, r.payload_sha256,
               r.cells_found, r.checks_failed, r.parser_version, r.tables_from
        from reports r left join sites s using (site_id)
        where r.is_current = 1 order by r.site_id, r.year, r.url""",
    "cells.csv": """
        select c.report_id, r.site_id, r.year, r.template, c.cell_id, c.tbl, c.block, c.row_id,
               c.col_id, c.value_text as value, c.unit, c.null_reason, c.raw, c.row_label, c.col_label
        from cells c join reports r using (report_id)
        where r.is_current = 1 order by r.site_id, r.year, r.url, c.cell_id""",
    "checks.csv": """
        select k.report_id, r.site_id, r.year, r.template, k.check_id, k.kind, k.status, k.expr,
               k.detail
        from checks k join reports r using (report_id)
        where r.is_current = 1 order by r.site_id, r.year, r.url, k.check_id""",
}
NUMERIC_COLUMNS = {"value", "year", "cells_found", "checks_failed"}


def neutralise(value):
    """Stop spreadsheets from evaluating text cells as formulas."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def export_csv(db_path: str | Path, out_dir: str | Path, *, excel: bool = False) -> dict[str, int]:
    """Write the CSV files; returns {file name: data rows written}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db = Database(db_path)
    counts = {}
    try:
        for name, sql in QUERIES.items():
            cursor = db.execute(sql)
            columns = [d[0] for d in cursor.description]
            with open(out / name, "w", newline="", encoding="utf-8-sig" if excel else "utf-8") as f:
                writer = csv.writer(f)
                writer.writerow(columns)
                n = 0
                for row in cursor:
                    writer.writerow(v if c in NUMERIC_COLUMNS else neutralise(v)
                                    for c, v in zip(columns, row))
                    n += 1
            counts[name] = n
    finally:
        db.close()
    return counts
