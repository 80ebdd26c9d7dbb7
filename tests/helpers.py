"""Test helpers: saved pages as Scrapy responses, and a crawl run on a temporary archive."""
from __future__ import annotations

from pathlib import Path

from scrapy.http import HtmlResponse, Request, Response

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def file_response(name: str, url: str, *, meta: dict | None = None, content_type: str = "text/html; charset=utf-8") -> Response:
    """A response for a saved fixture page, as if fetched from ``url`` (City Scrapers' pattern)."""
    body = (FIXTURES / name).read_bytes()
    request = Request(url, meta=meta or {})
    cls = HtmlResponse if content_type.startswith("text/html") else Response
    kwargs = {"encoding": "utf-8"} if cls is HtmlResponse and "charset" in content_type else {}
    return cls(url=url, body=body, request=request, headers={"Content-Type": content_type}, **kwargs)
