"""Downloader middleware that keeps every request inside the registry.

A request (a followed link, a redirect, robots.txt) must go to a host inside the allowed domains
of its site's registry row — or, when it carries no site, of some row. Anything else is dropped
and recorded, so a crawl can never be steered at a host the registry does not name.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest

from govcrawl.run import CrawlRun


class OutOfScope(IgnoreRequest):
    pass


class SiteScopeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        run = CrawlRun.of(self.crawler)
        site_id = request.meta.get("site_id")
        site = run.sites.get(site_id) if site_id else None
        if site is not None:
            if not site.allows(request.url):
                raise OutOfScope(f"outside the allowed domains of {site_id}: {request.url}")
        elif run.site_for_url(request.url) is None:
            raise OutOfScope(f"outside every registry site: {request.url}")
        return None
