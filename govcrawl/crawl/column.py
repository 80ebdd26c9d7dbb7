"""Find a site's 政府信息公开年报 column from its portal home page, within a small page budget.

No source lists the column URL of 3,200 governments, and sites are rebuilt often, so the crawler
finds it itself: from the home page it follows the links whose text or URL says 政务公开 / 政府信息
公开 / 信息公开目录 / 年报 / 年度报告 / zfxxgknb / ndbg, best score first, at most ``budget`` pages a
site. A page that lists report titles is a candidate column; the best-scored one is kept, with the
evidence (the link text and URL that led there, how many reports it lists, the platform seen).
Pure logic, no Scrapy: the spider feeds it pages and asks what to fetch next.

Along the way links to the unit's departments (部门 pages) are collected as proposals for an
operator to review; they are never added to the registry by the crawler.
"""
from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

from govcrawl.crawl import content, discovery, platforms

DEFAULT_BUDGET = 30

# (pattern, score) on link text; the first matching strongest wins, they do not add up.
_TEXT = (
    (re.compile(r"信息公开.{0,4}(?:年度报告|年报)|(?:年度报告|年报).{0,2}$"), 60),
    (re.compile(r"年度报告|年报"), 40),
    (re.compile(r"信息公开目录|政府信息公开$|政府信息公开专栏|政府信息公开平台|主动公开目录"), 25),
    (re.compile(r"政府信息公开|信息公开"), 18),
    (re.compile(r"政务公开"), 14),
    (re.compile(r"法定主动公开|公开目录|gkml", re.I), 10),
)
_URL = (
    (re.compile(r"zfxxgknb|xxgknb|gknb|ndbg|annualreport|/nb/|_nb\b|nb_\d", re.I), 45),
    (re.compile(r"zfxxgk|xxgkml|/gkml|gkmlpt|/xxgk|xxgk\.", re.I), 18),
    (re.compile(r"zwgk|zfgk|/gk/|openness|public", re.I), 10),
)
# Links that look promising by URL but lead away from the column.
_AVOID = re.compile(r"解读|图解|读懂|通知|公告|新闻|动态|要闻|招聘|留言|信箱|投诉|登录|注册|English|无障碍|"
                    r"依申请|申请表|指南|规定|办法|条例|考核")
_CHALLENGE = re.compile(
    r"__jsl_clearance|_waf_|waf_?(?:sign|check|token)|yunsuo_session|acw_sc__v2|"
    r"<title>[^<]{0,40}(?:安全验证|访问限制)|please enable javascript|请开启JavaScript".encode(), re.I)
_DEPARTMENT_LINK = re.compile(r"部门|机构设置|政府机构|组成部门|直属机构")
_DEPARTMENT_NAME = re.compile(r"^[\u4e00-\u9fff（）()]{2,20}(?:局|委员会|委|办公室|办|中心|院|所|队|署)$")
_REPORT_LINKS_FOR_DONE = 1
_SAME_SHAPE = 2  # pages followed per (URL shape, link text): an endless calendar is one shape…
_SHAPE_TOTAL = 6  # …and per URL shape whatever the text (iList.jsp?cat_id=N columns share one)


def challenge_reason(body: bytes) -> str | None:
    """A WAF or JavaScript challenge page instead of content (the site blocks us), or None."""
    m = _CHALLENGE.search(body[:20_000])
    return f"blocked: challenge page ({m.group(0)[:30].decode('utf-8', 'replace')})" if m else None


def link_score(url: str, text: str) -> int:
    """How strongly a link promises the 年报 column (0: not at all)."""
    text = re.sub(r"\s+", "", text or "")
    if discovery.classify_title(text)[0]:
        return 0  # a report itself, not the column
    if _AVOID.search(text):
        return 0
    score = next((s for pattern, s in _TEXT if pattern.search(text)), 0)
    parts = urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    score += next((s for pattern, s in _URL if pattern.search((parts.hostname or "") + path)), 0)
    return score


@dataclass
class Candidate:
    url: str
    score: int
    reports: int
    platform: str
    via_text: str
    via_url: str
    depth: int


@dataclass
class Found:
    """What the search settled on, as stored in the archive's site state."""

    urls: list[str]
    platform: str
    evidence: dict
    found_at: str


@dataclass(order=True)
class _Item:
    priority: tuple
    url: str = field(compare=False)
    text: str = field(compare=False)
    depth: int = field(compare=False)
    via: str = field(compare=False)


class ColumnSearch:
    """Best-first search of one site for its 年报 column; ``next_url`` → fetch → ``feed``/``failed``.

    ``allows(url)`` is the site's scope: nothing outside it is ever proposed. The search ends when
    a page arrived at by a strong 年报 link lists reports, when the budget is spent, or when no
    promising link is left; ``result()`` is then the best candidate, or None.
    """

    def __init__(self, start_url: str, allows: Callable[[str], bool], *, budget: int = DEFAULT_BUDGET,
                 max_depth: int = 5):
        self.start_url = start_url
        self.allows = allows
        self.budget = budget
        self.max_depth = max_depth
        self.fetched = 0
        self.in_flight = 0
        self.seen: set[str] = {start_url}
        self.frontier: list[_Item] = [_Item((0, 0, 0), start_url, "", 0, "")]
        self._order = 0
        self.candidates: list[Candidate] = []
        self.departments: dict[str, tuple[str, str]] = {}  # url -> (name, page it was found on)
        self.pages: list[str] = []
        self.platforms_seen: dict[str, int] = {}
        self.finished = False
        self._via: dict[str, tuple[str, str, int]] = {}  # url -> (link text, linking page, depth)
        self._shapes: dict[tuple, int] = {}
        self._department_page: _Item | None = None
        self._department_visited = False
        self.moved_to: str | None = None

    # --- driving -----------------------------------------------------------------------------

    def next_url(self) -> tuple[str, int] | None:
        """The next page to fetch and its depth, or None (done, or waiting for a page in flight).

        Once the column is settled, one 部门 page is still read if the budget allows, so the
        unit's departments can be proposed."""
        if self.fetched >= self.budget:
            return None
        if self.frontier and not self.finished:
            item = heapq.heappop(self.frontier)
        elif self._department_page is not None and not self.in_flight:
            item, self._department_page = self._department_page, None
            self._department_visited = True
        else:
            return None
        self.fetched += 1
        self.in_flight += 1
        self._via[item.url] = (item.text, item.via, item.depth)
        return item.url, item.depth

    @property
    def done(self) -> bool:
        if self.in_flight:
            return False
        more = (self.frontier and not self.finished) or self._department_page is not None
        return self.fetched >= self.budget or not more

    def failed(self, url: str) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    def feed(self, url: str, body: bytes | str, *, final_url: str | None = None) -> None:
        """A fetched page: score it as a column, queue its promising links."""
        self.in_flight = max(0, self.in_flight - 1)
        text, via, depth = self._via.get(url, ("", "", 0))
        here = final_url or url
        self.seen.add(here)
        self.pages.append(here)
        shell = content.js_redirect_target(body if isinstance(body, bytes) else body.encode("utf-8"), here)
        if shell and self.allows(shell) and shell not in self.seen:
            # A JavaScript shell (``location.href = "/index.shtml"``): its target stands in its place.
            self.seen.add(shell)
            heapq.heappush(self.frontier, _Item((-1000, depth, 0), shell, text, depth, via))
            return
        if shell and not self.allows(shell) and depth == 0:
            self.moved_to = shell  # the home page sends browsers to another site
        family = platforms.detect(body, here)
        self.platforms_seen[family] = self.platforms_seen.get(family, 0) + 1
        reader = platforms.platform_for(family)
        links = reader.listing_links(body, here)
        reports = sum(1 for link in links if link.kind == "report" and self.allows(link.url))
        arrival = link_score(here, text) if depth else 0
        if reports:
            self.candidates.append(Candidate(here, arrival + 10 * min(reports, 5), reports, family,
                                             text, via, depth))
            if arrival >= 40 and reports >= _REPORT_LINKS_FOR_DONE:
                self.finished = True
                return
        elif arrival >= 40 and reader.listing_pages(body, here, 2):
            # A 年报 link to a page whose entries are all fetched by script (Hanweb dataproxy.jsp):
            # a weak candidate, kept unless a page that shows its reports turns up.
            self.candidates.append(Candidate(here, arrival + 5, 0, family, text, via, depth))
        if depth >= self.max_depth:
            return
        found = [(u, label) for u, label in reader.column_links(body, here)]
        found += [(link.url, link.text) for link in links if link.kind in ("other", "listing")]
        dept_page = bool(_DEPARTMENT_LINK.search(text or ""))
        for link_url, label in found:
            if dept_page:
                self._maybe_department(link_url, label, here)  # noted, never fetched
            if not self.allows(link_url) or link_url in self.seen:
                continue
            score = link_score(link_url, label)
            if (score <= 0 and _DEPARTMENT_LINK.search(label or "") and self._department_page is None
                    and not self._department_visited and not dept_page):
                self._department_page = _Item((0, 0, 0), link_url, label, depth + 1, here)
                continue
            if dept_page and _DEPARTMENT_NAME.match(re.sub(r"\s+", "", label or "")):
                continue  # a department's own site is not this unit's column
            if score <= 0:
                continue
            shape = (_shape(link_url), re.sub(r"\s+", "", label or ""))
            if self._shapes.get(shape, 0) >= _SAME_SHAPE or self._shapes.get(shape[:1], 0) >= _SHAPE_TOTAL:
                continue  # the same link again and again on generated pages: a trap
            self._shapes[shape] = self._shapes.get(shape, 0) + 1
            self._shapes[shape[:1]] = self._shapes.get(shape[:1], 0) + 1
            self.seen.add(link_url)
            self._order += 1
            # Best score first; among equals the shallower, then the earlier found.
            heapq.heappush(self.frontier, _Item((-score, depth + 1, self._order), link_url, label,
                                                depth + 1, here))

    def _maybe_department(self, url: str, label: str, page: str) -> None:
        name = re.sub(r"\s+", "", label or "")
        if _DEPARTMENT_NAME.match(name) and url not in self.departments:
            self.departments[url] = (name, page)

    # --- outcome -----------------------------------------------------------------------------

    def result(self) -> Found | None:
        if not self.candidates:
            return None
        best = max(self.candidates, key=lambda c: (c.score, c.reports, -c.depth))
        evidence = {"link_text": best.via_text, "linked_from": best.via_url, "reports_listed": best.reports,
                    "score": best.score, "depth": best.depth, "pages_searched": self.fetched,
                    "candidates": len(self.candidates)}
        return Found([best.url], best.platform, evidence,
                     datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))

    def department_links(self) -> list[dict]:
        """Departments seen on 部门 pages: proposals for review, never registry rows by themselves."""
        return [{"name": name, "url": url, "found_on": page}
                for url, (name, page) in sorted(self.departments.items())]


def _shape(url: str) -> str:
    """The URL with its numbers blanked: calendar?m=7 and calendar?m=8 have one shape."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "#", f"{parts.hostname}{parts.path}?{parts.query}")


_INDEX_FILE = re.compile(r"/(?:index|default|main)\.(?:s?html?|jsp|php|aspx?)$", re.I)


def moved_between(original: str, final: str) -> bool:
    """A redirect that moved the site (another host, another path), not http→https, a ``www.``
    prefix or ``/`` → ``/index.html``, which every portal does."""
    def norm(url: str) -> tuple[str, str]:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        host = host[4:] if host.startswith("www.") else host
        path = _INDEX_FILE.sub("/", parts.path or "/")
        return host, path.rstrip("/") or "/"
    return norm(original) != norm(final)
