"""From fetched documents to archive rows: extract a report page and its attachments, keep the best.

A report is one page plus whatever it links as attachments. When the page's own tables are missing
(``详见附件``, images) but an attachment carries them, the attachment's cells are used and the
report row says so (``tables_from``). Used by the crawl pipeline and by re-extraction alike; it
knows nothing of Scrapy.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from govcrawl.extract import PARSER_VERSION, UnreadableDocument, extract
from govcrawl.extract.sniff import IMAGE_KINDS, sniff
from govcrawl.archive.store import Archive, report_id_for

log = logging.getLogger(__name__)


@dataclass
class Fetched:
    """A downloaded document: decoded transfer, raw content bytes, and its capture index row."""

    url: str
    body: bytes
    content_type: str | None
    capture: dict
    link_text: str = ""


@dataclass
class IngestResult:
    kind: str  # report | not_report | unreadable
    url: str
    report_id: str | None = None
    is_new: bool = False
    checks_failed: int = 0
    reason: str = ""
    warnings: list[str] = field(default_factory=list)


def _cells_found(report: dict) -> int:
    return sum(1 for c in (report.get("cells") or {}).values() if c.get("null_reason") != "missing")


def _extract(doc: Fetched, resources: dict[str, bytes] | None = None) -> tuple[dict | None, str]:
    """(the extraction, or None with why the document could not be read)."""
    try:
        return extract(doc.body, url=doc.url, content_type=doc.content_type, resources=resources).to_dict(), ""
    except UnreadableDocument as exc:
        log.warning("unreadable document %s: %s", doc.url, exc)
        return None, str(exc)


@dataclass
class Built:
    """A report assembled from a page and its attachments, ready to store (or why not)."""

    report: dict | None  # ExtractedReport.to_dict() of the chosen source, None when not a report
    reason: str = ""
    title: str = ""
    tables_from: str = ""
    attachment_rows: list[dict] = field(default_factory=list)


def build_report(page: Fetched, attachments: list[Fetched] = ()) -> Built:
    """Extract ``page`` and its attachments; take the tables from whichever source has them."""
    # a page's pictures (tables as <img>) are read with the page, where they stand, not alone
    images = {a.url: a.body for a in attachments if a.body and sniff(a.body) in IMAGE_KINDS}
    main, why = _extract(page, images)
    shown = set((main or {}).get("images") or []) & set(images)  # linked pictures are read on their own
    images = {u: b for u, b in images.items() if u in shown}
    extracted = [(a, None if a.url in images else _extract(a)[0]) for a in attachments]
    if main is None and not any(r for _, r in extracted):
        return Built(None, f"unreadable document: {why}"[:500], page.link_text)

    best_attachment = max(
        ((a, r) for a, r in extracted if r and r.get("kind") == "report"),
        key=lambda ar: _cells_found(ar[1]), default=(None, None))
    tables_from = page.url
    if main is None or (main.get("kind") != "report" and best_attachment[1]):
        main, tables_from = _adopt(main, best_attachment[1]), best_attachment[0].url
    elif best_attachment[1] and _cells_found(best_attachment[1]) > _cells_found(main):
        main, tables_from = _adopt(main, best_attachment[1]), best_attachment[0].url

    if main.get("kind") != "report":
        reason = "; ".join([main.get("reason") or "not a report", *(main.get("warnings") or [])])
        return Built(None, reason[:500], main.get("title") or page.link_text)
    rows = [
        {"url": a.url, "capture_id": a.capture.get("capture_id"),
         "payload_sha256": a.capture.get("payload_sha256"),
         "kind": r.get("kind") if r else ("image" if a.url in images else "unreadable"),
         "template": r.get("template") if r else None,
         "cells_found": _cells_found(r) if r else 0,
         "used_for_cells": int(a.url == tables_from or (a.url in images and tables_from == page.url)),
         "warnings": "; ".join(r.get("warnings") or []) if r else (
             "picture in the page: read by OCR with the page" if a.url in images else "unreadable")}
        for a, r in extracted
    ]
    return Built(main, title=main.get("title") or "", tables_from=tables_from, attachment_rows=rows)


def ingest_report(archive: Archive, *, site_id: str, run_id: str, page: Fetched,
                  attachments: list[Fetched] = (),
                  load_body: Callable[[str], bytes | None] | None = None) -> IngestResult:
    """Store a report (or record why it is not one); skip the work when nothing changed.

    A not-modified document may arrive without its body; ``load_body(sha256)`` reads it back from
    the archive when it has to be extracted again after all.
    """
    report_id = report_id_for(site_id, page.url, page.capture.get("payload_sha256", ""))
    attachment_shas = {a.url: a.capture.get("payload_sha256", "") for a in attachments}
    stored = archive.unchanged_report(report_id, PARSER_VERSION, attachment_shas)
    if stored:
        archive.touch_report(report_id)
        return IngestResult("report", page.url, report_id, is_new=False,
                            checks_failed=stored["checks_failed"] or 0)

    for doc in (page, *attachments):
        if not doc.body and load_body and doc.capture.get("status") == 304:
            doc.body = load_body(doc.capture.get("payload_sha256", "")) or b""
    built = build_report(page, attachments)
    if built.report is None:
        archive.save_rejected(url=page.url, site_id=site_id, title=built.title, reason=built.reason,
                              run_id=run_id, payload_sha256=page.capture.get("payload_sha256", ""))
        kind = "unreadable" if built.reason.startswith("unreadable document") else "not_report"
        return IngestResult(kind, page.url, reason=built.reason)
    saved = archive.save_report(site_id=site_id, url=page.url, capture=page.capture,
                                report=built.report, attachments=built.attachment_rows,
                                tables_from=built.tables_from)
    failed = sum(1 for c in built.report.get("checks") or [] if c.get("status") == "fail")
    return IngestResult("report", page.url, saved.report_id, saved.is_new, failed,
                        warnings=list(built.report.get("warnings") or []))


def _adopt(page: dict | None, attachment: dict) -> dict:
    """The attachment's tables and checks under the page's title/agency/year where the page has them."""
    merged = dict(attachment)
    if page:
        for key in ("title", "agency", "year", "published"):
            if page.get(key):
                merged[key] = page[key]
        if page.get("kind") == "report":
            sections = dict(attachment.get("sections") or {})
            sections.update({k: v for k, v in (page.get("sections") or {}).items() if v})
            merged["sections"] = sections
        merged["warnings"] = list(page.get("warnings") or []) + [
            "tables taken from attachment"] + list(attachment.get("warnings") or [])
    return merged
