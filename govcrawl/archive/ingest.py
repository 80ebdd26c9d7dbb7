"""Ingest: from captured report chains to report versions — the one path for crawl, re-extraction
and other nodes' captures.

A report is one page plus whatever it links as attachments. When the page's own tables are missing
(``详见附件``, images) but an attachment carries them, the attachment's cells are used and the
report row says so (``tables_from``). The crawl only captures and records chains (page capture +
attachment captures); ``IngestStage`` reads the bodies back from the WARCs, extracts in worker
processes (``workers.ExtractorPool``: time and memory limits per document) and writes versions,
then stamps the chain. A chain is stamped only after its version is stored, so an ingest killed at
any moment loses nothing: the next one redoes the unstamped chains, and storing is idempotent.
Knows nothing of Scrapy.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Callable

from govcrawl.archive.workers import WorkerDied
from govcrawl.extract import PARSER_VERSION, UnreadableDocument, extract
from govcrawl.extract.sniff import IMAGE_KINDS, sniff
from govcrawl.archive.store import Archive

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
    kind: str  # report | not_report | unreadable | damaged
    url: str
    report_id: str | None = None  # the version stored or found
    is_new: bool = False  # a version the archive did not hold (new report or changed content)
    checks_failed: int = 0
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    new_report: bool = False  # an agency-year the archive did not hold
    moved_from: str | None = None  # the report's previous URL, when found at a new one
    conflict: str | None = None  # two different documents for one agency-year
    coverage: float | None = None  # template cells found / template cells, of a stored version


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
    kind: str = ""  # what extraction called a non-report: not_report | damaged


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
        return Built(None, reason[:500], main.get("title") or page.link_text, kind=main.get("kind") or "")
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


def find_unchanged(archive: Archive, *, site_id: str, run_id: str | None, page: Fetched,
                   attachments: list[Fetched] = ()) -> IngestResult | None:
    """The stored version when these captures add nothing to it — no body read, no extraction."""
    stored = archive.unchanged_version(site_id, page.capture.get("payload_sha256", ""), PARSER_VERSION,
                                       [a.capture.get("payload_sha256", "") for a in attachments])
    if not stored:
        return None
    seen = archive.touch_report(stored["report_id"], page.url, run_id, page.capture.get("fetched_at"))
    return IngestResult("report", page.url, stored["report_id"], is_new=False,
                        checks_failed=stored["checks_failed"] or 0, moved_from=seen.moved_from,
                        conflict=seen.warning)


def store_built(archive: Archive, *, site_id: str, run_id: str | None, page: Fetched,
                built: Built) -> IngestResult:
    """Write what ``build_report`` made of a chain: a version, or why it is not a report."""
    if built.report is None:
        archive.save_rejected(url=page.url, site_id=site_id, title=built.title, reason=built.reason,
                              run_id=run_id or "", payload_sha256=page.capture.get("payload_sha256", ""))
        kind = ("unreadable" if built.reason.startswith("unreadable document")
                else "damaged" if built.kind == "damaged" else "not_report")
        return IngestResult(kind, page.url, reason=built.reason)
    saved = archive.save_report(site_id=site_id, url=page.url, capture=page.capture,
                                report=built.report, attachments=built.attachment_rows,
                                tables_from=built.tables_from, run_id=run_id)
    failed = sum(1 for c in built.report.get("checks") or [] if c.get("status") == "fail")
    return IngestResult("report", page.url, saved.report_id, saved.is_new, failed,
                        warnings=list(built.report.get("warnings") or []), new_report=saved.new_report,
                        moved_from=saved.moved_from, conflict=saved.warning,
                        coverage=built.report.get("coverage"))


def ingest_report(archive: Archive, *, site_id: str, run_id: str, page: Fetched,
                  attachments: list[Fetched] = (),
                  load_body: Callable[[str], bytes | None] | None = None) -> IngestResult:
    """One chain in this process: store a report version (or why it is not one); skip the work
    when nothing changed. A document without its body is read back by ``load_body(sha256)``."""
    unchanged = find_unchanged(archive, site_id=site_id, run_id=run_id, page=page, attachments=attachments)
    if unchanged:
        return unchanged
    for doc in (page, *attachments):
        if not doc.body and load_body and doc.capture.get("payload_sha256"):
            doc.body = load_body(doc.capture.get("payload_sha256", "")) or b""
    return store_built(archive, site_id=site_id, run_id=run_id, page=page,
                       built=build_report(page, attachments))


# --- the ingest stage ---------------------------------------------------------------------------

# Chains left pending (not stamped) for the next ingest: a WARC not (yet) here, a dead worker.
RETRY_LATER = ("not_archived", "worker_died")

@dataclass
class IngestSummary:
    chains: int = 0
    reports: int = 0
    new_reports: int = 0
    changed: int = 0
    unchanged: int = 0
    moved: int = 0
    not_reports: int = 0
    failed: int = 0  # chains whose captures could not be read back

    def add(self, result: IngestResult) -> None:
        self.chains += 1
        if result.kind == "report":
            self.reports += 1
            self.new_reports += int(result.new_report)
            self.changed += int(result.is_new and not result.new_report)
            self.unchanged += int(not result.is_new)
            self.moved += int(bool(result.moved_from))
        elif result.kind in RETRY_LATER:
            self.failed += 1
        else:
            self.not_reports += 1

    def __str__(self) -> str:
        return (f"ingested {self.chains} report chains: {self.reports} reports ({self.new_reports} new, "
                f"{self.changed} changed, {self.unchanged} unchanged, {self.moved} moved), "
                f"{self.not_reports} not reports, {self.failed} left for the next ingest (WARC not found "
                f"or extraction worker died)")


def chain_documents(archive: Archive, warc_dirs, chain: dict, *,
                    with_bodies: bool = True) -> tuple[Fetched, list[Fetched]]:
    """The chain's page and attachments as captured; bodies read back from the WARCs.

    Attachments that were never captured (failed, blocked, the crawl stopped) are left out: a
    missing attachment is not a change. Raises ``NotArchived`` when the page itself is missing.
    """
    from govcrawl.archive.replay import NotArchived, payload

    page_capture = archive.capture(chain.get("page_capture_id"))
    if page_capture is None:
        raise NotArchived(f"the page capture of {chain['page_url']} is not in the captures index")
    docs = []
    for a in chain.get("attachments") or []:
        capture = archive.capture(a.get("capture_id"))
        if capture is not None:
            docs.append(Fetched(a["url"], b"", a.get("content_type") or capture.get("mime"), capture))
    page = Fetched(chain["page_url"], b"", chain.get("content_type") or page_capture.get("mime"),
                   page_capture, chain.get("link_text") or "")
    if with_bodies:
        for doc in (page, *docs):
            doc.body = payload(archive, warc_dirs, doc.capture)
    return page, docs


class IngestStage:
    """Chains → versions. ``run(chains)`` keeps the worker pool busy and stores results as they
    come back; ``on_result(chain, result)`` sees each one (the crawl counts and logs them)."""

    def __init__(self, archive: Archive, warc_dirs, pool, *,
                 on_result: Callable[[dict, IngestResult], None] | None = None):
        self.archive = archive
        self.warc_dirs = warc_dirs
        self.pool = pool
        self.on_result = on_result
        self.summary = IngestSummary()

    def run(self, chains: list[dict], *, stop: Callable[[], bool] | None = None) -> IngestSummary:
        from concurrent.futures import FIRST_COMPLETED, wait

        from govcrawl.archive.replay import NotArchived

        window = max(1, self.pool.workers) * 2
        queue = list(chains)
        in_flight: dict = {}
        while queue or in_flight:
            while queue and len(in_flight) < window and not (stop and stop()):
                chain = queue.pop(0)
                run_id = chain.get("run_id")
                try:
                    page, docs = chain_documents(self.archive, self.warc_dirs, chain, with_bodies=False)
                    result = find_unchanged(self.archive, site_id=chain["site_id"], run_id=run_id,
                                            page=page, attachments=docs)
                    if result is None:
                        page, docs = chain_documents(self.archive, self.warc_dirs, chain)
                        in_flight[self.pool.submit(page, docs)] = (chain, page)
                        continue
                except NotArchived as exc:
                    result = IngestResult("not_archived", chain["page_url"], reason=str(exc))
                self._done(chain, result)
            if not in_flight:
                break
            finished, _ = wait(list(in_flight), timeout=1.0, return_when=FIRST_COMPLETED)
            for future in finished:
                chain, page = in_flight.pop(future)
                try:
                    built = self.pool.result(future)
                except WorkerDied as exc:  # which chain killed it is unknown: none is stamped,
                    # all are tried again by the next ingest
                    self._done(chain, IngestResult("worker_died", page.url, reason=str(exc)))
                    continue
                result = store_built(self.archive, site_id=chain["site_id"], run_id=chain.get("run_id"),
                                     page=page, built=built)
                self._done(chain, result)
        return self.summary

    def _done(self, chain: dict, result: IngestResult) -> None:
        if result.kind not in RETRY_LATER:  # a missing WARC may arrive later (another node's)
            self.archive.chain_done(chain["chain_id"], result.kind, result.report_id)
        self.summary.add(result)
        if self.on_result:
            self.on_result(chain, result)


def ingest_pending(archive: Archive, warc_dirs, pool, *, run_id: str | None = None,
                   since: str | None = None, on_result=None, stop=None, batch: int = 500) -> IngestSummary:
    """Ingest every chain not yet ingested (of one run, or since a date), batch by batch."""
    stage = IngestStage(archive, warc_dirs, pool, on_result=on_result)
    skipped: set[str] = set()
    while not (stop and stop()):
        chains = [c for c in archive.pending_chains(run_id=run_id, since=since, limit=batch + len(skipped))
                  if c["chain_id"] not in skipped]
        if not chains:
            break
        before = stage.summary.failed
        stage.run(chains, stop=stop)
        if stage.summary.failed > before:  # not archived: stays pending, but not again this time
            skipped |= {c["chain_id"] for c in chains
                        if archive.db.execute("select ingested_at is null from chains where chain_id = ?",
                                              [c["chain_id"]]).fetchone()[0]}
    return stage.summary


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


def index_warcs(archive: Archive, warc_dir, progress=None) -> tuple[int, int]:
    """Add a directory of WARC files (another crawl node's) to the archive's index: captures and
    report chains, read from the WARCs alone. Returns (new captures, new chains); a directory
    indexed before adds (0, 0)."""
    from pathlib import Path

    from govcrawl.archive.store import short_hash
    from govcrawl.archive.warc import scan

    warc_dir = Path(warc_dir).resolve()
    new_captures = new_chains = 0
    for path in sorted(warc_dir.glob("*.warc.gz")):
        run_id = path.name.split("-", 1)[-1].rsplit("-", 1)[0] if path.name.count("-") >= 2 else None
        with archive.writing():
            for kind, row in scan(path):
                if kind == "chain":
                    if archive.db.execute("select 1 from chains where chain_id = ?",
                                          [row["chain_id"]]).fetchone():
                        continue
                    if row.get("site_id") and not archive.db.execute(
                            "select 1 from sites where site_id = ?", [row["site_id"]]).fetchone():
                        archive.db["sites"].insert({"site_id": row["site_id"], "name": row.get("site_name")})
                    archive.db.execute(
                        "insert into chains (chain_id, run_id, site_id, page_url, page_capture_id, content_type, "
                        "link_text, attachments, open_reason, created_at) values (?,?,?,?,?,?,?,?,?,?)",
                        [row["chain_id"], row.get("run_id"), row.get("site_id"), row["page_url"],
                         row.get("page_capture_id"), row.get("content_type"), row.get("link_text"),
                         json.dumps(row.get("attachments") or [], ensure_ascii=False), row.get("open_reason"),
                         row.get("created_at")])
                    ids = [row.get("page_capture_id"), *(a.get("capture_id") for a in row.get("attachments") or [])]
                    archive.db.execute(f"update captures set site_id = ? where site_id is null and capture_id in "
                                       f"({', '.join('?' * len(ids))})", [row.get("site_id"), *ids])
                    new_chains += 1
                    continue
                capture_id = short_hash("capture", row["warc_file"], row["warc_offset"])
                if archive.db.execute("select 1 from captures where capture_id = ?", [capture_id]).fetchone():
                    continue
                if row["record_type"] == "revisit":
                    same = archive.db.execute(
                        "select payload_sha256 from captures where payload_digest = ? and record_type = 'response' "
                        "limit 1", [row["payload_digest"]]).fetchone()
                    row["payload_sha256"] = same[0] if same else ""
                archive.db["captures"].insert(dict(row, capture_id=capture_id, run_id=run_id,
                                                   site_id=None, warc_dir=str(warc_dir)))
                new_captures += 1
        if progress:
            progress(path, new_captures, new_chains)
    return new_captures, new_chains


class BackgroundIngest:
    """Ingest alongside a crawl: a thread with its own archive connection that ingests the run's
    chains as they are recorded (and any an earlier, killed crawl left), so downloads never wait
    for extraction. ``finish()`` drains what is left and stops."""

    def __init__(self, db_path, warc_dirs, pool, *, run_id: str, on_result=None, poll: float = 0.5):
        import threading

        self.db_path, self.warc_dirs, self.pool = db_path, warc_dirs, pool
        self.run_id, self.on_result, self.poll = run_id, on_result, poll
        self.summary = IngestSummary()
        self.error: BaseException | None = None
        self._wake = threading.Event()
        self._finishing = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="govcrawl-ingest", daemon=True)

    def start(self) -> "BackgroundIngest":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def _loop(self) -> None:
        import os
        import threading

        try:  # Linux: this thread only — the crawl's reactor thread keeps its priority
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        except (AttributeError, OSError):
            pass
        archive = Archive(self.db_path)
        try:
            while True:
                finishing = self._finishing.is_set()
                # this run's chains, and any an earlier crawl left (killed before its ingest ended)
                got = ingest_pending(archive, self.warc_dirs, self.pool, on_result=self.on_result)
                for k in vars(self.summary):
                    setattr(self.summary, k, getattr(self.summary, k) + getattr(got, k))
                if finishing:
                    break
                self._wake.wait(self.poll)
                self._wake.clear()
        except BaseException as exc:  # noqa: BLE001 - reported by finish(), never lost in a thread
            self.error = exc
            log.exception("ingest stopped")
        finally:
            archive.close()

    def finish(self, timeout: float | None = None) -> IngestSummary:
        self._finishing.set()
        self._wake.set()
        self._thread.join(timeout)
        self.pool.close()
        return self.summary
