"""The only code that writes the SQLite archive.

Schema changes go through versioned ``sqlite_utils`` migrations, so an archive made by an older
govcrawl is upgraded in place. Rows are keyed by ids derived from their content (see ``ids``), so
writing the same capture or report twice is an upsert, never a duplicate.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("govcrawl")


@migrations()
def m001_initial(db: Database) -> None:
    db["sites"].create(
        {"site_id": str, "name": str, "level": str, "division_code": str, "parent_id": str,
         "listing_urls": str, "allowed_domains": str, "platform": str, "verified": int},
        pk="site_id",
    )
    db["runs"].create(
        {"run_id": str, "started_at": str, "ended_at": str, "status": str, "sites": str,
         "summary": str},
        pk="run_id",
    )
    db["captures"].create(
        {"capture_id": str, "run_id": str, "site_id": str, "url": str, "method": str,
         "status": int, "fetched_at": str, "mime": str, "length": int, "payload_sha256": str,
         "record_type": str, "warc_file": str, "warc_offset": int, "warc_length": int,
         "payload_digest": str, "etag": str, "last_modified": str},
        pk="capture_id",
    )
    db["captures"].create_index(["url", "fetched_at"])
    db["captures"].create_index(["payload_sha256"])
    db["reports"].create(
        {"report_id": str, "site_id": str, "url": str, "title": str, "agency": str, "year": int,
         "published": str, "template": str, "kind": str, "reason": str, "is_current": int,
         "payload_sha256": str, "capture_id": str, "fetched_at": str, "warc_file": str,
         "warc_offset": int, "parser_version": str, "cells_found": int, "checks_failed": int,
         "warnings": str, "images": str, "extra_tables": str, "tables_from": str,
         "first_seen_at": str, "last_seen_at": str, "removed_at": str},
        pk="report_id",
    )
    db["reports"].create_index(["site_id", "year"])
    db["reports"].create_index(["url"])
    db["cells"].create(
        {"report_id": str, "cell_id": str, "tbl": str, "block": str, "row_id": str,
         "col_id": str, "value": float, "value_text": str, "raw": str, "unit": str,
         "null_reason": str, "row_label": str, "col_label": str},
        pk=("report_id", "cell_id"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["checks"].create(
        {"report_id": str, "check_id": str, "kind": str, "status": str, "expr": str,
         "detail": str},
        pk=("report_id", "check_id"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["sections"].create(
        {"report_id": str, "section_id": str, "text": str},
        pk=("report_id", "section_id"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["attachments"].create(
        {"report_id": str, "url": str, "capture_id": str, "payload_sha256": str, "kind": str,
         "template": str, "cells_found": int, "used_for_cells": int, "warnings": str},
        pk=("report_id", "url"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["rejected"].create(
        {"url": str, "site_id": str, "title": str, "reason": str, "payload_sha256": str,
         "run_id": str, "fetched_at": str},
        pk="url",
    )
    db["errors"].create(
        {"run_id": str, "site_id": str, "url": str, "reason": str, "status": int, "at": str},
    )
    db["errors"].create_index(["run_id", "site_id"])


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def short_hash(*parts: object) -> str:
    """A 16-hex id from its parts: stable across runs and rebuilds."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def report_id_for(site_id: str, url: str, payload_sha256: str) -> str:
    """One id per (site, document URL, content): a changed page is a new version, a re-crawl is not."""
    return short_hash("report", site_id, url, payload_sha256)


def split_cell_id(cell_id: str) -> tuple[str, str, str, str]:
    """'t2.a20_1.rules.issued' → (t2, a20_1, rules, issued); 't3.new.person' → (t3, '', new, person)."""
    parts = cell_id.split(".")
    if parts[0] == "t2" and len(parts) == 4:
        return parts[0], parts[1], parts[2], parts[3]
    if len(parts) == 3:
        return parts[0], "", parts[1], parts[2]
    return parts[0], "", ".".join(parts[1:-1]), parts[-1]


def numeric(value: Any) -> tuple[float | int | None, str | None]:
    """(number for SQL arithmetic, exact decimal text) from an extracted cell value."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return value, str(value)
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        return None, str(value)
    as_int = int(dec) if dec == dec.to_integral_value() and "." not in str(value) else None
    return (as_int if as_int is not None else float(dec)), str(value)


@dataclass
class StoredReport:
    report_id: str
    is_new: bool


class Archive:
    """The SQLite archive: open (creating or upgrading it), then record captures and reports."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        migrations.apply(self.db)

    def close(self) -> None:
        self.db.close()

    # --- registry and runs -------------------------------------------------------------------

    def upsert_sites(self, sites: Iterable[Any]) -> None:
        rows = [
            {"site_id": s.site_id, "name": s.name, "level": s.level,
             "division_code": s.division_code, "parent_id": s.parent_id or "",
             "listing_urls": " ".join(s.listing_urls), "allowed_domains": " ".join(s.allowed_domains),
             "platform": s.platform or "", "verified": int(bool(s.verified))}
            for s in sites
        ]
        if rows:
            self.db["sites"].upsert_all(rows, pk="site_id")

    def start_run(self, run_id: str, site_ids: list[str]) -> None:
        self.db["runs"].upsert(
            {"run_id": run_id, "started_at": utcnow(), "ended_at": None, "status": "running",
             "sites": " ".join(site_ids), "summary": None},
            pk="run_id",
        )

    def finish_run(self, run_id: str, status: str, summary: dict) -> None:
        self.db["runs"].update(
            run_id, {"ended_at": utcnow(), "status": status,
                     "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True)}
        )

    def record_error(self, run_id: str, site_id: str, url: str, reason: str, status: int | None) -> None:
        self.db["errors"].insert(
            {"run_id": run_id, "site_id": site_id, "url": url, "reason": reason, "status": status,
             "at": utcnow()}
        )

    # --- captures ------------------------------------------------------------------------------

    def record_capture(self, row: dict) -> None:
        self.db["captures"].upsert(row, pk="capture_id")

    def latest_good_capture(self, url: str) -> dict | None:
        """The newest 200 capture of a URL (response or revisit) — what a revalidation compares to."""
        rows = list(self.db.query(
            "select * from captures where url = ? and status in (200, 304) "
            "order by fetched_at desc, rowid desc limit 1", [url]))
        return rows[0] if rows else None

    def capture_for_digest(self, payload_sha256: str) -> dict | None:
        """The first archived response with this payload, for WARC revisit records."""
        rows = list(self.db.query(
            "select * from captures where payload_sha256 = ? and record_type = 'response' "
            "order by fetched_at limit 1", [payload_sha256]))
        return rows[0] if rows else None

    # --- reports -------------------------------------------------------------------------------

    def save_rejected(self, *, url: str, site_id: str, title: str, reason: str,
                      payload_sha256: str, run_id: str) -> None:
        self.db["rejected"].upsert(
            {"url": url, "site_id": site_id, "title": title, "reason": reason,
             "payload_sha256": payload_sha256, "run_id": run_id, "fetched_at": utcnow()},
            pk="url",
        )

    def save_report(self, *, site_id: str, url: str, capture: dict, report: dict,
                    attachments: list[dict] | None = None, tables_from: str | None = None) -> StoredReport:
        """Write one report (the dict of ``ExtractedReport.to_dict()``) with its cells and checks.

        ``capture`` is the captures row of the document's response. Older versions of the same
        URL stay in the archive with ``is_current = 0``.
        """
        sha = capture["payload_sha256"]
        report_id = report_id_for(site_id, url, sha)
        existing = list(self.db.query("select first_seen_at from reports where report_id = ?", [report_id]))
        is_new = not existing
        now = utcnow()
        cells = report.get("cells") or {}
        checks = report.get("checks") or []
        with self.db.conn:
            self.db.execute("update reports set is_current = 0 where site_id = ? and url = ? "
                            "and report_id != ?", [site_id, url, report_id])
            self.db["reports"].upsert(
                {"report_id": report_id, "site_id": site_id, "url": url,
                 "title": report.get("title"), "agency": report.get("agency"),
                 "year": report.get("year"), "published": report.get("published"),
                 "template": report.get("template"), "kind": report.get("kind"),
                 "reason": report.get("reason"), "is_current": 1, "payload_sha256": sha,
                 "capture_id": capture.get("capture_id"), "fetched_at": capture.get("fetched_at"),
                 "warc_file": capture.get("warc_file"), "warc_offset": capture.get("warc_offset"),
                 "parser_version": report.get("parser_version"),
                 "cells_found": sum(1 for c in cells.values() if c.get("null_reason") != "missing"),
                 "checks_failed": sum(1 for c in checks if c.get("status") == "fail"),
                 "warnings": json.dumps(report.get("warnings") or [], ensure_ascii=False),
                 "images": json.dumps(report.get("images") or [], ensure_ascii=False),
                 "extra_tables": json.dumps(report.get("extra_tables") or [], ensure_ascii=False),
                 "tables_from": tables_from or url,
                 "first_seen_at": existing[0]["first_seen_at"] if existing else now,
                 "last_seen_at": now, "removed_at": None},
                pk="report_id",
            )
            for table in ("cells", "checks", "sections", "attachments"):
                self.db.execute(f"delete from {table} where report_id = ?", [report_id])
            self.db["cells"].insert_all(self._cell_rows(report_id, cells))
            self.db["checks"].insert_all(
                {"report_id": report_id, "check_id": c["id"], "kind": c.get("kind"),
                 "status": c.get("status"), "expr": c.get("expr"), "detail": c.get("detail")}
                for c in checks
            )
            self.db["sections"].insert_all(
                {"report_id": report_id, "section_id": sid, "text": text}
                for sid, text in (report.get("sections") or {}).items() if text
            )
            if attachments:
                self.db["attachments"].insert_all(
                    dict(a, report_id=report_id) for a in attachments)
        return StoredReport(report_id, is_new)

    def stored_matches(self, report_id: str, report: dict, tables_from: str) -> bool:
        """Would saving ``report`` under ``report_id`` change any stored cell, check or section?"""
        rows = list(self.db.query("select * from reports where report_id = ?", [report_id]))
        if not rows:
            return False
        r = rows[0]
        meta_same = all(r[k] == report.get(k) for k in ("title", "agency", "year", "published",
                                                          "template", "kind")) and r["tables_from"] == tables_from
        cells_now = {c["cell_id"]: c for c in self.db.query(
            "select * from cells where report_id = ?", [report_id])}
        cells_new = {c["cell_id"]: dict(c) for c in self._cell_rows(report_id, report.get("cells") or {})}
        checks_now = {(c["check_id"], c["status"], c["detail"]) for c in self.db.query(
            "select * from checks where report_id = ?", [report_id])}
        checks_new = {(c["id"], c.get("status"), c.get("detail")) for c in report.get("checks") or []}
        sections_now = {(x["section_id"], x["text"]) for x in self.db.query(
            "select * from sections where report_id = ?", [report_id])}
        sections_new = {(k, v) for k, v in (report.get("sections") or {}).items() if v}
        return meta_same and cells_now == cells_new and checks_now == checks_new and sections_now == sections_new

    def unchanged_report(self, report_id: str, parser_version: str,
                         attachment_shas: Iterable[str]) -> dict | None:
        """The stored report row when this exact content was already extracted by this parser."""
        rows = list(self.db.query("select * from reports where report_id = ?", [report_id]))
        if not rows or rows[0]["parser_version"] != parser_version:
            return None
        stored = {r["payload_sha256"] for r in self.db.query(
            "select payload_sha256 from attachments where report_id = ?", [report_id])}
        return rows[0] if stored == set(attachment_shas) else None

    def touch_report(self, report_id: str) -> None:
        """Seen again on its site: still current, not removed."""
        self.db.execute("update reports set last_seen_at = ?, removed_at = null where report_id = ?",
                        [utcnow(), report_id])
        self.db.conn.commit()

    def mark_removed(self, site_id: str, seen_urls: Iterable[str]) -> int:
        """Current reports of a site that its listings no longer link: removed, never deleted."""
        seen = set(seen_urls)
        gone = [r["report_id"] for r in self.db.query(
            "select report_id, url from reports where site_id = ? and is_current = 1 "
            "and removed_at is null", [site_id]) if r["url"] not in seen]
        now = utcnow()
        with self.db.conn:
            for report_id in gone:
                self.db.execute("update reports set removed_at = ? where report_id = ?", [now, report_id])
        return len(gone)

    @staticmethod
    def _cell_rows(report_id: str, cells: dict) -> Iterable[dict]:
        for cell_id, cell in cells.items():
            tbl, block, row_id, col_id = split_cell_id(cell_id)
            value, value_text = numeric(cell.get("value"))
            yield {"report_id": report_id, "cell_id": cell_id, "tbl": tbl, "block": block,
                   "row_id": row_id, "col_id": col_id, "value": value, "value_text": value_text,
                   "raw": cell.get("raw"), "unit": cell.get("unit"),
                   "null_reason": cell.get("null_reason"), "row_label": cell.get("row_label"),
                   "col_label": cell.get("col_label")}
