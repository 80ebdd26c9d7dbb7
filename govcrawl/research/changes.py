"""What changed in the archive: ``govcrawl changes``, ``govcrawl diff``, the feeds and the export.

Read-only over the ``changes`` table (written after each crawl by ``govcrawl.archive.changes``)
and the report versions. A feed entry links to the archived version's Datasette row, and its
text gives the ``govcrawl replay`` command that prints the archived page itself.
"""
from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from govcrawl.research.diff import VersionDiff, diff_versions, format_diff
from govcrawl.research.feeds import Entry, Feed, atom, json_feed

FEED_KINDS = ("new", "changed", "moved", "removed")
DEFAULT_BASE_URL = "http://127.0.0.1:8001"  # `govcrawl serve`
FEED_LIMIT = 500


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A read-only connection to the archive, upgraded first (an older archive gets the table)."""
    from govcrawl.archive.store import Archive

    if not Path(db_path).exists():
        raise FileNotFoundError(f"no archive at {db_path}")
    Archive(db_path).close()
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


@dataclass
class Period:
    """Which changes: since a date, or (default) those of the latest crawl run."""

    since: str | None = None
    sites: list[str] = field(default_factory=list)
    division: str | None = None
    include_markup: bool = False
    all_time: bool = False


def latest_run(conn: sqlite3.Connection) -> dict | None:
    row = conn.execute("select run_id, started_at from runs order by started_at desc, rowid desc "
                       "limit 1").fetchone()
    return dict(row) if row else None


def list_changes(conn: sqlite3.Connection, period: Period) -> tuple[list[dict], int, str]:
    """(changes most significant first, markup-only changes left out, what period was used)."""
    where, params = [], []
    if period.since:
        where.append("c.detected_at >= ?")
        params.append(period.since)
        what = f"since {period.since}"
    elif period.all_time:
        what = "all crawls"
    else:
        run = latest_run(conn)
        where.append("c.run_id = ?")
        params.append(run["run_id"] if run else "")
        what = (f"the latest crawl ({run['run_id']}, started {run['started_at']})" if run
                else "the latest crawl (no crawl has run yet)")
    if period.sites:
        where.append(f"c.site_id in ({', '.join('?' * len(period.sites))})")
        params += period.sites
    if period.division:
        where.append("s.division_code like ?")
        params.append(period.division + "%")
    sql = ("select c.*, s.name as site_name, s.division_code from changes c "
           "left join sites s using (site_id)" + (" where " + " and ".join(where) if where else "")
           + " order by c.significance desc, c.detected_at desc, c.site_id, c.year")
    rows = [dict(r) for r in conn.execute(sql, params)]
    kept = [r for r in rows if period.include_markup or r["kind"] != "markup-only"]
    return kept, len(rows) - len(kept), what


def format_change(c: dict) -> str:
    name = c["title"] or f"{c['agency'] or c['site_name'] or ''} {c['year'] or ''}".strip()
    return (f"{c['detected_at'][:10]}  {c['kind']:<11} {c['site_id'] or '':<16} {c['year'] or '?':<5} "
            f"{name}  — {c['summary']}  [{_diff_hint(c)}]")


def _diff_hint(c: dict) -> str:
    if c["kind"] in ("changed", "moved", "markup-only"):
        if c["from_version"] == c["to_version"]:
            return f"govcrawl diff {c['to_version']}"
        return f"govcrawl diff {c['to_version']} --from {c['from_version']}"
    version = c["to_version"] or c["from_version"]
    return f"version {version}"


# --- diff ------------------------------------------------------------------------------------------

class NoSuchReport(LookupError):
    pass


@dataclass
class ReportDiff:
    """Two versions of one report compared, with all its versions and the URLs it has had."""

    diff: VersionDiff | None  # None when the archive holds a single version
    versions: list[dict]
    urls: list[dict]


def diff_report(db_path: str | Path, ref: str, from_version: str | None = None,
                to_version: str | None = None) -> ReportDiff:
    """The diff between two versions of a report (default: the newest and the one before it).

    ``ref`` is a version id, any URL the report has had, or a change id; versions are given as
    ids, unique id prefixes or numbers (1 = oldest, -1 = newest).
    """
    from sqlite_utils import Database

    from govcrawl.archive.changes import Versions  # the crawl's own reading of versions

    if not Path(db_path).exists():
        raise FileNotFoundError(f"no archive at {db_path}")
    db = Database(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True))
    try:
        versions = Versions(db)
        chain = versions.of_report(ref)
        if not chain and "changes" in db.table_names():
            row = db.execute("select coalesce(to_version, from_version) from changes where change_id = ?",
                             [ref]).fetchone()
            chain = versions.of_report(row[0]) if row else []
        if not chain:
            raise NoSuchReport(f"no report version, URL or change {ref!r} in the archive")
        ids = [v["report_id"] for v in chain]
        urls = versions.urls(chain[0]["report_key"])
        if len(ids) < 2 and not (from_version or to_version):
            return ReportDiff(None, chain, urls)
        new = _pick(ids, to_version, -1)
        old = _pick(ids, from_version, max(ids.index(new) - 1, 0))
        return ReportDiff(diff_versions(versions.snapshot(old), versions.snapshot(new)), chain, urls)
    finally:
        db.conn.close()


def _pick(ids: list[str], v: str | None, default: int) -> str:
    if v is None:
        return ids[default]
    if v in ids:
        return v
    if v.lstrip("-").isdigit() and 0 < abs(int(v)) <= len(ids):
        n = int(v)
        return ids[n - 1 if n > 0 else n]
    matches = [i for i in ids if i.startswith(v)]
    if len(matches) == 1:
        return matches[0]
    raise NoSuchReport(f"{v!r} is not a version of this report; its versions: "
                       + ", ".join(f"{n} = {i}" for n, i in enumerate(ids, start=1)))


def format_report_diff(r: ReportDiff) -> str:
    head = r.versions[-1]
    title = f"{head['title'] or ''} ({head['site_id']}, {head['year'] or '?'})"
    if r.diff is None:
        lines = [title, f"the archive holds one version of this report ({head['report_id']}): "
                        "no content to compare"]
    else:
        lines = [format_diff(r.diff, title)]
    marks = {} if r.diff is None else {r.diff.old.version: "← from", r.diff.new.version: "← to"}
    lines += ["", f"Versions ({len(r.versions)}):"]
    for n, v in enumerate(r.versions, start=1):
        state = "current" if v.get("is_current") else ("removed " + v["removed_at"] if v.get("removed_at") else "")
        lines.append(f"  {n}. {v['report_id']}  first seen {v['first_seen_at']}  {v['url']}  {state}  "
                     f"{marks.get(v['report_id'], '')}".rstrip())
    if r.urls:
        lines += ["", f"Addresses ({len(r.urls)}):"]
        for u in r.urls:
            moved = f"  (moved from {u['moved_from']})" if u.get("moved_from") else ""
            lines.append(f"  {u['url']}  {u['first_seen_at']} … {u['last_seen_at']}{moved}")
    return "\n".join(lines)


# --- feeds -----------------------------------------------------------------------------------------

def row_url(base_url: str, db_name: str, version: str) -> str:
    return f"{base_url.rstrip('/')}/{db_name}/reports/{version}"


_LABELS = {"new": "新增", "changed": "内容变更", "moved": "地址变更", "removed": "已撤下"}


DIFFS_IN_FEED = 100  # the newest changed reports get their full diff in the entry's text


def _diff_texts(conn: sqlite3.Connection, rows: list[dict]) -> dict[str, str]:
    """{change_id: the diff as text} for the newest content changes, so a feed reader shows the
    old and new figures without running govcrawl."""
    from sqlite_utils import Database

    from govcrawl.archive.changes import Versions

    versions = Versions(Database(conn))
    out = {}
    for c in rows:
        if len(out) >= DIFFS_IN_FEED:
            break
        if c["kind"] == "changed" and c["from_version"] and c["to_version"] != c["from_version"]:
            try:
                d = diff_versions(versions.snapshot(c["from_version"]), versions.snapshot(c["to_version"]))
            except KeyError:  # a version gone from the archive: the summary has to do
                continue
            out[c["change_id"]] = format_diff(d)
    return out


def _entry(c: dict, base_url: str, db_name: str, diff: str = "") -> Entry:
    version = c["to_version"] or c["from_version"]
    url = c["to_url"] or c["from_url"]
    title = (f"[{_LABELS.get(c['kind'], c['kind'])}] {c['title'] or c['agency'] or ''} "
             f"({c['site_id']}, {c['year'] or '?'})")
    replay = f"replay the archived page: govcrawl replay '{url}'"
    if c["kind"] != "removed":
        replay += f" --at {c['detected_at']}"
    content = [c["summary"] or "", "", f"archived version: {row_url(base_url, db_name, version)}",
               f"original URL: {url}", replay]
    if c["kind"] in ("changed", "moved"):
        content.append(f"full diff: {_diff_hint(c)}")
    if diff:
        content += ["", diff]
    return Entry(id=f"tag:govcrawl,2026:change/{c['change_id']}", title=title, updated=c["detected_at"],
                 link=row_url(base_url, db_name, version), summary=c["summary"] or "",
                 content="\n".join(content), categories=[c["kind"], c["site_id"] or ""])


def build_feeds(conn: sqlite3.Connection, *, base_url: str = DEFAULT_BASE_URL, db_name: str = "archive",
                limit: int = FEED_LIMIT) -> dict[str | None, Feed]:
    """{None: the whole archive's feed, site_id: that site's feed}, newest changes first."""
    marks = ", ".join("?" * len(FEED_KINDS))
    rows = conn.execute(
        f"select c.*, s.name as site_name from changes c left join sites s using (site_id) "
        f"where c.kind in ({marks}) order by c.detected_at desc, c.significance desc, c.change_id",
        list(FEED_KINDS))
    newest: list[dict] = []
    by_site: dict[str, list[dict]] = {}
    for r in map(dict, rows):  # one pass: the first crawl of a large registry is 100,000 "new"
        if len(newest) < limit:
            newest.append(r)
        mine = by_site.setdefault(r["site_id"], [])
        if len(mine) < limit:
            mine.append(r)
    diffs = _diff_texts(conn, newest)
    now = newest[0]["detected_at"] if newest else "1970-01-01T00:00:00+00:00"
    home = f"{base_url.rstrip('/')}/{db_name}"
    whole = Feed(id="tag:govcrawl,2026:feed/all",
                 title="govcrawl: 政府信息公开工作年度报告 — new, changed, moved and removed reports",
                 updated=now, link=home,
                 entries=[_entry(c, base_url, db_name, diffs.get(c["change_id"], "")) for c in newest])
    feeds: dict[str | None, Feed] = {None: whole}
    for site_id, name in conn.execute("select site_id, name from sites order by site_id"):
        mine = by_site.get(site_id, [])
        feeds[site_id] = Feed(id=f"tag:govcrawl,2026:feed/site/{site_id}",
                              title=f"govcrawl: {name or site_id} — 年度报告变更",
                              updated=mine[0]["detected_at"] if mine else now, link=home,
                              entries=[_entry(c, base_url, db_name, diffs.get(c["change_id"], ""))
                                       for c in mine])
    return feeds


def write_feeds(db_path: str | Path, out_dir: str | Path, *, base_url: str = DEFAULT_BASE_URL) -> list[Path]:
    """Write ``changes.atom`` + ``changes.json`` and ``site/<site_id>.atom|.json``; returns the paths."""
    out_dir = Path(out_dir)
    conn = connect(db_path)
    try:
        feeds = build_feeds(conn, base_url=base_url, db_name=Path(db_path).stem)
    finally:
        conn.close()
    written = []
    for key, feed in feeds.items():
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", key or "").lstrip(".") or "_"  # a registry id as a file name
        stem = out_dir / "changes" if key is None else out_dir / "site" / safe
        stem.parent.mkdir(parents=True, exist_ok=True)
        for suffix, data in ((".atom", atom(feed)), (".json", json_feed(feed))):
            path = stem.with_suffix(suffix)
            tmp = path.with_suffix(suffix + ".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)  # a reader polling the file never sees half a feed
            written.append(path)
    return written


# --- export ------------------------------------------------------------------------------------------

CHANGE_COLUMNS = {
    "change_id": ("string", "Stable id of the change: hash of kind, report and the versions compared"),
    "detected_at": ("datetime", "When the crawl that found the change ended its run (UTC)"),
    "kind": ("string", "new, changed (cells, checks or text differ), moved (new URL), removed (no "
                       "longer linked) or markup-only (same content in new page markup)"),
    "site_id": ("string", "Registry id of the agency's website (data/sites.csv)"),
    "site_name": ("string", "Agency name in the registry"),
    "division_code": ("string", "Administrative division code of the agency (6 digits)"),
    "year": ("integer", "Report year (the year the report covers)"),
    "agency": ("string", "Agency named in the report (发布机关)"),
    "title": ("string", "Report title as published"),
    "cells_changed": ("integer", "Template cells whose value differs between the two versions"),
    "checks_flipped": ("integer", "Accounting identities whose outcome (pass/fail/unknown) differs"),
    "sections_changed": ("integer", "Sections 一…六 (and preamble, signature) whose text differs"),
    "attachments_changed": ("integer", "Attachments added, removed or replaced"),
    "summary": ("string", "What changed, in one line (cell id old → new, checks, sections)"),
    "from_url": ("string", "URL of the older version (or where a removed report was)"),
    "to_url": ("string", "URL of the newer version"),
    "from_version": ("string", "report_id of the older version compared"),
    "to_version": ("string", "report_id of the newer version compared"),
    "run_id": ("string", "The crawl run that found the change"),
}
EXPORT_COLUMNS = tuple(CHANGE_COLUMNS)


def export_query(*, years=(), division: str | None = None, sites=()) -> tuple[str, list, list]:
    """(sql, params, [(column, (type, meaning))]) of ``changes.csv`` in ``govcrawl export``."""
    where, params = [], []
    if years:
        where.append(f"c.year in ({', '.join('?' * len(years))})")
        params += list(years)
    if division:
        where.append("s.division_code like ? || '%'")
        params.append(division)
    if sites:
        where.append(f"c.site_id in ({', '.join('?' * len(sites))})")
        params += list(sites)
    cols = ", ".join({"site_name": "s.name as site_name", "division_code": "s.division_code"}.get(c, f"c.{c}")
                     for c in EXPORT_COLUMNS)
    sql = (f"select {cols} from changes c left join sites s using (site_id)"
           + (" where " + " and ".join(where) if where else "")
           + " order by c.detected_at, c.site_id, c.year, c.change_id")
    return sql, params, list(CHANGE_COLUMNS.items())


def render(rows: list[dict], fmt: str, *, excel: bool = False) -> str:
    """The changes as text lines, CSV (the export, with ``EXPORT_COLUMNS``) or JSON."""
    if fmt == "json":
        return json.dumps([{k: r.get(k) for k in EXPORT_COLUMNS} for r in rows], ensure_ascii=False, indent=1)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(EXPORT_COLUMNS)
        w.writerows([r.get(k) for k in EXPORT_COLUMNS] for r in rows)
        return ("\ufeff" if excel else "") + buf.getvalue().rstrip("\n")
    return "\n".join(format_change(r) for r in rows)
