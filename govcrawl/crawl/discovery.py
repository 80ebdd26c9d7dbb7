"""Link discovery on 年报 listing pages and report pages: pure functions over HTML, no Scrapy.

Government CMSs (TRS WCM, Hanweb, home-grown) differ in markup but share habits: report titles follow
a few phrasings (spec/VARIANTS.md §2), listings mix in notices about reports (§1), pagers are
often drawn by JavaScript from a page count, and attachments hide behind download servlets.
Everything here is tolerant: broken HTML, GBK bytes, missing hrefs never raise.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urldefrag, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from govcrawl.extract.decode import decode
from govcrawl.extract.titles import classify_title, report_year  # one title/year classifier

__all__ = [
    "Link", "classify_title", "report_year", "extract_links", "pagination_urls",
    "attachment_links", "table_images", "decode_html", "ATTACHMENT_EXTENSIONS",
]

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "xls", "xlsx", "et")


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    kind: str  # "report" | "listing" | "attachment" | "other"


# ---------------------------------------------------------------------------------------------
# Decoding and parsing

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def decode_html(data: bytes | str) -> str:
    """Bytes to text by govcrawl's one charset policy (BOM, declarations, what decodes cleanly)."""
    return data if isinstance(data, str) else decode(data)[0]


def _parse(html: bytes | str):
    """The lxml document, or None when there is nothing to parse; the recovering parser copes with
    most tag soup."""
    text = _XML_DECL.sub("", decode_html(html))
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\u00a0", " ").replace("\u3000", " ")).strip()


def _effective_base(doc, base_url: str) -> str:
    for el in doc.iter("base"):
        href = (el.get("href") or "").strip()
        if href:
            return urljoin(base_url, href)
    return base_url


def _resolve(href: str | None, base: str) -> str | None:
    """Absolute http(s) URL without fragment, or None for javascript:, mailto:, '#', etc."""
    href = (href or "").strip().replace("\\", "/")
    if not href or href.startswith("#"):
        return None
    if re.match(r"(?i)(javascript|mailto|tel|data|about|sms):", href):
        return None
    try:
        url = urldefrag(urljoin(base, href))[0]
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


_BLOCKS = frozenset({"a", "p", "li", "ul", "ol", "div", "tr", "td", "table", "dl", "dd", "dt", "br"})


def _own_text(a) -> str:
    """The anchor's text up to a nested <a> or block: libxml2 does not close an unclosed <a> at the
    next <a> as browsers do, so without this one anchor would swallow the rest of the list."""
    parts = [a.text or ""]
    for child in a:
        if isinstance(child.tag, str) and child.tag.lower() in _BLOCKS:
            break
        if isinstance(child.tag, str) and child.tag.lower() not in ("script", "style"):
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return _clean("".join(parts))


def _anchors(doc, base: str):
    """(url, visible text, title attr) for each <a href> that resolves to an http(s) URL."""
    for a in doc.iter("a"):
        url = _resolve(a.get("href"), base)
        if url:
            yield url, _own_text(a), _clean(a.get("title"))


# ---------------------------------------------------------------------------------------------
# Attachments

_EXT_RE = "|".join(ATTACHMENT_EXTENSIONS)
_PATH_EXT = re.compile(rf"\.({_EXT_RE})$", re.I)
_TEXT_EXT = re.compile(rf"\.({_EXT_RE})\s*[)）\]】]?$", re.I)


def _is_attachment(url: str, text: str, title: str) -> bool:
    parts = urlsplit(url)
    if _PATH_EXT.search(unquote(parts.path)):
        return True
    # TRS/Hanweb download servlets: downfile.jsp?filename=x.pdf, pdf.js viewer ?file=/x.pdf
    if any(_PATH_EXT.search(v.strip()) for _, v in parse_qsl(parts.query)):
        return True
    if re.search(r"\.s?html?$", parts.path, re.I):
        return False
    return bool(_TEXT_EXT.search(text) or _TEXT_EXT.search(title))


def attachment_links(html: bytes | str, base_url: str) -> list[Link]:
    """Documents linked or embedded in a page: pdf/doc/docx/wps/xls/xlsx, incl. download servlets."""
    doc = _parse(html)
    if doc is None:
        return []
    base = _effective_base(doc, base_url)
    found: dict[str, Link] = {}
    for url, text, title in _anchors(doc, base):
        if url not in found and (_is_attachment(url, text, title) or _linked_table_picture(url, text, title)):
            found[url] = Link(url, text or title or _filename(url), "attachment")
    for el in doc.iter("iframe", "embed", "object"):
        url = _resolve(el.get("src") or el.get("data"), base)
        if url and url not in found and _is_attachment(url, "", ""):
            found[url] = Link(url, _clean(el.get("title")) or _filename(url), "attachment")
    return list(found.values())


_IMAGE_PATH = re.compile(r"\.(?:png|jpe?g|gif|bmp|tiff?|webp)$", re.I)
_CHROME_IMAGE = re.compile(r"logo|icon|banner|btn|button|qr|ewm|erweima|share|print|close|arrow|top|jiucuo|conac|"
                           r"/images?/(?:common|public|skin)|/(?:skin|style|static|template)s?/", re.I)
_CHROME_CONTAINER = re.compile(r"header|footer|nav|menu|top|bottom|banner|share|foot|logo", re.I)
_TEMPLATE_TABLE_LABELS = ("本年新收", "第二十条", "行政复议")


def _linked_table_picture(url: str, text: str, title: str) -> bool:
    """A picture linked (not shown) as an attachment: 附件1：统计表.jpg."""
    return bool(_IMAGE_PATH.search(urlsplit(url).path)) and bool(re.search(r"附件|统计表|年报|报告", text + title))


def table_images(html: bytes | str, base_url: str, limit: int = 10) -> list[Link]:
    """Pictures that may be a report's tables: content images of a page whose template tables are
    not HTML tables (``<img>`` screenshots of 表二/三/四). Empty when the tables are already text,
    so OCR is only ever asked for pages that need it. Site chrome (logos, icons, QR codes, images
    in header/footer/nav containers) is skipped."""
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "ignore")
    if not re.search(rb"<img\b", raw, re.I):
        return []  # the common case costs a byte scan, not a second parse of the page
    doc = _parse(html)
    if doc is None:
        return []
    table_text = " ".join(t.text_content() for t in doc.iter("table"))
    if all(label in table_text for label in _TEMPLATE_TABLE_LABELS):
        return []
    base = _effective_base(doc, base_url)
    found: dict[str, Link] = {}
    for img in doc.iter("img"):
        url = _resolve(img.get("src") or img.get("data-src") or img.get("original"), base)
        if not url or not _IMAGE_PATH.search(urlsplit(url).path) or _CHROME_IMAGE.search(url):
            continue
        width = re.match(r"\s*(\d+)", img.get("width") or "")
        if width and int(width.group(1)) < 200:
            continue
        if any(_CHROME_CONTAINER.search(" ".join((a.get("class") or "", a.get("id") or "")))
               for a in img.iterancestors() if a.tag in ("div", "header", "footer", "nav", "ul", "td")):
            continue
        found.setdefault(url, Link(url, _clean(img.get("alt")) or _filename(url), "attachment"))
    return list(found.values())[:limit]


def _filename(url: str) -> str:
    """Name of the linked file; for download servlets and viewers, the file named in the query."""
    parts = urlsplit(url)
    for _, value in parse_qsl(parts.query):
        if _PATH_EXT.search(value.strip()):
            return unquote(value.strip().rsplit("/", 1)[-1])
    return unquote(parts.path.rsplit("/", 1)[-1])


# ---------------------------------------------------------------------------------------------
# Pagination

_NEXT_WORDS = {"下一页", "下页", "后一页", "后页", "尾页", "末页", "最后一页", "最末页", "下一页>", "下一页>>"}
# Listing file names only: article names such as content_123.html must not look like pages.
_STATIC_PAGE = re.compile(
    r"^(?P<prefix>index|list|lists|nlist|page|default|more)_(?P<n>\d{1,4})\.(?P<ext>s?html?|jsp|php|aspx?)$", re.I)
_PAGE_PARAMS = ("page", "pageNo", "pageno", "pageNum", "pagenum", "pageIndex", "pageindex",
                "curPage", "currentPage", "currpage", "pn")
_CREATE_PAGE = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_JS_ARG = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z_$][\w$.]*)|(\d+))\s*""")
_COUNT_VARS = ("countPage", "pageCount", "totalPage", "totalPages", "pageTotal", "pagecount",
               "totalpage", "page_count", "total_page", "maxPage")
_TEMPLATE_SLOTS = re.compile(r"\{\{?\s*(?:page|pageNo|pageNum|pageIndex|p|0|i|n)\s*\}?\}|\$\{\s*\w+\s*\}|#page#|\[page\]", re.I)
_QUOTED = re.compile(r"""["']([^"'\s<>]{1,200})["']""")
_CONCAT = re.compile(r"""["']([^"'\s<>]*?[_=])["']\s*\+\s*\(?\s*[A-Za-z_$][\w$]*\s*(?:[+-]\s*\d+\s*)?\)?\s*(?:\+\s*["']([^"'\s<>]*)["'])?""")
_TRS_CONFIG = re.compile(r"maxStaticIndex\s*:\s*['\"]?(\d+)|recordCount\s*:\s*['\"]?(\d+)|prepage\s*:\s*['\"]?(\d+)")
_TRS_DOC = re.compile(r"/t\d{8}_\d+\.(s?html?)$", re.I)


def _listing_dir(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts.netloc.lower(), path[: path.rfind("/") + 1]


def _in_dir(url: str, netloc: str, directory: str) -> bool:
    parts = urlsplit(url)
    return parts.netloc.lower() == netloc and (parts.path or "/").startswith(directory)


def _int_var(script: str, name: str) -> int | None:
    m = re.search(rf"\b{re.escape(name)}\s*[:=]\s*['\"]?(\d{{1,5}})\b", script)
    return int(m.group(1)) if m else None


def _page_ext(doc, base: str) -> str:
    """Extension TRS uses for static pages on this site: from the page's own name, else its doc links."""
    m = re.search(r"/index(?:_\d+)?\.(s?html?)$", urlsplit(base).path, re.I)
    if m:
        return m.group(1).lower()
    counts: dict[str, int] = {}
    for url, _, _ in _anchors(doc, base):
        d = _TRS_DOC.search(urlsplit(url).path)
        if d:
            counts[d.group(1).lower()] = counts.get(d.group(1).lower(), 0) + 1
    return max(counts, key=counts.get) if counts else "html"


def _js_args(arglist: str, script: str) -> list[str | int | None]:
    """createPageHTML's arguments as str (quoted) or int (literal, or a variable set in the page)."""
    values: list[str | int | None] = []
    for m in _JS_ARG.finditer(arglist):
        double, single, name, number = m.groups()
        if double is not None or single is not None:
            text = double if double is not None else single
            values.append(int(text) if text.isdigit() else text)
        elif number is not None:
            values.append(int(number))
        elif name is not None:
            values.append(_int_var(script, name.split(".")[-1]))
    return values


def _trs_create_page(script: str, directory_url: str, cap: int) -> list[str]:
    """createPageHTML(count, current, "index", "html") → index.html, index_1.html … index_{count-1}.html.

    Also the 6-argument form createPageHTML('div', count, current, 'index', 'html', records) and
    arguments passed as variables (var countPage = 5). TRS numbers pages from 0 = index.html.
    """
    out: list[str] = []
    for call in _CREATE_PAGE.finditer(script):
        args = _js_args(call.group(1), script)
        ext_at = next((i for i, a in enumerate(args)
                       if i > 0 and isinstance(a, str) and re.fullmatch(r"s?html?|jsp|php", a, re.I)), None)
        if ext_at is None or not isinstance(args[ext_at - 1], str):
            continue
        prefix, ext = args[ext_at - 1], args[ext_at]
        numbers = [a for a in args[: ext_at - 1] if isinstance(a, int)]
        if not numbers:
            continue
        count, current = numbers[0], (numbers[1] if len(numbers) > 1 else 0)
        for k in range(min(count, cap + 1)):
            if k != current:
                out.append(urljoin(directory_url, f"{prefix}.{ext}" if k == 0 else f"{prefix}_{k}.{ext}"))
    return out


def _trs_list_config(script: str, directory_url: str, ext: str, cap: int) -> list[str]:
    """TRS "动静结合" lists (list2.trsapi): static index_1…index_{maxStaticIndex}, bounded by records/prepage."""
    static = records = per_page = None
    for m in _TRS_CONFIG.finditer(script):
        static = int(m.group(1)) if m.group(1) else static
        records = int(m.group(2)) if m.group(2) else records
        per_page = int(m.group(3)) if m.group(3) else per_page
    if static is None and not (records and per_page):
        return []
    last = static if static is not None else math.ceil(records / per_page) - 1
    if records and per_page:
        last = min(last, math.ceil(records / per_page) - 1)
    return [urljoin(directory_url, f"index_{k}.{ext}") for k in range(1, min(last, cap) + 1)]


def _template_ok(head: str) -> bool:
    """The text before the page number must look like a pager: index_ / list_ or a page parameter."""
    m = re.search(r"(?:^|[/?&])([A-Za-z]+)([_=])$", head)
    if not m:
        return False
    name, sep = m.groups()
    return name in _PAGE_PARAMS if sep == "=" else name.lower() in {"index", "list", "lists", "page", "default", "more"}


def _js_templates(script: str, base: str, cap: int) -> list[str]:
    """Hanweb-style pagers: a page-count variable plus a URL template visible in the same script."""
    count = next((c for c in (_int_var(script, v) for v in _COUNT_VARS) if c), None)
    if not count or count < 2:
        return []
    out: list[str] = []
    templates: list[tuple[str, str]] = []
    for m in _QUOTED.finditer(script):
        if _TEMPLATE_SLOTS.search(m.group(1)):
            head, tail = _TEMPLATE_SLOTS.split(m.group(1), maxsplit=1)
            templates.append((head, tail))
    for m in _CONCAT.finditer(script):
        templates.append((m.group(1), m.group(2) or ""))
    for head, tail in templates:
        if not _template_ok(head):
            continue
        # Static file suffixes (index_3.html) count from 0 like TRS; query numbers count from 1.
        pages = range(1, count) if head.endswith("_") else range(2, count + 1)
        for k in list(pages)[:cap]:
            out.append(urljoin(base, f"{head}{k}{tail}"))
    return out


def _page_key(url: str):
    """(url-with-page-slot, page number) for index_N.ext files and ?page=N style queries."""
    parts = urlsplit(url)
    path = parts.path or "/"
    name = path.rsplit("/", 1)[-1]
    m = _STATIC_PAGE.match(name)
    if m and not parts.query:
        return ("static", parts.scheme, parts.netloc, path[: len(path) - len(name)], m["prefix"], m["ext"]), int(m["n"])
    params = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(params):
        if k in _PAGE_PARAMS and v.isdigit():
            rest = tuple(params[:i]) + ((k, None),) + tuple(params[i + 1:])
            return ("query", parts.scheme, parts.netloc, path, rest), int(v)
    return None, None


def _fill_ranges(urls: list[str], cap: int) -> list[str]:
    """Given index_2 … index_9 (or page=2 … page=9) seen in a pager, also emit the pages between."""
    groups: dict[tuple, list[int]] = {}
    for url in urls:
        key, n = _page_key(url)
        if key is not None:
            groups.setdefault(key, []).append(n)
    out = []
    for key, numbers in groups.items():
        # TRS numbers index_1 as page 2, so index_ pages start at 1; list_2-style pagers number
        # the first extra page 2 (page 1 is index.htm): never invent pages below what they show.
        if key[0] == "static":
            low = 1 if key[4] == "index" else min(2, min(numbers))
        else:
            low = min(numbers)
        for n in range(low, min(max(numbers), low + cap - 1) + 1):
            if key[0] == "static":
                _, scheme, netloc, directory, prefix, ext = key
                out.append(urlunsplit((scheme, netloc, f"{directory}{prefix}_{n}.{ext}", "", "")))
            else:
                _, scheme, netloc, path, rest = key
                query = urlencode([(k, str(n) if v is None else v) for k, v in rest])
                out.append(urlunsplit((scheme, netloc, path, query, "")))
    return out


def _same_page(a: str, b: str) -> bool:
    """A directory URL and its index.html are one page."""
    def strip(u: str) -> str:
        return re.sub(r"/index\.(?:s?html?|jsp|php|aspx?)$", "/", urldefrag(u)[0])
    return strip(a) == strip(b)


def _pagination(doc, base_url: str, max_pages: int) -> list[str]:
    if doc is None or max_pages <= 0:
        return []
    base = _effective_base(doc, base_url)
    netloc, directory = _listing_dir(base_url)
    directory_url = urlunsplit((urlsplit(base_url).scheme, netloc, directory, "", ""))
    scripts = "\n".join(s.text or "" for s in doc.iter("script"))
    # Pagers are sometimes inline onclick handlers rather than <script> blocks.
    scripts += "\n" + "\n".join(v for el in doc.iter() if isinstance(el.tag, str)
                                for k, v in el.attrib.items() if k.startswith("on"))

    anchored: list[str] = []
    for url, label, title in _anchors(doc, base):
        word = (label or title).replace(" ", "")
        if word in _NEXT_WORDS or _page_key(url)[0] is not None:
            anchored.append(url)

    candidates = (anchored + _fill_ranges(anchored, max_pages)
                  + _trs_create_page(scripts, directory_url, max_pages)
                  + _trs_list_config(scripts, directory_url, _page_ext(doc, base), max_pages)
                  + _js_templates(scripts, base, max_pages))
    kept = [u for u in dict.fromkeys(candidates)
            if _in_dir(u, netloc, directory) and not _same_page(u, base_url) and not _is_attachment(u, "", "")]
    # Page order (unnumbered pages such as index.html or a bare 下一页 target first), then cap.
    kept.sort(key=lambda u: -1 if _page_key(u)[1] is None else _page_key(u)[1])
    return kept[:max_pages]


def pagination_urls(html: bytes | str, base_url: str, max_pages: int = 50) -> list[str]:
    """Further pages of a listing: pager links, index_N / ?page=N links and JS page counters.

    Only URLs in the listing's own directory (same host) are kept, so a pager can never lead the
    crawl out of the 年报 column; at most max_pages URLs, the current page excluded.
    """
    doc = _parse(html)
    return _pagination(doc, base_url, max_pages)


# ---------------------------------------------------------------------------------------------
# All links


def _is_sub_listing(url: str, netloc: str, directory: str) -> bool:
    """A sub-column below the listing (Chongqing 年报 roots split into 区政府/部门/街镇 columns)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if not _in_dir(url, netloc, directory) or len(path) <= len(directory) or parts.query:
        return False
    return path.endswith("/") or bool(re.search(r"/index\.(?:s?html?|jsp|php|aspx?)$", path))


def extract_links(html: bytes | str, base_url: str) -> list[Link]:
    """Every <a href> of the page, absolute and classified, in document order (first occurrence wins).

    kind: "report" when the text or title attribute is a report title (even if it points at a PDF:
    the listing says what it is); "attachment" for documents; "listing" for further pages and
    sub-columns in the listing's directory; "other" for the rest. Link.text is the visible text,
    or the title attribute when that is the one naming a report or the text is empty or truncated.
    """
    doc = _parse(html)
    if doc is None:
        return []
    base = _effective_base(doc, base_url)
    netloc, directory = _listing_dir(base_url)
    pages = set(_pagination(doc, base_url, max_pages=1000))
    links: dict[str, Link] = {}
    for url, label, title in _anchors(doc, base):
        if url in links:
            continue
        by_text, by_title = classify_title(label)[0], classify_title(title)[0]
        shown = label
        if (by_title and not by_text) or not label or label.endswith(("...", "…")):
            shown = title or label
        if by_text or by_title:
            kind = "report"
        elif _is_attachment(url, label, title):
            kind = "attachment"
        elif url in pages or _is_sub_listing(url, netloc, directory):
            kind = "listing"
        else:
            kind = "other"
        links[url] = Link(url, shown, kind)
    return list(links.values())
