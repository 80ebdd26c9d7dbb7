"""Are two archives the same, report for report and cell for cell? (a merged cluster crawl against a
single-machine crawl of the same registry, or any two archives of the same sites).

Compared: every report version (its id is site + URL + content hash), which one is current and
removed, its metadata, cells, checks, sections and attachments; pages rejected as not reports;
and the distinct (URL, status, payload) captures. Not compared: times, run ids, WARC file names,
how many times a URL was fetched, and 5xx answers a retry got past — those say when and where,
not what.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

REPORT_FIELDS = ("report_id", "site_id", "url", "title", "agency", "year", "published", "template",
                 "kind", "is_current", "payload_sha256", "parser_version", "cells_found",
                 "checks_failed", "warnings", "images", "extra_tables", "tables_from")

QUERIES = {
    "reports": f"select {', '.join(REPORT_FIELDS)}, removed_at is not null as removed from reports",
    "cells": "select report_id, cell_id, value_text, raw, unit, null_reason, row_label, col_label from cells",
    "checks": "select report_id, check_id, kind, status, expr, detail from checks",
    "sections": "select report_id, section_id, text from sections",
    "attachments": "select report_id, url, payload_sha256, kind, template, cells_found, used_for_cells, "
                   "warnings from attachments",
    "rejected": "select url, site_id, reason, payload_sha256 from rejected",
    # a server error that a retry got past is an accident of the moment, not content
    "captures": "select distinct url, status, payload_sha256 from captures where status < 500",
}


# Compared when both archives have them (report identities and their URL histories).
OPTIONAL = {
    "report_identities": "select report_key, site_id, agency_key, year, url, current_report_id, versions, "
                         "removed_at is not null as removed, warning from report_identities",
    "report_urls": "select report_key, url, moved_from from report_urls",
}


def snapshot(db: str | Path) -> dict[str, set[tuple]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
        queries = {**QUERIES, **{k: v for k, v in OPTIONAL.items() if k in tables}}
        return {name: set(conn.execute(sql)) for name, sql in queries.items()}
    finally:
        conn.close()


def compare_archives(a: str | Path, b: str | Path, *, limit: int = 10) -> list[str]:
    """Differences between two archives, as readable lines; empty when they hold the same."""
    left, right = snapshot(a), snapshot(b)
    out = []
    for name in [n for n in (*QUERIES, *OPTIONAL) if n in left and n in right]:
        only_a, only_b = left[name] - right[name], right[name] - left[name]
        if only_a or only_b:
            out.append(f"{name}: {len(only_a)} rows only in {a}, {len(only_b)} only in {b}")
            out += [f"  - {row}" for row in sorted(only_a, key=repr)[:limit]]
            out += [f"  + {row}" for row in sorted(only_b, key=repr)[:limit]]
    return out


def counts(db: str | Path) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(db).items()}
