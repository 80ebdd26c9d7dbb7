"""Rebuild report rows from the archived captures after a parser upgrade — no network.

For each current report the page and its attachments are read back from the WARCs and extracted
again. A report's rows are rewritten only when the new result differs from what is stored
(cells, checks, sections, metadata); otherwise the archive is left untouched.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from govcrawl.archive.ingest import Fetched, build_report
from govcrawl.archive.replay import NotArchived, payload
from govcrawl.archive.store import Archive

log = logging.getLogger(__name__)


@dataclass
class ReextractSummary:
    examined: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return (f"re-extracted {self.examined} reports: {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.failed} could not be read back")


def _fetched(archive: Archive, warc_dir: Path, capture_id: str, url: str) -> Fetched:
    rows = list(archive.db.query("select * from captures where capture_id = ?", [capture_id]))
    if not rows:
        raise NotArchived(f"capture {capture_id} of {url} is not in the index")
    capture = rows[0]
    return Fetched(url=url, body=payload(archive, warc_dir, capture), content_type=capture["mime"],
                   capture=capture)


def reextract(db_path: str | Path, warc_dir: str | Path, *, site_ids: list[str] | None = None,
              since: str | None = None, progress=None) -> ReextractSummary:
    archive = Archive(db_path)
    warc_dir = Path(warc_dir)
    summary = ReextractSummary()
    sql = "select report_id, site_id, url, capture_id, parser_version, fetched_at from reports where is_current = 1"
    params: list = []
    if site_ids:
        sql += f" and site_id in ({', '.join('?' for _ in site_ids)})"
        params += site_ids
    if since:
        sql += " and fetched_at >= ?"
        params.append(since)
    try:
        for row in list(archive.db.query(sql + " order by site_id, url", params)):
            summary.examined += 1
            try:
                page = _fetched(archive, warc_dir, row["capture_id"], row["url"])
                attachments = [_fetched(archive, warc_dir, a["capture_id"], a["url"]) for a in
                               archive.db.query("select url, capture_id from attachments where "
                                                "report_id = ? order by url", [row["report_id"]])]
            except NotArchived as exc:
                summary.failed += 1
                log.warning("cannot re-extract %s: %s", row["url"], exc)
                continue
            built = build_report(page, attachments)
            if built.report is None or archive.stored_matches(row["report_id"], built.report,
                                                               built.tables_from):
                summary.unchanged += 1  # a page that no longer extracts as a report is kept as is
                changed = False
            else:
                archive.save_report(site_id=row["site_id"], url=row["url"], capture=page.capture,
                                    report=built.report, attachments=built.attachment_rows,
                                    tables_from=built.tables_from, replace=row["report_id"])
                summary.changed += 1
                changed = True
            if progress:
                progress(row, changed)
    finally:
        archive.close()
    return summary
