"""Rebuild report rows from the archived captures after a parser upgrade — no network.

For each current report the page and its attachments are read back from the WARCs and extracted
again, by the ingest stage's code (``ingest.chain_documents``, ``workers.ExtractorPool``). A report's rows are rewritten only when the new result differs from what is stored
(cells, checks, sections, metadata); otherwise the archive is left untouched.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from govcrawl.archive.ingest import chain_documents
from govcrawl.archive.replay import NotArchived
from govcrawl.archive.store import Archive
from govcrawl.archive.workers import ExtractorPool

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


def reextract(db_path: str | Path, warc_dir: str | Path, *, site_ids: list[str] | None = None,
              since: str | None = None, progress=None, workers: int | None = None) -> ReextractSummary:
    """Re-run extraction on every current report, through the ingest stage's worker pool."""
    archive = Archive(db_path)
    pool = ExtractorPool(workers)
    summary = ReextractSummary()
    sql = ("select report_id, site_id, url, capture_id, parser_version, fetched_at, tables_from "
           "from reports where is_current = 1")
    params: list = []
    if site_ids:
        sql += f" and site_id in ({', '.join('?' for _ in site_ids)})"
        params += site_ids
    if since:
        sql += " and fetched_at >= ?"
        params.append(since)
    try:
        jobs = []
        for row in list(archive.db.query(sql + " order by site_id, url", params)):
            summary.examined += 1
            chain = {"page_url": row["url"], "page_capture_id": row["capture_id"], "attachments": [
                dict(a) for a in archive.db.query("select url, capture_id from attachments where "
                                                  "report_id = ? order by url", [row["report_id"]])]}
            try:
                page, attachments = chain_documents(archive, Path(warc_dir), chain)
            except NotArchived as exc:
                summary.failed += 1
                log.warning("cannot re-extract %s: %s", row["url"], exc)
                continue
            jobs.append((row, page, pool.submit(page, attachments)))
            if len(jobs) >= 2 * max(1, pool.workers):  # bounded: bodies are held until stored
                _store(archive, pool, jobs.pop(0), summary, progress)
        while jobs:
            _store(archive, pool, jobs.pop(0), summary, progress)
    finally:
        pool.close()
        archive.close()
    return summary


def _store(archive: Archive, pool: ExtractorPool, job, summary: ReextractSummary, progress) -> None:
    row, page, future = job
    built = pool.result(future)
    if built.report is None or archive.stored_matches(row["report_id"], built.report, built.tables_from):
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
