"""Website platform families: how a CMS lays out its listing pages, as data for the one spider.

Most Chinese government sites run on a handful of content-management systems. A registry row names
its family in the ``platform`` column; the spider asks ``platform_for(name)`` how to read that
site's listings. The generic reader (``govcrawl.crawl.discovery``) already understands ordinary anchors,
下一页 links and TRS pagers, so ``trs`` and ``generic`` share it; a family gets its own class only
where its pages really differ.

Hanweb (大汉) sites are the case in point: a listing page's static HTML holds its entries inside
``<script type="text/xml"><datastore><record><![CDATA[<li><a …>]]></record>…`` and the jpage
script renders them in the browser, so an HTML parser sees no links at all. The other pages of the
column are served at ``index.html?uid=<unit id>&pageNum=<n>``; the page count comes from
``totalRecord``/``perPage`` in the jpage call or ``<totalrecord>`` in the datastore.
"""
from __future__ import annotations

import math
import re
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from govcrawl.crawl import discovery
from govcrawl.crawl.discovery import Link


class Platform:
    """The generic reader: anchors, 下一页/尾页, index_N.html, ?page=N, TRS createPageHTML."""

    name = "generic"

    def listing_links(self, html: bytes | str, url: str) -> list[Link]:
        return discovery.extract_links(html, url)

    def listing_pages(self, html: bytes | str, url: str, max_pages: int) -> list[str]:
        return discovery.pagination_urls(html, url, max_pages=max_pages)


_RECORD = re.compile(rb"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_DATASTORE_DIV = re.compile(rb'<div[^>]+id=["\']?(\d+)["\']?[^>]*>\s*<script[^>]*type=["\']text/xml', re.I)
_UNITID = re.compile(rb"[?&]unitid=(\d+)", re.I)
_TOTAL = re.compile(rb"(?:totalRecord\s*[:=]\s*['\"]?|<totalrecord>\s*)(\d+)", re.I)
_PER_PAGE = re.compile(rb"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_NEXTGROUP = re.compile(rb"<nextgroup>", re.I)


def _as_bytes(html: bytes | str) -> bytes:
    return html if isinstance(html, bytes) else html.encode("utf-8")


class Hanweb(Platform):
    """大汉 Hanweb jpage listings: entries in a ``<datastore>``, pages at ``?uid=…&pageNum=N``."""

    name = "hanweb"

    def listing_links(self, html: bytes | str, url: str) -> list[Link]:
        data = _as_bytes(html)
        records = _RECORD.findall(data)
        if not records:
            return super().listing_links(data, url)
        # The records are HTML fragments; put them inside the body, where an HTML parser reads
        # them (lxml drops anything after </html>). The page's charset declaration stays in its
        # <head>, so GBK sites decode as before.
        block = b"<div>" + b"\n".join(records) + b"</div>"
        lower = data.lower()
        end = lower.rfind(b"</body>")
        end = end if end >= 0 else lower.rfind(b"</html>")
        expanded = data[:end] + block + data[end:] if end >= 0 else data + block
        return discovery.extract_links(expanded, url)

    def listing_pages(self, html: bytes | str, url: str, max_pages: int) -> list[str]:
        data = _as_bytes(html)
        pages = super().listing_pages(data, url, max_pages)
        unit = _DATASTORE_DIV.search(data) or _UNITID.search(data)
        if unit is None:
            return pages
        uid = unit.group(1).decode()
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        current = int(query.get("pageNum", ["1"])[0]) if query.get("pageNum", ["1"])[0].isdigit() else 1
        total, per_page = _TOTAL.search(data), _PER_PAGE.search(data)
        records = len(_RECORD.findall(data))
        if total and (per_page or records):
            count = math.ceil(int(total.group(1)) / int(per_page.group(1) if per_page else records))
            numbers = range(2, min(count, max_pages) + 1)
        elif _NEXTGROUP.search(data) and records:
            numbers = [current + 1] if current < max_pages else []  # unknown total: one page ahead
        else:
            numbers = []
        extra = [urlunsplit((parts.scheme, parts.netloc, parts.path,
                             urlencode({"uid": uid, "pageNum": n}), "")) for n in numbers if n != current]
        return list(dict.fromkeys(pages + extra))[:max_pages]


PLATFORMS: dict[str, Platform] = {"generic": Platform(), "trs": Platform(), "hanweb": Hanweb()}


def platform_for(name: str | None) -> Platform:
    """The reader for a registry row's platform hint; unknown or empty hints read generically."""
    return PLATFORMS.get((name or "generic").strip().lower(), PLATFORMS["generic"])
