"""The generic report spider: one class for every registry row.

Discovery only — which links are listings, reports, attachments — with the decisions made by
``govcrawl.crawl.discovery`` (read through the row's platform family, ``govcrawl.crawl.platforms``) and the
scope by the registry row. It never parses tables or touches the
database: a report page and its attachments leave as one item (a report chain) for the pipeline
once every attachment has an answer — shared attachments are fetched once and answer every
chain that links them (``govcrawl.crawl.chains``).

    scrapy crawl reports [-a sites=data/sites.csv] [-a site=cq-yubei,cq-yubei-mzj]
"""
from __future__ import annotations

import logging
from collections import Counter

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from govcrawl.crawl import content

from govcrawl.crawl import discovery
from govcrawl.crawl.column import ColumnSearch, Found, challenge_reason, moved_between
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
        self.reasked: set[str] = set()
        self.searches: dict[str, ColumnSearch] = {}  # column discovery per site (issue 12)
        self.platforms: dict[str, str] = {}  # platform family found by the column finder

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    @property
    def run(self) -> CrawlRun:
        return CrawlRun.of(self.crawler)

    async def start(self):
        for site in self.run.sites.values():
            for request in self._start_requests(site):
                yield request

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
        if self._blocked_listing(response):
            return
        self._note_moved_column(response)
        self.run.summary.site(site_id).listing_pages += 1
        if not isinstance(response, TextResponse) and content.sniff_mime(response.body) != "text/html":
            return
        max_pages = self.settings.getint("GOVCRAWL_MAX_LISTING_PAGES", 50)
        html = content.head_for_parsing(response.body)  # bounded memory on a hostile 50 MB page
        platform = platform_for(self.platforms.get(site_id) or self.run.sites[site_id].platform)
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
        pages = platform.listing_pages(html, response.url, max_pages)
        for url in pages:
            if self._allowed(site_id, url) and self.listing_pages_requested[site_id] < max_pages:
                yield self._listing_request(site_id, url, depth)
        if response.meta.get("from_state") and not pages and not any(
                link.kind in ("report", "listing") for link in links):
            yield from self._discover(site_id, f"the stored column {response.url} lists no reports")

    def parse_report(self, response):
        site_id = response.meta["site_id"]
        known = response.meta.get("known_attachments")  # a 304 of a version the archive holds
        instead = None if known is not None else self._shell_or_soft_404(response)
        if instead is not None:
            yield from self._answer(response, "report page is a redirect shell or soft 404")
            yield from instead
            return
        # A redirected report is stored under its final URL: that URL is linked too, not removed.
        self.run.report_links_seen[site_id].add(response.url)
        page = _fetched(response, response.meta.get("link_text", ""))
        yield from self._answer(response, page)  # a PDF listed as a report may be a page's attachment
        attachments = known or []
        if known is None and content.sniff_mime(response.body, page["content_type"]) == "text/html":
            limit = self.settings.getint("GOVCRAWL_MAX_ATTACHMENTS", 10)
            html = content.head_for_parsing(response.body)
            attachments = [a.url for a in discovery.attachment_links(html, response.url)
                           if self._allowed(site_id, a.url)][:limit]
            # tables published as pictures: fetched with the page so extraction can OCR them
            attachments += [a.url for a in discovery.table_images(html, response.url)
                            if self._allowed(site_id, a.url) and a.url not in attachments][:limit]
        for chain in self.run.chains.add(site_id, page, attachments):
            yield chain.item()
        for url in attachments:
            if url not in self.run.chains.answers:
                # Another chain may have asked for it already: the duplicate filter then drops this
                # request, and the first answer completes every chain that waits for the URL.
                yield scrapy.Request(url, callback=self.parse_attachment,
                                     errback=self.on_attachment_error,
                                     meta={"site_id": site_id, "role": "attachment"})

    def parse_attachment(self, response):
        yield from self._answer(response, _fetched(response, ""))

    def on_attachment_error(self, failure):
        yield from self.on_error(failure)

    def _answer(self, response_or_request, outcome):
        """Every chain waiting for this URL (or one it was redirected from) gets ``outcome``."""
        r = response_or_request
        request = getattr(r, "request", None) or r
        urls = [*request.meta.get("redirect_urls", []), request.url, r.url]
        for chain in self.run.chains.answer(urls, outcome):
            yield chain.item()

    def on_idle(self, spider=None):
        """Chains still waiting when nothing else is left: ask once more for what they wait for
        (bypassing the duplicate filter); what is still open after that the run records."""
        retry = [u for u in self.run.chains.unanswered() if u not in self.reasked]
        if not retry:
            return
        for url in retry:
            self.reasked.add(url)
            site_id = self.run.site_for_url(url)
            self.crawler.engine.crawl(scrapy.Request(
                url, callback=self.parse_attachment, errback=self.on_attachment_error,
                dont_filter=True, meta={"site_id": site_id, "role": "attachment"}))
        raise DontCloseSpider

    # --- failures ----------------------------------------------------------------------------------

    def on_error(self, failure):
        request = failure.request
        site_id = request.meta.get("site_id") or self.run.site_for_url(request.url)
        status = None
        if request.meta.get("role") in ("report", "attachment"):
            failed_request = request
        else:
            failed_request = None
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status}"
        elif failure.check(IgnoreRequest):
            reason = str(failure.value) or "ignored"
            if "robots.txt" in reason:
                self.run.record_blocked(site_id, request.url, request.meta.get("role", "page"))
                if failed_request is not None:
                    yield from self._answer(failed_request, "blocked by robots.txt")
                return
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"[:300]
        role = request.meta.get("role", "page")
        self.run.record_failure(site_id, request.url, f"{role}: {reason}", status)
        if failed_request is not None:
            yield from self._answer(failed_request, reason)
        if request.meta.get("from_state"):  # the stored column stopped answering: look again
            yield from self._discover(site_id, f"the stored column failed: {reason}")

    # --- column discovery (govcrawl.crawl.column): rows without a listing URL -----------------------

    def _start_requests(self, site) -> list:
        """A row's listings; else the column stored on an earlier night; else a search from the portal."""
        if site.listing_urls:
            return [self._listing_request(site.site_id, url, depth=0) for url in site.listing_urls]
        if not site.portal_url:
            return []  # kept for attribution only: nothing to crawl
        state = self.run.column_state(site.site_id)
        if state and state["column_urls"] and state.get("health") in (None, "ok", "moved"):
            self.platforms[site.site_id] = state["platform"] or ""
            requests = [self._listing_request(site.site_id, url, depth=0) for url in state["column_urls"]
                        if self._allowed(site.site_id, url)]
            for request in requests:
                request.meta["from_state"] = True
            if requests:
                return requests
        return self._discover(site.site_id, "no column known yet")

    def _discover(self, site_id: str, why: str) -> list:
        site = self.run.sites[site_id]
        if site_id in self.searches or not site.portal_url:
            return []  # one search per site and night
        budget = self.settings.getint("GOVCRAWL_COLUMN_BUDGET", 30)
        self.searches[site_id] = ColumnSearch(site.portal_url, site.allows, budget=budget)
        self.run.discovery[site_id] = {"searched": True, "budget": budget, "pages_read": 0, "why": why}
        progress.info("[%s] looking for the 年报 column from %s (%s)", site_id, site.portal_url, why)
        return self._next_discovery(site_id)

    def _next_discovery(self, site_id: str) -> list:
        search = self.searches[site_id]
        step = search.next_url()
        if step is not None:
            url, _ = step
            return [scrapy.Request(url, callback=self.parse_discover, errback=self.on_discover_error,
                                   dont_filter=True,
                                   meta={"site_id": site_id, "role": "discover", "discover_url": url})]
        return self._finish_discovery(site_id) if search.done else []

    def parse_discover(self, response):
        site_id, url = response.meta["site_id"], response.meta["discover_url"]
        search, note = self.searches[site_id], self.run.discovery[site_id]
        reason = challenge_reason(response.body)
        if reason:
            note["blocked"] = reason
            self.run.record_failure(site_id, response.url, f"discover: {reason}", response.status)
            search.failed(url)
            search.finished = True
            return self._finish_discovery(site_id)
        if url == search.start_url and moved_between(url, response.url):
            note["moved_to"] = response.url
        note["pages_read"] += 1
        if isinstance(response, TextResponse) or content.sniff_mime(response.body) == "text/html":
            search.feed(url, content.head_for_parsing(response.body), final_url=response.url)
        else:
            search.failed(url)
        return self._next_discovery(site_id)

    def on_discover_error(self, failure):
        yield from self.on_error(failure)  # a generator: it records the failure only when iterated
        site_id, url = failure.request.meta["site_id"], failure.request.meta["discover_url"]
        self.searches[site_id].failed(url)
        yield from self._next_discovery(site_id)

    def _finish_discovery(self, site_id: str) -> list:
        search, note = self.searches[site_id], self.run.discovery[site_id]
        if note.get("finished"):
            return []
        note["finished"] = True
        if search.moved_to:
            note.setdefault("moved_to", search.moved_to)
        found = search.result()
        note["found"] = found is not None
        if found is None:
            progress.info("[%s] no 年报 column found in %d pages", site_id, search.fetched)
            return []
        progress.info("[%s] 年报 column %s (%s, %s)", site_id, " ".join(found.urls), found.platform,
                      found.evidence.get("link_text") or "start page")
        self.platforms[site_id] = found.platform
        self.run.save_column(site_id, found, search.department_links())
        return [self._listing_request(site_id, url, depth=0) for url in found.urls]

    def _note_moved_column(self, response) -> None:
        """The stored column answered from another path in scope: the site moved it; keep the new one."""
        if not response.meta.get("from_state") or not response.meta.get("redirect_urls"):
            return
        site_id, old = response.meta["site_id"], response.meta["redirect_urls"][0]
        if moved_between(old, response.url):
            self.run.discovery.setdefault(site_id, {})["moved_to"] = response.url
            self.run.save_column(site_id, Found([response.url], self.platforms.get(site_id, ""),
                                                {"moved_from": old}, _now()))

    def _blocked_listing(self, response) -> bool:
        """A WAF or JavaScript challenge instead of the column: recorded as blocked."""
        reason = challenge_reason(response.body)
        if reason:
            site_id = response.meta["site_id"]
            self.run.discovery.setdefault(site_id, {})["blocked"] = reason
            self.run.record_failure(site_id, response.url, f"listing: {reason}", response.status)
        return bool(reason)


def _now() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _content_type(response) -> str | None:
    content_type = response.headers.get("Content-Type")
    return content_type.decode("latin-1") if content_type else None


def _fetched(response, link_text: str) -> dict:
    # What the bytes are (a PDF labelled text/html, a GBK page labelled UTF-8) decides, not the
    # header; the raw header stays in the WARC record. No body: ingest reads it from the WARC.
    return {"url": response.url,
            "content_type": content.corrected_content_type(response.body, _content_type(response)),
            "capture": {"capture_id": (response.meta.get("capture") or {}).get("capture_id")},
            "link_text": link_text}  # a chain names its captures; ingest looks up the rest
