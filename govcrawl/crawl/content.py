"""What a fetched body really is, judged from its bytes: pure functions, no Scrapy.

Charsets are resolved by ``govcrawl.extract.decode`` (one policy for crawl and extraction).

Government sites label things wrongly: PDFs served as ``text/html``, GBK pages declared UTF-8,
"page not found" pages answered with 200 (soft 404s), and empty shells whose only content is a
``window.location = "…"`` script. The spider asks these functions before it trusts a response.

    sniff_mime(body, header_content_type)        -> "application/pdf", "text/html", …
    resolve_charset(body, header_content_type)   -> ("gb18030", "meta")
    effective_content_type(body, header)         -> "text/html; charset=gb18030"
    soft_404_reason(body, content_type)          -> "soft 404: 页面不存在" | None
    js_redirect_target(body, base_url)           -> absolute URL | None
"""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from govcrawl.extract.decode import cut_before_tag, decode, header_charset, resolve_charset
from govcrawl.extract.sniff import MIME, sniff

__all__ = ["sniff_mime", "resolve_charset", "effective_content_type", "soft_404_reason",
           "js_redirect_target", "visible_text"]


def _header_mime(content_type: str | None) -> str | None:
    if not content_type:
        return None
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime or None


def sniff_mime(body: bytes, content_type: str | None = None) -> str:
    """The MIME type the bytes show (``govcrawl.extract.sniff``, the one sniffer), whatever the
    header claims; the header's only when the bytes say nothing definite (plain text vs. unknown
    binary or an unrecognised compound file)."""
    kind = sniff(body)
    declared = _header_mime(content_type)
    if kind in ("binary", "ole"):
        return declared if declared and not declared.startswith("text/") else MIME[kind]
    if kind == "text" and declared and (declared.startswith("text/") or
                                        declared in ("application/json", "application/xml")):
        return declared
    return MIME[kind]


def effective_content_type(body: bytes, content_type: str | None = None) -> str:
    """The Content-Type the bytes justify: sniffed MIME, plus the resolved charset for text."""
    mime = sniff_mime(body, content_type)
    if mime.startswith("text/") or mime in ("application/json", "application/xml"):
        return f"{mime}; charset={resolve_charset(body, content_type)[0]}"
    return mime


def decode_text(body: bytes, content_type: str | None = None) -> str:
    return decode(body, content_type)[0]


_DROP = re.compile(r"(?is)<(script|style|noscript|head)\b.*?</\1\s*>|<!--.*?-->")
_TAG = re.compile(r"(?s)<[^>]{0,2000}>")
_TITLE = re.compile(r"(?is)<title[^>]*>(.*?)</title>")


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", _TAG.sub(" ", _DROP.sub(" ", html))).strip()


SOFT_404_PHRASES = ("页面不存在", "页面未找到", "找不到页面", "找不到您要访问的页面", "页面已删除",
                    "页面已被删除", "信息已删除", "文章不存在", "信息不存在", "内容不存在", "该信息已撤销",
                    "访问的页面不存在", "Page Not Found", "404 Not Found")
SOFT_404_MAX_TEXT = 1500  # a real report page is far longer than an error page


def soft_404_reason(body: bytes, content_type: str | None = None) -> str | None:
    """'soft 404: <phrase>' for a 200 page that says it is not there, else None.

    The phrase must be in the <title>, or the page's visible text must be short: a long page that
    merely mentions 页面不存在 somewhere is not an error page.
    """
    if not body or sniff_mime(body, content_type) != "text/html":
        return None
    html = decode_text(body[:262144], content_type)
    m = _TITLE.search(html)
    title = visible_text(m.group(1)) if m else ""
    text = visible_text(html)
    for phrase in SOFT_404_PHRASES:
        if phrase.lower() in title.lower():
            return f"soft 404: {phrase}"
    if len(text) <= SOFT_404_MAX_TEXT:
        for phrase in SOFT_404_PHRASES:
            if phrase.lower() in text.lower():
                return f"soft 404: {phrase}"
    if len(text) <= 200 and re.search(r"(?<!\d)404(?!\d)", title + " " + text):
        return "soft 404: 404"
    return None


_JS_REDIRECT = re.compile(
    r"""(?:(?:window|self|top|parent|document)\s*\.\s*)?location"""
    r"""(?:\s*\.\s*href)?\s*(?:=\s*|\.\s*(?:replace|assign)\s*\(\s*)["']([^"'<>\s]{1,2000})["']""")
JS_SHELL_MAX_TEXT = 300  # visible text of a page that is only a redirect shell


def js_redirect_target(body: bytes, base_url: str, content_type: str | None = None) -> str | None:
    """The absolute http(s) URL a JavaScript redirect shell sends the browser to, else None.

    Only shells count: pages with little visible text whose script assigns ``location`` (or calls
    ``location.replace/assign``). A long page with such a script somewhere is content, not a shell.
    """
    if not body or len(body) > 65536 or sniff_mime(body, content_type) != "text/html":
        return None
    html = decode_text(body, content_type)
    if len(visible_text(html)) > JS_SHELL_MAX_TEXT:
        return None
    scripts = " ".join(re.findall(r"(?is)<script\b[^>]*>(.*?)</script\s*>", html))
    scripts += " " + " ".join(re.findall(r"""(?i)\bon(?:load)\s*=\s*["']([^"']*)""", html))
    m = _JS_REDIRECT.search(scripts)
    if not m:
        return None
    target = m.group(1).strip()
    if re.match(r"(?i)(javascript|mailto|data|about):", target):
        return None
    try:
        url = urljoin(base_url, target)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url.split("#", 1)[0]


def corrected_content_type(body: bytes, content_type: str | None = None) -> str | None:
    """The header when the bytes agree with it; the evidence-based type when they do not
    (a PDF labelled text/html, a GBK page labelled UTF-8). The raw header stays in the WARC."""
    mime = sniff_mime(body, content_type)
    declared_mime = _header_mime(content_type)
    if declared_mime != mime:
        return effective_content_type(body, content_type)
    if mime.startswith("text/"):
        declared = header_charset(content_type)
        if declared and declared != resolve_charset(body, content_type)[0]:
            return effective_content_type(body, content_type)
    return content_type


MAX_PARSE_BYTES = 8 * 1024 * 1024  # like extraction's MAX_HTML_BYTES: links beyond are not looked for


def head_for_parsing(body: bytes, limit: int = MAX_PARSE_BYTES) -> bytes:
    """The first ``limit`` bytes of an HTML body, cut before a tag so no character is split.

    Link discovery builds a full lxml tree: a 50 MB page costs about 1 GB of memory that way, and
    no real listing or report page is anywhere near 8 MB.
    """
    return cut_before_tag(body, limit)
