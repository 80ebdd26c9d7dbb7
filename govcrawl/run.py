"""The state one crawl shares between its Scrapy components: archive, WARC writer, registry, counters.

Created once per crawler (``CrawlRun.of(crawler)``), whichever component asks first, so extension,
middleware, spider and pipeline never reach into each other.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path

from govcrawl.registry import Site, load_sites, select_sites
from govcrawl.store import Archive
from govcrawl.summary import RunSummary
from govcrawl.warc import WarcWriterPool


def new_run_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


class CrawlRun:
    def __init__(self, *, db_path: str | Path, warc_dir: str | Path, sites: list[Site],
                 run_id: str | None = None, warc_max_bytes: int | None = None):
        self.run_id = run_id or new_run_id()
        self.sites = {s.site_id: s for s in sites}
        self.archive = Archive(db_path)
        kwargs = {"max_bytes": warc_max_bytes} if warc_max_bytes else {}
        self.warc = WarcWriterPool(warc_dir, self.run_id, **kwargs)
        self.summary = RunSummary(self.run_id, sites)
        self.archive.upsert_sites(sites)
        self.archive.start_run(self.run_id, list(self.sites))

    @classmethod
    def of(cls, crawler) -> "CrawlRun":
        run = getattr(crawler, "govcrawl_run", None)
        if run is None:
            s = crawler.settings
            spider = getattr(crawler, "spider", None)  # `-a sites=… -a site=…` win over settings
            sites = load_sites(getattr(spider, "sites_file", None) or s.get("GOVCRAWL_SITES"))
            ids = getattr(spider, "site_ids", None) or s.get("GOVCRAWL_SITE_IDS") or ""
            wanted = [i for i in ids.replace(",", " ").split() if i]
            if wanted:
                sites = select_sites(sites, wanted)
            run = cls(db_path=s.get("GOVCRAWL_DB"), warc_dir=s.get("GOVCRAWL_WARC_DIR"),
                      sites=sites, warc_max_bytes=s.getint("GOVCRAWL_WARC_MAX_BYTES") or None)
            crawler.govcrawl_run = run
        return run

    def site_for_url(self, url: str) -> str | None:
        """The registry row whose domains hold this URL (robots.txt and redirects carry no meta)."""
        for site in self.sites.values():
            if site.allows(url):
                return site.site_id
        return None

    def close(self, status: str) -> dict:
        summary = self.summary.to_dict()
        self.archive.finish_run(self.run_id, status, summary)
        self.warc.close()
        self.archive.close()
        return summary
