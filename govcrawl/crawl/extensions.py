"""Scrapy extension that archives every downloaded response before anything parses it.

It listens to ``response_downloaded``, which fires for every response the downloader receives —
500s that will be retried, robots.txt, redirects — before any middleware or callback sees it. The
capture row is put in ``request.meta["capture"]`` for the pipeline. At the end it closes the run
and logs the summary.
"""
from __future__ import annotations

import logging

from scrapy import signals

from govcrawl.crawl.run import RunComponent
from govcrawl.archive.store import short_hash
from govcrawl.crawl.summary import format_summary
from govcrawl.archive.warc import Exchange

log = logging.getLogger(__name__)


def _header_list(headers) -> list[tuple[str, str]]:
    out = []
    for name, values in headers.items():
        for value in values:
            out.append((name.decode("latin-1"), value.decode("latin-1")))
    return out


class CaptureExtension(RunComponent):
    def __init__(self, crawler):
        super().__init__(crawler)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def response_downloaded(self, response, request, spider):
        run = self.run
        site_id = request.meta.get("site_id") or run.site_for_url(response.url)
        exchange = Exchange(
            url=response.url, status=response.status, body=response.body,
            response_headers=_header_list(response.headers), method=request.method,
            request_headers=_header_list(request.headers),
            protocol=getattr(response, "protocol", None) or "HTTP/1.1",
        )
        row = run.warc.write(exchange, previous=run.archive.capture_for_digest,
                             previous_version=request.meta.get("revalidating"))
        row.update(capture_id=short_hash("capture", row["warc_file"], row["warc_offset"]),
                   run_id=run.run_id, site_id=site_id)
        run.archive.record_capture(row)
        request.meta["capture"] = row
        stats = run.summary.site(site_id)
        stats.pages_fetched += 1
        stats.bytes += len(response.body)

    def spider_closed(self, spider, reason):
        run = self.run
        failed = run.summary.failed_sites
        if reason == "shutdown":  # SIGTERM / SIGINT: stopped on purpose, not a failure
            status = "interrupted"
        else:
            status = "failed" if failed else ("finished" if reason == "finished" else reason)
        summary = run.close(status, complete=reason == "finished")
        self.crawler.govcrawl_summary = summary
        if not self.crawler.settings.getbool("GOVCRAWL_SUMMARY_PRINTED_BY_CLI"):
            log.info("crawl summary\n%s", format_summary(summary))
