"""Agency timelines: one row per agency and year, with what the archive knows about that year.

Status of a year:

- ``archived`` — a current report of that year is in the archive;
- ``not_found`` — the agency linked something for that year but the crawl could not get it: a
  broken link (HTTP 4xx/5xx) or a document that could not be read. (Links robots.txt forbids
  are not recorded by the crawl, so such a year shows as ``not_published``.)
  The year comes from the title, else from the date TRS-style URLs carry (``/202103/t20210326_…``
  is published in 2021, so it is the 2020 report when it is dated January–June);
- ``not_published`` — the agency's listings were read in a crawl and hold nothing for that year;
- ``not_crawled`` — no crawl has read this agency's listings yet.

Series breaks: the agency name in the reports changed from one archived year to the next
(``renamed``: 机构改革 renames and mergers show up this way), or the registry says the agency's
division code was retired (a ``retired`` / ``successor_id`` column, when the registry has one).
A portal that lists several agencies' reports in one year gets one series per agency.
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from govcrawl.research.query import connect_readonly

_URL_DATE = re.compile(r"/(?:t)?((?:19|20)\d{2})[-_/]?(\d{2})(?:\d{2})?[/_]")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_SUFFIX = re.compile(r"(政府信息公开|信息公开|政务公开).*$")


def year_of_link(url: str, title: str | None = None) -> int | None:
    """The report year a link stands for: from its title, else from the date in its URL."""
    if title:
        m = _YEAR_IN_TITLE.search(title)
        if m:
            return int(m.group(1))
    m = _URL_DATE.search(url)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return year - 1 if month <= 6 else None  # a report is published early the next year
    return None


def agency_name(agency: str | None, title: str | None) -> str | None:
    """The agency as the report names itself: its 发布机关, else its title before the year."""
    if title:
        head = _YEAR_IN_TITLE.split(title)[0].strip()
        if head:
            return _SUFFIX.sub("", head) or head
    return agency


def _crawled_sites(conn: sqlite3.Connection) -> set[str]:
    """Sites whose listings a crawl read (a run summary counts listing pages for them)."""
    out = set()
    for (summary,) in conn.execute("select summary from runs where summary is not null"):
        try:
            sites = json.loads(summary).get("sites", {})
        except (ValueError, AttributeError):
            continue
        out |= {sid for sid, s in sites.items() if isinstance(s, dict) and s.get("listing_pages")}
    return out


def _site_columns(conn: sqlite3.Connection) -> set[str]:
    return {r[1] for r in conn.execute("pragma table_info(sites)")}


@dataclass
class _Held:
    report_id: str
    site_id: str
    year: int
    agency: str | None
    cells_found: int


def compute(conn: sqlite3.Connection, site_ids: list[str] | None = None,
            first_year: int | None = None, last_year: int | None = None) -> list[dict]:
    """Timeline rows for the given sites (all sites when None), years first_year..last_year.

    A site is one series, unless it lists several agencies' reports in one year: then each
    agency is its own series (see ``audit.series_keys``).
    """
    from govcrawl.research.audit import series_keys

    cols = _site_columns(conn)
    extra = [c for c in ("retired", "successor_id") if c in cols]
    sites = conn.execute(f"select site_id{''.join(', ' + c for c in extra)} from sites order by site_id").fetchall()
    if site_ids:
        sites = [s for s in sites if s[0] in set(site_ids)]
    held = [_Held(rid, site, year, agency_name(agency, title), cells or 0) for rid, site, year, agency, title, cells
            in conn.execute("""select report_id, site_id, year, agency, title, cells_found from reports
                               where is_current = 1 and kind = 'report' and year is not null
                               order by site_id, year, cells_found""")]
    series = series_keys(held)
    reports: dict[tuple, _Held] = {}
    for h in held:
        reports[(h.site_id, series[h.report_id], h.year)] = h  # the fullest (last in order) wins
    seen_links: dict[tuple, str] = {}
    for site_id, url, title, why in _failed_links(conn):
        y = year_of_link(url, title)
        if y is not None:
            seen_links.setdefault((site_id, y), f"{why}: {url}")
    years = [y for _s, _k, y in reports] + [y for _s, y in seen_links]
    if not years and (first_year is None or last_year is None):
        return []
    lo = first_year if first_year is not None else min(years)
    hi = last_year if last_year is not None else max(years)
    crawled = _crawled_sites(conn)
    out = []
    for site in sites:
        site_id, retired = site[0], dict(zip(extra, site[1:]))
        keys = sorted({k for s, k, _y in reports if s == site_id}) or [""]
        for key in keys:
            prev_name = None
            for year in range(lo, hi + 1):
                row = {"site_id": site_id, "series": key, "year": year, "report_id": None,
                       "agency": key or None, "series_break": None, "evidence": None}
                h = reports.get((site_id, key, year))
                if h is not None:
                    row.update(status="archived", report_id=h.report_id, agency=h.agency)
                    if not key and prev_name and h.agency and h.agency != prev_name:
                        row["series_break"] = f"renamed: {prev_name} → {h.agency}"
                    prev_name = h.agency or prev_name
                elif (site_id, year) in seen_links:
                    row.update(status="not_found", evidence=seen_links[(site_id, year)]
                               + (" (the link does not say which agency)" if key else ""))
                elif site_id in crawled:
                    row.update(status="not_published",
                               evidence="the agency's listings, read by a crawl, link no report for this year")
                else:
                    row.update(status="not_crawled", evidence="no crawl has read this agency's listings")
                out.append(row)
            if retired.get("retired"):
                out[-1]["series_break"] = (f"division code retired ({retired['retired']})"
                                           + (f", successor {retired['successor_id']}"
                                              if retired.get("successor_id") else ""))
    return out


def _failed_links(conn: sqlite3.Connection):
    """(site, url, title, why) of links an agency published that the archive holds no report for."""
    yield from conn.execute("""select e.site_id, e.url, null, e.reason from errors e
                               where not exists (select 1 from reports r where r.url = e.url)""")
    # a document that could not be read (a letter or a listing "not a report" says nothing of a year)
    yield from conn.execute("select site_id, url, title, reason from rejected where reason like 'unreadable%'")


def refresh(db_path: str | Path, site_ids: list[str] | None = None) -> list[dict]:
    """Recompute and store the timelines (all sites, or ``site_ids``); returns the rows."""
    from govcrawl.archive.store import Archive, save_timelines

    Archive(db_path).close()
    conn = connect_readonly(db_path)
    try:
        rows = compute(conn, site_ids)
        sites = site_ids or [r[0] for r in conn.execute("select site_id from sites")]
    finally:
        conn.close()
    archive = Archive(db_path)
    try:
        save_timelines(archive.db, rows, sites)
    finally:
        archive.close()
    return rows
