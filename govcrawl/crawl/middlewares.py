"""Downloader middleware that keeps every request inside the registry.

A request (a followed link, a redirect, robots.txt) must go to a host inside the allowed domains
of its site's registry row — or, when it carries no site, of some row. Anything else is dropped
and recorded, so a crawl can never be steered at a host the registry does not name.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.responsetypes import responsetypes

from govcrawl.crawl.run import RunComponent


class OutOfScope(IgnoreRequest):
    pass


class SiteScopeMiddleware(RunComponent):
    def process_request(self, request, spider=None):
        run = self.run
        site_id = request.meta.get("site_id")
        site = run.sites.get(site_id) if site_id else None
        if site is not None:
            if not site.allows(request.url):
                raise OutOfScope(f"outside the allowed domains of {site_id}: {request.url}")
        elif run.site_for_url(request.url) is None:
            raise OutOfScope(f"outside every registry site: {request.url}")
        return None


class RevalidationMiddleware(RunComponent):
    """Nightly crawls fetch only what changed.

    Report pages and attachments already in the archive are asked for with If-None-Match /
    If-Modified-Since. A 304 (archived by the capture extension as a ``server-not-modified``
    revisit) of a report version the archive holds reaches the spider with its known attachments
    (``known_attachments``) and no body; any other 304 is handed over as the archived 200
    response, so discovery works the same on a night when nothing changed. Listings are always
    fetched in full: they are how new reports are found.
    """

    ROLES = ("report", "attachment")

    def process_request(self, request, spider=None):
        if request.meta.get("role") not in self.ROLES or "revalidating" in request.meta:
            return None
        previous = self.run.archive.latest_good_capture(request.url)
        request.meta["revalidating"] = previous
        if previous:
            if previous.get("etag"):
                request.headers["If-None-Match"] = previous["etag"]
            if previous.get("last_modified"):
                request.headers["If-Modified-Since"] = previous["last_modified"]
            request.meta["handle_httpstatus_list"] = list(
                request.meta.get("handle_httpstatus_list", [])) + [304]
        return None

    def process_response(self, request, response, spider=None):
        previous = request.meta.get("revalidating")
        if response.status != 304 or not previous:
            return response
        run = self.run
        known = (run.archive.known_attachments(request.url, previous["payload_sha256"])
                 if request.meta.get("role") == "report" else None)
        if request.meta.get("role") == "attachment" or known is not None:
            # Nothing to discover in it: the archive knows this version and its attachments. The
            # pipeline reads the body back from the WARC only if it has to extract again.
            request.meta["known_attachments"] = known or []
            return response.replace(status=200, body=b"")
        body = run.stored_body(previous["payload_sha256"])
        if body is None:  # archive lost the payload: fetch it again unconditionally
            retry = request.replace(dont_filter=True)
            retry.headers.pop("If-None-Match", None)
            retry.headers.pop("If-Modified-Since", None)
            retry.meta["revalidating"] = None
            return retry
        headers = response.headers.copy()
        if previous.get("mime") and b"Content-Type" not in headers:
            headers[b"Content-Type"] = previous["mime"].encode("latin-1")
        cls = responsetypes.from_args(headers=headers, url=response.url, body=body)
        return cls(url=response.url, status=200, headers=headers, body=body, request=request)
