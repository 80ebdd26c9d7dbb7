"""Website platform families: how a CMS lays out its listing pages, as data for the one spider.

Most Chinese government sites run on a handful of content-management systems. A registry row names
its family in the ``platform`` column, or the column finder recognises it from the pages
(``detect(html, url)``: URL shapes and markup fingerprints); the spider asks ``platform_for(name)``
how to read that site's listings. Families: ``trs`` (TRS WCM: ``tYYYYMMDD_N.html`` documents,
``index_N.html`` pages counted by ``createPageHTML``/``countPage``), ``hanweb`` (大汉: ``col/colN``
columns, ``<datastore>`` records, ``module/web/jpage/dataproxy.jsp`` paging, ``art/Y/M/D/art_C_N.html``
articles), ``gkmlpt`` (广东 政府信息公开目录平台: ``/gkmlpt/index`` with a ``_CONFIG`` site id, entries
from the ``/gkmlpt/api/all/{cat}?page=N&sid=`` JSON API), ``ilist`` (四川-style
``info/iList.jsp?cat_id=&cur_page=N``) and ``xxgk`` (separate 信息公开 platforms on ``xxgk.`` hosts,
read like ordinary pages). The generic reader (``govcrawl.crawl.discovery``) already understands ordinary anchors,
下一页 links and TRS pagers, so ``trs`` and ``generic`` share it; a family gets its own class only
where its pages really differ.

Hanweb (大汉) sites are the case in point: a listing page's static HTML holds its entries inside
``<script type="text/xml"><datastore><record><![CDATA[<li><a …>]]></record>…`` and the jpage
script renders them in the browser, so an HTML parser sees no links at all. The other pages of the
column are served at ``index.html?uid=<unit id>&pageNum=<n>``; the page count comes from
``totalRecord``/``perPage`` in the jpage call or ``<totalrecord>`` in the datastore.
"""
from __future__ import annotations

import json
import math
import re
from urllib.parse import parse_qs, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from govcrawl.crawl import discovery
from govcrawl.crawl.discovery import Link


class Platform:
    """The generic reader: anchors, 下一页/尾页, index_N.html, ?page=N, TRS createPageHTML."""

    name = "generic"

    def listing_links(self, html: bytes | str, url: str) -> list[Link]:
        return discovery.extract_links(html, url)

    def column_links(self, html: bytes | str, url: str) -> list[tuple[str, str]]:
        """(url, label) of entries ordinary link text misses: image links and image-map areas
        labelled by their ``alt``/``title`` (portal banners: 政务公开 as a picture), and frames."""
        try:
            doc = lxml.html.document_fromstring(discovery.decode_html(html))
        except (etree.ParserError, ValueError):
            return []
        out = []
        for el in doc.iter("a", "area", "iframe", "frame"):
            href = el.get("src") if el.tag in ("iframe", "frame") else el.get("href")
            if not href or href.strip().lower().startswith(("javascript:", "#", "mailto:")):
                continue
            label = ""
            if el.tag == "a":
                if (el.text_content() or "").strip():
                    continue  # ordinary anchors are read by listing_links
                label = next((img.get("alt") or img.get("title") or "" for img in el.iter("img")), "")
            elif el.tag == "area":
                label = el.get("alt") or el.get("title") or ""
            try:
                out.append((urljoin(url, href.strip()), label.strip()))
            except ValueError:
                continue
        return out

    def listing_pages(self, html: bytes | str, url: str, max_pages: int) -> list[str]:
        return discovery.pagination_urls(html, url, max_pages=max_pages)


_RECORD = re.compile(rb"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_DATASTORE_DIV = re.compile(rb'<div[^>]+id=["\']?(\d+)["\']?[^>]*>\s*<script[^>]*type=["\']text/xml', re.I)
_UNITID = re.compile(rb"[?&]unitid=(\d+)", re.I)
_TOTAL = re.compile(rb"(?:totalRecord\s*[:=]\s*['\"]?|<totalrecord>\s*)(\d+)", re.I)
_PER_PAGE = re.compile(rb"perPage\s*[:=]\s*['\"]?(\d+)", re.I)
_NEXTGROUP = re.compile(rb"<nextgroup>", re.I)
_PROXY = re.compile(rb"""proxyUrl\s*:\s*['"]([^'"]*dataproxy\.jsp)['"]""", re.I)
_AJAX_BLOCK = re.compile(rb"ajaxParam\s*:\s*\{([^}]*)\}", re.I)
_AJAX_PARAM = re.compile(rb"""(\w+)\s*:\s*('[^']*'|"[^"]*"|\d+)""")


def _as_bytes(html: bytes | str) -> bytes:
    return html if isinstance(html, bytes) else html.encode("utf-8")


class Hanweb(Platform):
    """大汉 Hanweb jpage listings: entries in a ``<datastore>``, pages at ``?uid=…&pageNum=N``; a
    column whose page holds no records gets them all from ``dataproxy.jsp`` in ``perPage`` slices."""

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
        total, per_page = _TOTAL.search(data), _PER_PAGE.search(data)
        records = len(_RECORD.findall(data))
        proxy = _PROXY.search(data)
        if proxy and total and not records:  # the column's records come only through dataproxy.jsp
            return self._proxy_pages(data, url, proxy.group(1).decode(), int(total.group(1)),
                                     int(per_page.group(1)) if per_page else 15, max_pages)
        unit = _DATASTORE_DIV.search(data) or _UNITID.search(data)
        if unit is None:
            return pages
        uid = unit.group(1).decode()
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        current = int(query.get("pageNum", ["1"])[0]) if query.get("pageNum", ["1"])[0].isdigit() else 1
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

    @staticmethod
    def _proxy_pages(data: bytes, url: str, proxy: str, total: int, per_page: int, max_pages: int) -> list[str]:
        """jpage's own requests: ``dataproxy.jsp?startrecord=16&endrecord=30&perpage=15`` plus the
        column's parameters (col, webid, columnid, unitid …) that the page passes in ``ajaxParam``
        (sent as a query: dataproxy reads request parameters, GET or POST alike)."""
        params = [(k.decode(), v.decode().strip("'\"")) for k, v in _AJAX_PARAM.findall(
            _AJAX_BLOCK.search(data).group(1) if _AJAX_BLOCK.search(data) else b"")]
        if "dataproxy" in urlsplit(url).path:  # already a proxy page: the first page planned them all
            return []
        out = []
        for start in range(1, total + 1, per_page):
            query = [("startrecord", str(start)), ("endrecord", str(min(start + per_page - 1, total))),
                     ("perpage", str(per_page))] + params
            out.append(urljoin(url, proxy) + "?" + urlencode(query))
        return out[:max_pages]


class Gkmlpt(Platform):
    """广东 gkmlpt: ``/gkmlpt/index`` draws its lists in the browser from a JSON API.

    The index page carries ``_CONFIG = {SID: '…'}`` and its category tree (``{"id": 2641, "name":
    "政府信息公开年报"}`` entries or ``#2641`` anchors); a category's entries are at
    ``/gkmlpt/api/all/2641?page=N&sid=SID`` as ``{"articles": [{"title", "url"}], "total": N}``.
    """

    name = "gkmlpt"

    def column_links(self, html: bytes | str, url: str) -> list[tuple[str, str]]:
        text = discovery.decode_html(html)
        sid = _SID.search(text)
        if not sid:
            return super().column_links(html, url)
        cats = {m.group(1): m.group(2) for m in _CAT_JSON.finditer(text)}
        cats.update({m.group(1): re.sub(r"<[^>]+>", "", m.group(2)) for m in _CAT_ANCHOR.finditer(text)})
        return [(urljoin(url, f"/gkmlpt/api/all/{cat}?page=1&sid={sid.group(1)}"), label.strip())
                for cat, label in cats.items()]

    @staticmethod
    def _json(html: bytes | str) -> dict | None:
        try:
            data = json.loads(html if isinstance(html, str) else html.decode("utf-8", "replace"))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def listing_links(self, html: bytes | str, url: str) -> list[Link]:
        data = self._json(html)
        if data is None:
            return super().listing_links(html, url)
        links = []
        for article in data.get("articles") or []:
            if not isinstance(article, dict) or not isinstance(article.get("url"), str):
                continue
            title = str(article.get("title") or "")
            kind = "report" if discovery.classify_title(title)[0] else "other"
            links.append(Link(urljoin(url, article["url"]), title, kind))
        return links

    def listing_pages(self, html: bytes | str, url: str, max_pages: int) -> list[str]:
        data = self._json(html)
        if data is None:
            return super().listing_pages(html, url, max_pages)
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        per_page = len(data.get("articles") or []) if query.get("page", "1") == "1" else 0
        total = data.get("total")
        if not per_page or not isinstance(total, int):
            return []
        pages = range(2, min(math.ceil(total / per_page), max_pages) + 1)
        return [urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode({**query, "page": n}), ""))
                for n in pages]


_SID = re.compile(r"""_CONFIG\s*=\s*\{[^}]*?\bSID\s*:\s*['"]?(\w+)""", re.S)
_CAT_JSON = re.compile(r'"id"\s*:\s*(\d+)\s*,\s*"name"\s*:\s*"([^"]{1,40})"')
_CAT_ANCHOR = re.compile(r"""<a[^>]+href=["'][^"'#]*#(\d+)["'][^>]*>(.{1,80}?)</a>""", re.S)


class IList(Platform):
    """四川-style ``info/iList.jsp?cat_id=N&cur_page=P``: pages by ``cur_page``, counted by 共N页."""

    name = "ilist"

    def listing_pages(self, html: bytes | str, url: str, max_pages: int) -> list[str]:
        pages = super().listing_pages(html, url, max_pages)
        text = discovery.decode_html(html)
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        if "cat_id" not in query:
            return pages
        count = _PAGE_COUNT.search(text)
        seen = [int(n) for n in _CUR_PAGE.findall(text)]
        last = int(count.group(1)) if count else max(seen, default=1)
        current = int(query.get("cur_page", "1")) if query.get("cur_page", "1").isdigit() else 1
        extra = [urlunsplit((parts.scheme, parts.netloc, parts.path,
                             urlencode({**query, "cur_page": n}), ""))
                 for n in range(1, min(last, max_pages) + 1) if n != current]
        return list(dict.fromkeys(pages + extra))[:max_pages]


_PAGE_COUNT = re.compile(r"共\s*(\d{1,4})\s*页")
_CUR_PAGE = re.compile(r"cur_page=(\d{1,4})")


class Xxgk(Platform):
    """A separate 信息公开 platform on an ``xxgk.`` host: ordinary pages, its own host."""

    name = "xxgk"


class Trs(Platform):
    """TRS WCM: the generic reader already knows its pagers (createPageHTML, countPage, index_N)."""

    name = "trs"


PLATFORMS: dict[str, Platform] = {p.name: p for p in (
    Platform(), Trs(), Hanweb(), Gkmlpt(), IList(), Xxgk())}


def platform_for(name: str | None) -> Platform:
    """The reader for a registry row's platform hint; unknown or empty hints read generically."""
    return PLATFORMS.get((name or "generic").strip().lower(), PLATFORMS["generic"])


# Fingerprints, most specific first: (family, URL pattern, markup pattern).
_FINGERPRINTS = (
    ("gkmlpt", re.compile(r"/gkmlpt/"), re.compile(rb"_CONFIG\s*=[^;]*SID|/gkmlpt/(?:index|api)")),
    ("ilist", re.compile(r"/iList\.jsp", re.I), re.compile(rb"iList\.jsp\?cat_id=", re.I)),
    ("hanweb", re.compile(r"/col/col\d+/|/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html|dataproxy\.jsp"),
     re.compile(rb"<datastore>|module/web/jpage|/col/col\d+/index\.html|hanweb", re.I)),
    ("trs", re.compile(r"/t\d{8}_\d+\.s?html?$|/index_\d+\.s?html?$"),
     re.compile(rb"createPageHTML|countPage|/t\d{8}_\d+\.s?html?|TRS\s*WCM|trsapi", re.I)),
)


def detect(html: bytes | str, url: str) -> str:
    """The platform family a page shows (its URL first, then its markup); ``xxgk`` for a separate
    信息公开 host; ``generic`` when nothing is recognised."""
    path = urlsplit(url).path
    for name, by_url, _ in _FINGERPRINTS:
        if by_url.search(path):
            return name
    data = _as_bytes(html)[:400_000]
    for name, _, by_markup in _FINGERPRINTS:
        if by_markup.search(data):
            return name
    if (urlsplit(url).hostname or "").startswith("xxgk."):
        return "xxgk"
    return "generic"
