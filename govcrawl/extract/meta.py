"""Title, agency, report year and publication date; and whether a page is a report at all.

Sources, strongest first: the CMS meta tags (ArticleTitle, PubDate), the body title, the page
<title> (minus the site suffix), the closing signature, the statistics-period sentence. Listing
pages, letters about disclosure work (关于…工作要点落实情况的函) and pages without report content
are told apart here so they never reach the table mapper as "reports with everything missing".
"""
from __future__ import annotations

import re

from govcrawl.extract import labels as L
from govcrawl.extract import titles

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_DIGIT = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0", "O": "0"}
_LETTER = re.compile(r"(关于.{0,60}(的)?函$|要点落实情况|落实情况的函|的通知$|的复函$)")
_PERIOD = re.compile(r"(?:统计期限|统计时限|统计期间|统计时间)[^。]{0,10}?((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日")
_ISO = re.compile(r"((?:19|20)\d{2})[-/.年]\s*(\d{1,2})[-/.月]\s*(\d{1,2})")
_SITE_SUFFIX = re.compile(r"\s*[_|\-–—]\s*[^_|\-–—]*$")
_PUB_KEYS = ("PubDate", "pubdate", "publishdate", "PublishDate", "firstpublishedtime", "publish_date",
             "article:published_time", "dc.date", "DC.Date", "created")


def iso_date(text: str | None) -> str | None:
    if not text:
        return None
    t = L.clean(text)
    m = _ISO.search(t)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    m = re.search(r"([〇零○一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日", t)
    if m:
        y = int("".join(_CN_DIGIT.get(c, "") for c in m.group(1)))
        return f"{y:04d}-{_cn_small(m.group(2)):02d}-{_cn_small(m.group(3)):02d}"
    return None


def _cn_small(s: str) -> int:
    digits = {c: i for i, c in enumerate("〇一二三四五六七八九")}
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + digits.get(s[1], 0)
    if "十" in s:
        a, _, b = s.partition("十")
        return digits.get(a, 0) * 10 + (digits.get(b, 0) if b else 0)
    return digits.get(s, 0)


def page_title(meta: dict, doc_title: str | None) -> str | None:
    t = meta.get("ArticleTitle") or meta.get("articletitle")
    if t:
        return L.collapse(t)
    if doc_title:
        t = L.collapse(doc_title)
        if "_" in t or " - " in t or "|" in t:
            t = _SITE_SUFFIX.sub("", t)
            while _SITE_SUFFIX.search(t) and not titles.names_a_report(t.split("_")[-1]):
                t2 = _SITE_SUFFIX.sub("", t)
                if t2 == t:
                    break
                t = t2
        return t or None
    return None


def body_title(paragraphs: list[str]) -> str | None:
    """The title as printed at the top of the body, possibly broken over two or three lines."""
    lines: list[str] = []
    for p in paragraphs[:6]:
        t = L.collapse(p)
        if not t:
            continue
        if len(t) > 60 or t.startswith(("一、", "根据", "本报告")):
            break
        lines.append(t)
        joined = "".join(lines)
        if titles.names_a_report(joined):
            return joined
    return None


def report_year(title: str | None, text: str) -> int | None:
    """The report year: from a title that names a report (``titles.report_year``, the rule the
    crawl's listings use too), else from the body (统计期限 sentence, "2020年…信息公开"), else any
    year in the title."""
    if title and titles.names_a_report(title):
        year = titles.report_year(title)
        if year:
            return year
    sq = L.squash(text[:3000])
    m = _PERIOD.search(sq)
    if m:
        return int(m.group(1))
    m = re.search(r"((?:19|20)\d{2})年度?(?:[^\d]{0,12})(?:信息公开|政务公开|政务信息公开)", sq)
    if m:
        return int(m.group(1))
    if title:
        year = titles.report_year(title)
        if year:
            return year
        m = _YEAR.search(L.squash(title))
        return int(m.group(1)) if m else None
    return None


def agency_from_title(title: str | None) -> str | None:
    if not title:
        return None
    t = L.collapse(title).replace(" ", "")
    m = re.match(r"^(.*?)(?:(?:19|20)\d{2}|[〇零○一二三四五六七八九]{4})年", t)
    if m and m.group(1):
        a = m.group(1).strip("《》“”\"' ：:")
        a = re.sub(r"(关于)?(印发|公布|发布)?$", "", a)
        return a or None
    return None


def published(meta: dict, signature: list[str], page_text: str) -> str | None:
    for k in _PUB_KEYS:
        if meta.get(k):
            d = iso_date(meta[k])
            if d:
                return d
    for line in reversed(signature):
        d = iso_date(line)
        if d:
            return d
    m = re.search(r"(?:发布时间|发布日期|发文日期|成文日期|日期)\s*[:：]?\s*((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2})",
                  page_text)
    return iso_date(m.group(1)) if m else None


def looks_like_report_title(title: str | None) -> bool:
    return titles.names_a_report(title)


def looks_like_letter(title: str | None) -> bool:
    if not title:
        return False
    t = L.squash(title)
    return bool(_LETTER.search(t)) and "年度报告" not in t


_AGENCY_NOISE = re.compile(r"[\s\u3000《》“”\"'‘’「」()（）【】\[\]:：,，、.。·]")
_AGENCY_TAIL = re.compile(r"(?:人民政府|政府)$")


def agency_key(agency: str | None, site_name: str | None = None) -> str:
    """The agency as printed, normalised so one agency's reports of several years meet.

    Titles name an agency in many ways (鹭湾区 / 澜州市鹭湾区人民政府 / 澜州市 鹭湾区): NFKC, no
    spaces or punctuation, no trailing 人民政府. A printed name that the registry row's own name
    ends with (or that ends with it) is that row's agency; a missing one is too. Anything else
    (a department's report in a district's column) stays its own agency.
    """
    import unicodedata

    def norm(text: str | None) -> str:
        t = _AGENCY_NOISE.sub("", unicodedata.normalize("NFKC", text or ""))
        return _AGENCY_TAIL.sub("", t) or t

    printed, site = norm(agency), norm(site_name)
    if not printed:
        return site
    if site and len(printed) >= 2 and (site.endswith(printed) or printed.endswith(site)):
        return site
    return printed
