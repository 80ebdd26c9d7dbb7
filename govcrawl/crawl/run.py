"""The state one crawl shares between its Scrapy components: archive, WARC writer, registry, counters.

Created once per crawler (``CrawlRun.of(crawler)``), whichever component asks first, so extension,
middleware, spider and pipeline never reach into each other.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import threading

from govcrawl.archive.ingest import BackgroundIngest, IngestResult
from govcrawl.archive.workers import ExtractorPool
from govcrawl.crawl.chains import ChainTracker
from govcrawl.registry import Site, load_sites, select_sites
from govcrawl.archive.replay import NotArchived, payload
from govcrawl.archive.changes import ChangeWatch
from govcrawl.archive.store import Archive, short_hash, utcnow
from govcrawl.crawl.summary import PARTIAL_COVERAGE, RunSummary
from govcrawl.archive.warc import WarcWriterPool, truncate_incomplete

log = logging.getLogger(__name__)


class ArchiveLocked(RuntimeError):
    """Another crawl is writing this archive."""


class ArchiveLock:
    """An exclusive lock file beside the database (``<db>.lock``), held for a whole crawl.

    ``flock`` is released by the kernel when the process dies, so a crawl killed with SIGKILL
    never leaves a stale lock behind.
    """

    def __init__(self, db_path: str | Path):
        self.path = Path(str(db_path) + ".lock")
        self._file = None

    def acquire(self) -> "ArchiveLock":
        import fcntl
        import os

        self.path.parent.mkdir(parents=True, exist_ok=True)
        f = open(self.path, "a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            f.close()
            raise ArchiveLocked(f"another crawl ({holder}) is writing {self.path.with_suffix('')}; "
                                "wait for it to finish or pass a different --db") from None
        f.seek(0)
        f.truncate()
        f.write(f"pid {os.getpid()}")
        f.flush()
        self._file = f
        return self

    def release(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class CrawlRun:
    def __init__(self, *, db_path: str | Path, warc_dir: str | Path, sites: list[Site],
                 run_id: str | None = None, warc_max_bytes: int | None = None,
                 ingest: bool = True, pool: ExtractorPool | None = None,
                 feed_dir: str | Path | None = None, feed_base_url: str | None = None):
        self.run_id = run_id or new_run_id()
        self.db_path = Path(db_path)
        # the feeds of changes go beside the archive unless configured (data/feeds for data/archive.db)
        self.feed_dir = Path(feed_dir) if feed_dir else self.db_path.parent / "feeds"
        self.feed_base_url = feed_base_url
        self.sites = {s.site_id: s for s in sites}
        self.lock = ArchiveLock(db_path).acquire()
        self.archive = Archive(db_path)
        kwargs = {"max_bytes": warc_max_bytes} if warc_max_bytes else {}
        self.warc = WarcWriterPool(warc_dir, self.run_id, **kwargs)
        crashed = self.recover_crashed_runs()
        if crashed:
            log.warning("earlier crawl(s) %s did not finish: their WARC tails were checked and "
                        "trimmed; this run picks up where they stopped", ", ".join(crashed))
        # rows kept for attribution only (no listing, no portal) are stored but not crawled
        self.summary = RunSummary(self.run_id, [s for s in sites if s.crawlable])
        self.report_links_seen: dict[str, set[str]] = {s.site_id: set() for s in sites if s.crawlable}
        self.listing_failures: set[str] = set()  # sites with a listing page that could not be read
        self.chains = ChainTracker()
        self.discovery: dict[str, dict] = {}  # site_id -> what the column finder saw (health.verdict)
        self.archive.upsert_sites(sites)
        self.archive.start_run(self.run_id, list(self.sites))
        self.changes = ChangeWatch(self.archive, self.run_id)  # what this run adds, for `changes`
        self._count_lock = threading.Lock()
        # The crawl captures; ingest builds reports beside it, in worker processes, so no download
        # waits for a slow document. Without it (GOVCRAWL_INGEST=off) the chains wait for
        # `govcrawl ingest`, possibly on another machine.
        self.ingest = BackgroundIngest(db_path, [self.warc.directory], pool or ExtractorPool(),
                                       run_id=self.run_id, on_result=self.count).start() if ingest else None

    @classmethod
    def of(cls, crawler) -> "CrawlRun":
        run = getattr(crawler, "govcrawl_run", None)
        if run is None:
            s = crawler.settings
            spider = getattr(crawler, "spider", None)  # `-a sites=… -a site=…` win over settings
            from govcrawl.cluster.node import job_registry_file, job_run_id  # scrapyd shard jobs

            sites = load_sites(job_registry_file(spider, s.get("GOVCRAWL_DB"))
                               or getattr(spider, "sites_file", None) or s.get("GOVCRAWL_SITES"))
            ids = getattr(spider, "site_ids", None) or s.get("GOVCRAWL_SITE_IDS") or ""
            wanted = [i for i in ids.replace(",", " ").split() if i]
            if wanted:
                sites = select_sites(sites, wanted)
            ingest = (s.get("GOVCRAWL_INGEST") or "alongside").lower() not in ("off", "0", "false", "no")
            pool = ExtractorPool(s.getint("GOVCRAWL_INGEST_WORKERS", 2),
                                 timeout=s.getfloat("GOVCRAWL_EXTRACT_TIMEOUT", 120),
                                 memory_mb=s.getint("GOVCRAWL_EXTRACT_MEMORY_MB", 2048),
                                 builder=s.get("GOVCRAWL_EXTRACT_BUILDER") or None)
            run = cls(db_path=s.get("GOVCRAWL_DB"), warc_dir=s.get("GOVCRAWL_WARC_DIR"),
                      sites=sites, warc_max_bytes=s.getint("GOVCRAWL_WARC_MAX_BYTES") or None,
                      ingest=ingest, pool=pool, run_id=job_run_id(spider),
                      feed_dir=s.get("GOVCRAWL_FEED_DIR") or None,
                      feed_base_url=s.get("GOVCRAWL_FEED_BASE_URL") or None)
            crawler.govcrawl_run = run
        return run

    def site_for_url(self, url: str) -> str | None:
        """The registry row whose domains hold this URL (robots.txt and redirects carry no meta).

        Looked up by the host and its parent domains, not by trying 3,000 rows in turn."""
        if not hasattr(self, "_by_domain"):
            self._by_domain: dict[str, str] = {}
            for site in self.sites.values():
                for domain in site.allowed_domains:
                    self._by_domain.setdefault(domain, site.site_id)
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return None
        if parts.scheme not in ("http", "https"):
            return None
        labels = host.split(".")
        for i in range(len(labels)):
            site_id = self._by_domain.get(".".join(labels[i:]))
            if site_id:
                return site_id
        return None

    def record_failure(self, site_id: str | None, url: str, reason: str, status: int | None) -> None:
        """A URL that could not be archived: in the run's summary and the ``errors`` table.

        Reasons start with the request's role (``listing: HTTP 404``): a failed listing page
        means this run cannot tell which reports vanished from the site.
        """
        if reason.startswith("listing:"):
            self.listing_failures.add(site_id)
        self.summary.error(site_id, url, reason, status)
        self.archive.record_error(self.run_id, site_id or "", url, reason, status)

    def record_blocked(self, site_id: str | None, url: str, role: str) -> None:
        """A URL robots.txt forbids us: not fetched, but recorded (``errors`` table, the summary)."""
        stats = self.summary.site(site_id)
        stats.robots_blocked += 1
        if len(stats.robots_urls) < 20:
            stats.robots_urls.append(url)
        self.archive.record_error(self.run_id, site_id or "", url, f"{role}: blocked by robots.txt", None)

    def recover_crashed_runs(self) -> list[str]:
        """Runs still marked 'running' died (we hold the lock): trim their WARC tails, mark them."""
        crashed = [r["run_id"] for r in self.archive.db.query(
            "select run_id from runs where status = 'running' and run_id != ?", [self.run_id])]
        for run_id in crashed:
            for path in sorted(self.warc.directory.glob(f"*-{run_id}-*.warc.gz")):
                truncate_incomplete(path)
            self.archive.db["runs"].update(run_id, {"status": "crashed"})
        return crashed

    def stored_body(self, payload_sha256: str) -> bytes | None:
        """The archived payload with this digest, read back from its WARC response record."""
        capture = self.archive.capture_for_digest(payload_sha256)
        try:
            return payload(self.archive, self.warc.directory, capture) if capture else None
        except NotArchived:
            return None

    def mark_removed_reports(self) -> None:
        """After a complete run: reports no listing links any more are marked removed (kept)."""
        for site_id, seen in self.report_links_seen.items():
            stats = self.summary.site(site_id)
            if stats.listing_pages and site_id not in self.listing_failures:
                stats.removed = self.archive.mark_removed(site_id, seen, self.run_id)

    def record_chain(self, item: dict, open_reason: str | None = None) -> dict:
        """Hand a report chain (page capture + attachment captures) to ingest: the crawl's last
        word on a report. Bodies stay in the WARCs; the chain names their captures."""
        page = item["page"]
        capture_id = (page.get("capture") or {}).get("capture_id")
        attachments = [{"url": a["url"], "capture_id": (a.get("capture") or {}).get("capture_id"),
                        "content_type": a.get("content_type")} for a in item.get("attachments", [])]
        attachments += [{"url": url, "missing": reason} for url, reason in (item.get("missing") or {}).items()]
        row = {"chain_id": short_hash("chain", self.run_id, capture_id or page["url"]),
               "run_id": self.run_id, "site_id": item["site_id"], "page_url": page["url"],
               "page_capture_id": capture_id, "content_type": page.get("content_type"),
               "link_text": page.get("link_text") or "", "attachments": attachments,
               "open_reason": open_reason}
        self.archive.record_chain(row)
        # the same chain in the WARC, so the WARC files alone can be ingested on another machine
        site = self.sites.get(item["site_id"])
        self.warc.write_metadata(page["url"], dict(row, created_at=utcnow(),
                                                    site_name=site.name if site else None))
        if self.ingest:
            self.ingest.wake()
        return {"site_id": item["site_id"], "url": page["url"], "chain_id": row["chain_id"],
                "attachments": len(attachments)}

    def count(self, chain: dict, result: IngestResult) -> None:
        """One ingested chain in the run's summary and log (called from the ingest thread)."""
        site_id = chain["site_id"]
        with self._count_lock:
            stats = self.summary.site(site_id)
            if result.kind == "report":
                stats.reports += 1
                stats.new_reports += int(result.new_report)
                stats.changed += int(result.is_new and not result.new_report)
                stats.unchanged += int(not result.is_new)
                stats.moved += int(bool(result.moved_from))
                stats.check_failures += int(result.checks_failed > 0)
                if result.is_new and result.coverage is not None and result.coverage < PARTIAL_COVERAGE:
                    stats.partial_tables.append(f"{result.url} ({result.coverage:.0%})")
            elif result.kind == "damaged":
                stats.damaged.append(f"{result.url}: {result.reason}"[:300])
            elif result.kind in ("not_archived", "worker_died"):
                self.summary.error(site_id, result.url, f"ingest: {result.reason}")
            else:
                stats.not_reports += 1
        log.info("[%s] %s %s%s", site_id, _verdict(result), result.url,
                 f" ({result.reason})" if result.reason else "")

    def close_open_chains(self, why: str) -> None:
        """Chains whose attachments never got an answer: recorded with the reason, and ingested
        with what they have (a page whose attachment is missing is still a report)."""
        for chain in self.chains.close_all():
            waiting = chain.waiting_for
            self.record_failure(chain.site_id, chain.page["url"],
                                f"report: {why}; no answer for {len(waiting)} attachment(s): "
                                + " ".join(waiting), None)
            self.record_chain(chain.item(why), open_reason=why)

    # --- column state and health (issue 12) ---------------------------------------------------

    def column_state(self, site_id: str) -> dict | None:
        """The column the finder stored for this site on an earlier night, or None."""
        return self.archive.site_states.get(site_id)

    def save_column(self, site_id: str, found, departments: list[dict] = ()) -> None:
        """A column found (``column.Found``); departments seen go to review, never to the registry."""
        self.archive.site_states.save_column(site_id, found.urls, found.platform, found.evidence,
                                             found.found_at, self.run_id)
        if departments:
            self.archive.site_states.propose_departments(site_id, list(departments))

    def record_health(self, summary: dict, complete: bool = True) -> dict:
        """Each crawled site's verdict for tonight, stored; returns {counts line, changed, verdicts}.

        A run stopped early (``--max-runtime``, Ctrl-C) judges only the sites it got to: a site
        never asked tonight has not changed."""
        from govcrawl.crawl.health import counts_line, verdict

        def reached(site_id: str) -> bool:
            stats = summary["sites"].get(site_id, {})
            return bool(complete or site_id in self.discovery or stats.get("pages_fetched")
                        or stats.get("listing_pages") or stats.get("errors") or stats.get("robots_blocked"))

        verdicts = {site_id: verdict(summary["sites"].get(site_id, {}), self.discovery.get(site_id))
                    for site_id in self.sites if self.sites[site_id].crawlable and reached(site_id)}
        self.archive.site_states.record_health(self.run_id, verdicts)
        wanted = set(verdicts)
        changed = [c for c in self.archive.site_states.changes() if c["site_id"] in wanted]
        return {"line": counts_line(verdicts, len(changed)),
                "sites": {k: list(v) for k, v in sorted(verdicts.items())},
                "changed": [c["site_id"] for c in changed]}

    def close(self, status: str, *, complete: bool) -> dict:
        """Record the run's end; ``complete`` (the spider finished its work) allows removal marks."""
        self.close_open_chains("the crawl ended" if complete else f"the crawl stopped ({status})")
        if self.ingest:
            log.info("ingesting the report chains still waiting for extraction")
            self.ingest.finish()
            if self.ingest.error:
                self.summary.error(None, "", f"ingest: {self.ingest.error!r}")
        if complete and self.ingest and not self.ingest.error:
            self.mark_removed_reports()  # needs every chain of the run ingested
        summary = self.summary.to_dict()
        summary["changes"] = self.record_changes()
        if summary["changes"] is not None:
            summary["changes"]["feed"] = str(self.feed_dir / "changes.atom")
        summary["health"] = self.record_health(summary, complete)
        self.archive.finish_run(self.run_id, status, summary)
        self.warc.close()
        self.archive.close()
        if summary["changes"] is not None:
            self.write_feeds()
        self.lock.release()
        return summary

    def record_changes(self) -> dict | None:
        """New, changed, moved, removed and markup-only reports of this run, into ``changes``."""
        from govcrawl.archive.changes import counts

        try:
            return counts(self.changes.record())
        except Exception as exc:  # a diff that fails must not cost the run its summary
            log.error("could not work out this run's changes (%s: %s); `govcrawl changes` will miss "
                      "them", type(exc).__name__, exc)
            log.debug("changes failed", exc_info=True)
            return None

    def write_feeds(self) -> None:
        """Atom + JSON Feed of the archive's changes, whole archive and per site (``feed_dir``)."""
        from govcrawl.research.changes import DEFAULT_BASE_URL, write_feeds

        try:
            write_feeds(self.db_path, self.feed_dir, base_url=self.feed_base_url or DEFAULT_BASE_URL)
        except (OSError, LookupError) as exc:
            log.error("could not write the change feeds to %s: %s", self.feed_dir, exc)


class RunComponent:
    """Base of the Scrapy components (extension, middlewares, pipeline) that share a CrawlRun."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def run(self) -> CrawlRun:
        return CrawlRun.of(self.crawler)


def _verdict(result: IngestResult) -> str:
    if result.kind != "report":
        return result.kind
    state = ("new report" if result.new_report else "changed report, new version" if result.is_new
             else "unchanged report")
    if result.moved_from:
        state += f", moved from {result.moved_from}"
    if result.checks_failed:
        state += f", {result.checks_failed} checks failed"
    if result.conflict:
        state += f" ({result.conflict})"
    return state
