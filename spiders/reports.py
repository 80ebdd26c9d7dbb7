"""The generic report spider: one class for every registry row.

Discovery only — which links are listings, reports, attachments — with the decisions made by
``govcrawl.crawl.discovery`` (read through the row's platform family, ``govcrawl.crawl.platforms``) and the
scope by the registry row. It never parses tables or touches the
database: pages and attachments leave as one item for the pipeline.

    scrapy crawl reports [-a sites=data/sites.csv] [-a site=cq-yubei,cq-yubei-mzj]
"""
from __future__ import annotations

import logging
from collections import Counter

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from govcrawl.crawl import content

from govcrawl.crawl import discovery
from govcrawl.crawl.platforms import platform_for
from govcrawl.crawl.run import CrawlRun

progress = logging.getLogger("govcrawl.crawl")

MAX_JS_REDIRECTS = 3  # JavaScript redirect shells followed in a row


class ReportsSpider(scrapy.Spider):
    name = "reports"

    def __init__(self, sites: str | None = None, site: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sites_file = sites
        self.site_ids = site
        self.listing_pages_requested: Counter[str] = Counter()

    @property
    def run(self) -> CrawlRun:
        return CrawlRun.of(self.crawler)

    async def start(self):
        for site in self.run.sites.values():
            for url in site.listing_urls:
                yield self._listing_request(site.site_id, url, depth=0)

    # --- requests ----------------------------------------------------------------------------------

    def _listing_request(self, site_id: str, url: str, depth: int):
        self.listing_pages_requested[site_id] += 1
        return scrapy.Request(url, callback=self.parse_listing, errback=self.on_error,
                              meta={"site_id": site_id, "role": "listing", "listing_depth": depth})

    def _allowed(self, site_id: str, url: str) -> bool:
        return self.run.sites[site_id].allows(url)

    # --- callbacks ---------------------------------------------------------------------------------

    def _shell_or_soft_404(self, response):
        """None for a real page; else the requests to make instead (a JavaScript redirect shell is
        followed when its target is in scope; a soft 404 is recorded with its reason)."""
        site_id, role = response.meta["site_id"], response.meta.get("role", "page")
        header = _content_type(response)
        target = content.js_redirect_target(response.body, response.url, header)
        if target:
            hops = response.meta.get("js_redirects", 0)
            if not self._allowed(site_id, target):
                self.run.record_failure(site_id, response.url,
                                     f"{role}: JavaScript redirect out of scope: {target}", response.status)
            elif hops >= MAX_JS_REDIRECTS:
                self.run.record_failure(site_id, response.url,
                                     f"{role}: more than {MAX_JS_REDIRECTS} JavaScript redirects", response.status)
            else:
                progress.info("[%s] JavaScript redirect %s -> %s", site_id, response.url, target)
                meta = {k: response.meta[k] for k in ("site_id", "role", "listing_depth", "link_text")
                        if k in response.meta}
                meta["js_redirects"] = hops + 1
                if role == "report":  # the listing links the shell; the report lives at the target
                    self.run.report_links_seen[site_id].add(target)
                return [response.request.replace(url=target, meta=meta)]
            return []
        reason = content.soft_404_reason(response.body, header)
        if reason:
            self.run.record_failure(site_id, response.url, f"{role}: {reason}", response.status)
            return []
        return None

    def parse_listing(self, response):
        site_id = response.meta["site_id"]
        depth = response.meta.get("listing_depth", 0)
        instead = self._shell_or_soft_404(response)
        if instead is not None:
            yield from instead
            return
        self.run.summary.site(site_id).listing_pages += 1
        if not isinstance(response, TextResponse) and content.sniff_mime(response.body) != "text/html":
            return
        max_pages = self.settings.getint("GOVCRAWL_MAX_LISTING_PAGES", 50)
        html = content.head_for_parsing(response.body)  # bounded memory on a hostile 50 MB page
        platform = platform_for(self.run.sites[site_id].platform)
        links = platform.listing_links(html, response.url)
        progress.info("[%s] listing %s: %d report links", site_id, response.url,
                      sum(1 for link in links if link.kind == "report"))
        for link in links:
            if not self._allowed(site_id, link.url):
                continue
            if link.kind == "report":
                if link.url not in self.run.report_links_seen[site_id]:
                    self.run.report_links_seen[site_id].add(link.url)
                    self.run.summary.site(site_id).report_links += 1
                yield scrapy.Request(link.url, callback=self.parse_report, errback=self.on_error,
                                     meta={"site_id": site_id, "role": "report",
                                           "link_text": link.text})
            elif link.kind == "listing" and depth < self.settings.getint("GOVCRAWL_LISTING_DEPTH", 3):
                if self.listing_pages_requested[site_id] < max_pages:
                    yield self._listing_request(site_id, link.url, depth + 1)
        for url in platform.listing_pages(html, response.url, max_pages):
            if self._allowed(site_id, url) and self.listing_pages_requested[site_id] < max_pages:
                yield self._listing_request(site_id, url, depth)

    def parse_report(self, response):
        site_id = response.meta["site_id"]
        known = response.meta.get("known_attachments")  # a 304 of a version the archive holds
        instead = None if known is not None else self._shell_or_soft_404(response)
        if instead is not None:
            yield from instead
            return
        # A redirected report is stored under its final URL: that URL is linked too, not removed.
        self.run.report_links_seen[site_id].add(response.url)
        page = _fetched(response, response.meta.get("link_text", ""))
        attachments = known or []
        if known is None and content.sniff_mime(response.body, page["content_type"]) == "text/html":
            limit = self.settings.getint("GOVCRAWL_MAX_ATTACHMENTS", 10)
            html = content.head_for_parsing(response.body)
            attachments = [a.url for a in discovery.attachment_links(html, response.url)
                           if self._allowed(site_id, a.url)][:limit]
            # tables published as pictures: fetched with the page so extraction can OCR them
            attachments += [a.url for a in discovery.table_images(html, response.url)
                            if self._allowed(site_id, a.url) and a.url not in attachments][:limit]
        yield from self._next_attachment(site_id, page, attachments, [])

    def _next_attachment(self, site_id: str, page: dict, pending: list[str], collected: list[dict]):
        """Fetch a report's attachments one after another, then emit page + attachments as one item."""
        if not pending:
            yield {"site_id": site_id, "page": page, "attachments": collected}
            return
        meta = {"site_id": site_id, "role": "attachment", "page": page,
                "pending": pending[1:], "collected": collected}
        yield scrapy.Request(pending[0], callback=self.parse_attachment,
                             errback=self.on_attachment_error, meta=meta)

    def parse_attachment(self, response):
        m = response.meta
        collected = m["collected"] + [_fetched(response, "")]
        yield from self._next_attachment(m["site_id"], m["page"], m["pending"], collected)

    def on_attachment_error(self, failure):
        self.on_error(failure)
        m = failure.request.meta
        yield from self._next_attachment(m["site_id"], m["page"], m["pending"], m["collected"])

    # --- failures ----------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        site_id = request.meta.get("site_id") or self.run.site_for_url(request.url)
        status = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        elif failure.check(IgnoreRequest):
            reason = str(failure.value) or "ignored"
            if "robots.txt" in reason:
                self.run.summary.site(site_id).robots_blocked += 1
                return
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        role = request.meta.get("role", "page")
        self.run.record_failure(site_id, request.url, f"{role}: {reason}", status)


def _content_type(response) -> str | None:
    content_type = response.headers.get("Content-Type")
    return content_type.decode("latin-1") if content_type else None


def _fetched(response, link_text: str) -> dict:
    # What the bytes are (a PDF labelled text/html, a GBK page labelled UTF-8) decides, not the
    # header; the raw header stays in the WARC record.
    return {"url": response.url, "body": response.body,
            "content_type": content.corrected_content_type(response.body, _content_type(response)),
            "capture": response.meta.get("capture") or {}, "link_text": link_text}
