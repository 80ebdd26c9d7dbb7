"""After a crawl: which reports are new, changed, moved, removed, or only re-marked-up.

A report is an agency's year (``report_identities``); its versions are ``reports`` rows. Each
version written during the run is compared with the report's previous version
(``govcrawl.research.diff``); a report found at a URL it never had is a move (``report_urls``);
a report no listing links any more is removed. The verdicts go to the ``changes`` table, the
nightly summary and the feeds.

``Versions`` is the one place that knows how versions are stored; the detector and
``govcrawl diff`` read through it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from govcrawl.archive.store import Archive, record_changes, short_hash, utcnow
from govcrawl.research.diff import CONTEXT_CHECK_KINDS, Cell, Snapshot, VersionDiff, diff_versions

# Most significant first: a silently edited figure, then a report gone, then edited text, …
SIGNIFICANCE = {"changed": 250, "removed": 300, "moved": 150, "new": 100, "markup-only": 0}


@dataclass
class Versions:
    """Report versions in the archive, as the change detector needs them (the adapter)."""

    db: object  # sqlite_utils.Database

    def rows(self, sql: str, params: Iterable = ()) -> list[dict]:
        return list(self.db.query(sql, list(params)))

    def first_new(self) -> int:
        """The ``report_no`` the next version written will get: a run's versions are those from it on
        (insertion order is exact where timestamps have one-second ties)."""
        return self.db.execute("select coalesce(max(report_no), 0) + 1 from reports").fetchone()[0]

    def written_since(self, first_no: int) -> list[dict]:
        return self.rows("select * from reports where report_no >= ? order by site_id, report_key, "
                         "version_no", [first_no])

    def previous(self, version: dict) -> dict | None:
        """The report's version before this one."""
        rows = self.rows("select * from reports where report_key = ? and version_no < ? "
                         "order by version_no desc limit 1", [version["report_key"], version["version_no"]])
        return rows[0] if rows else None

    def moves(self, run_id: str, since: str) -> dict[str, dict]:
        """{report_key: report_urls row} for reports first found at a new URL in this run (or, for
        a separate ingest, since it started), unless that move is recorded already."""
        return {r["report_key"]: r for r in self.rows(
            """select * from report_urls u where moved_from is not null
               and (first_run_id = ? or first_seen_at >= ?)
               and not exists (select 1 from changes c where c.report_key = u.report_key
                               and c.kind in ('moved', 'changed') and c.to_url = u.url)""",
            [run_id, since])}

    def removed_since(self, since: str) -> list[dict]:
        """The removed reports' last current versions, unless their removal is recorded already."""
        return self.rows("""select r.*, i.removed_at as removed_at from report_identities i
                            join reports r on r.report_id = i.current_report_id
                            where i.removed_at >= ? and coalesce((select kind from changes x
                              where x.report_key = i.report_key order by detected_at desc, rowid desc
                              limit 1), '') != 'removed'
                            order by i.site_id, i.year""", [since])

    def seen_again(self, run_id: str, since: str, first_no: int) -> list[dict]:
        """Reports seen in this run with no new version, whose last recorded change left them in
        another state: removed (now linked again), or at another version (now back to an earlier
        one). Each row is the current version plus ``last_kind`` and ``last_version``."""
        return self.rows("""select r.*, c.kind as last_kind, c.detected_at as last_detected_at,
                              coalesce(c.to_version, c.from_version) as last_version
                            from report_identities i join reports r on r.report_id = i.current_report_id
                            join changes c on c.change_id = (select change_id from changes x
                              where x.report_key = i.report_key order by detected_at desc, rowid desc limit 1)
                            where (i.last_run_id = ? or i.last_seen_at >= ?) and i.removed_at is null
                              and r.report_no < ?
                              and (c.kind = 'removed' or coalesce(c.to_version, '') != r.report_id)""",
                         [run_id, since, first_no])

    def current(self, report_key: str) -> dict | None:
        rows = self.rows("select r.* from report_identities i join reports r on "
                         "r.report_id = i.current_report_id where i.report_key = ?", [report_key])
        return rows[0] if rows else None

    def get(self, version_id: str) -> dict | None:
        rows = self.rows("select * from reports where report_id = ?", [version_id])
        return rows[0] if rows else None

    def of_report(self, ref: str) -> list[dict]:
        """Every version of the report ``ref`` names (a version id or any URL it has had), oldest first."""
        key = self.db.execute("select report_key from reports where report_id = ? union all "
                              "select report_key from report_urls where url = ? union all "
                              "select report_key from reports where url = ? limit 1", [ref, ref, ref]).fetchone()
        if key is None:
            return []
        return self.rows("select * from reports where report_key = ? order by version_no", [key[0]])

    def urls(self, report_key: str) -> list[dict]:
        return self.rows("select * from report_urls where report_key = ? order by first_seen_at, url",
                         [report_key])

    def snapshot(self, version: dict | str) -> Snapshot:
        """Everything a diff compares, read back from the archive."""
        row = self.get(version) if isinstance(version, str) else version
        if row is None:
            raise KeyError(f"no report version {version!r} in the archive")
        rid = row["report_id"]
        return Snapshot(
            version=rid, url=row["url"] or "", fetched_at=row["fetched_at"] or "",
            fields={k: row.get(k) for k in ("title", "agency", "year", "template", "published")},
            cells={r["cell_id"]: Cell(r["value_text"], r["null_reason"], r["unit"]) for r in self.rows(
                "select cell_id, value_text, null_reason, unit from cells where report_id = ?", [rid])},
            checks={r["check_id"]: (r["status"] or "", r["detail"] or "") for r in self.rows(
                "select check_id, status, detail, kind from checks where report_id = ?", [rid])
                if r["kind"] not in CONTEXT_CHECK_KINDS},
            sections={r["section_id"]: r["text"] for r in self.rows(
                "select section_id, text from sections where report_id = ?", [rid]) if r["text"]},
            attachments={r["url"]: r["payload_sha256"] or "" for r in self.rows(
                "select url, payload_sha256 from attachments where report_id = ?", [rid])},
        )


def _change(kind: str, run_id: str, now: str, old: dict | None, new: dict | None,
            diff: VersionDiff | None = None, summary: str = "", from_url: str | None = None,
            to_url: str | None = None) -> dict:
    row = new or old
    d = diff
    change = {
        "change_id": short_hash("change", run_id, kind, row["report_key"], old and old["report_id"],
                                new and new["report_id"], from_url, to_url),
        "run_id": run_id, "detected_at": now, "site_id": row["site_id"], "report_key": row["report_key"],
        "kind": kind, "from_version": old and old["report_id"], "to_version": new and new["report_id"],
        "from_url": from_url or (old and old["url"]), "to_url": to_url or (new and new["url"]),
        "year": row.get("year"), "agency": row.get("agency"), "title": row.get("title"),
        "cells_changed": len(d.cells) if d else 0, "checks_flipped": len(d.checks) if d else 0,
        "sections_changed": len(d.sections) if d else 0,
        "attachments_changed": len(d.attachments) if d else 0,
        "summary": summary or (d.summary() if d else ""),
    }
    bonus = 0
    if kind in ("changed", "moved") and d is not None:
        bonus = (200 if d.cells or d.checks else 0) + min(len(d.cells), 50)
    change["significance"] = SIGNIFICANCE[kind] + bonus
    return change


def detect_changes(archive: Archive, run_id: str, since: str, first_no: int) -> list[dict]:
    """The changes of the run ``run_id``, which started at ``since`` when the next version to be
    written was ``first_no`` (``Versions.first_new()``)."""
    versions = Versions(archive.db)
    now = utcnow()
    moves = versions.moves(run_id, since)
    out: list[dict] = []
    for new in versions.written_since(first_no):
        old = versions.previous(new)
        move = moves.pop(new["report_key"], None)
        if old is None:
            out.append(_change("new", run_id, now, None, new,
                               summary=f"new report, {new.get('cells_found') or 0} cells, "
                                       f"{new.get('checks_failed') or 0} checks failing"))
            continue
        d = diff_versions(versions.snapshot(old), versions.snapshot(new))
        if move is None:
            out.append(_change("markup-only" if d.markup_only else "changed", run_id, now, old, new, d))
            continue
        what = "same content" if d.markup_only else d.summary()
        out.append(_change("moved" if d.markup_only else "changed", run_id, now, old, new, d,
                           f"moved from {move['moved_from']} to {move['url']}; {what}",
                           from_url=move["moved_from"], to_url=move["url"]))
    for key, move in moves.items():  # moved with the very same content: no new version
        current = versions.current(key)
        if current is not None:
            out.append(_change("moved", run_id, now, current, current,
                               summary=f"moved from {move['moved_from']} to {move['url']}; same content",
                               from_url=move["moved_from"], to_url=move["url"]))
    done = {c["report_key"] for c in out}
    for back in versions.seen_again(run_id, since, first_no):
        if back["report_key"] in done:
            continue
        if back["last_kind"] == "removed":
            out.append(_change("new", run_id, now, None, back,
                               summary=f"linked again on its site (removal recorded {back['last_detected_at']})"))
            continue
        old = versions.get(back["last_version"])
        if old is None:
            continue
        d = diff_versions(versions.snapshot(old), versions.snapshot(back))
        what = "same content" if d.markup_only else d.summary()
        kind = "changed" if not d.markup_only else ("moved" if old["url"] != back["url"] else "markup-only")
        out.append(_change(kind, run_id, now, old, back, d,
                           f"back to its earlier version {back['version_no']}"
                           + (f" at {back['url']}" if kind == "moved" else "") + f"; {what}"))
    for old in versions.removed_since(since):
        out.append(_change("removed", run_id, now, old, None,
                           summary=f"no longer linked from its site; last version fetched {old['fetched_at']}"))
    out.sort(key=lambda c: (-c["significance"], c["site_id"] or "", c["year"] or 0))
    return out


def counts(changes: list[dict]) -> dict:
    """For the nightly summary: counts by kind and the reports whose content changed, named."""
    by_kind = {k: 0 for k in ("new", "changed", "moved", "removed", "markup-only")}
    for c in changes:
        by_kind[c["kind"]] = by_kind.get(c["kind"], 0) + 1
    named = [f"{c['site_id']} {c['year'] or '?'} {c['title'] or c['to_url'] or c['from_url']}: {c['summary']}"
             for c in changes if c["kind"] == "changed"]
    return {**by_kind, "changed_reports": named}


def record_run_changes(archive: Archive, run_id: str, since: str, first_no: int) -> list[dict]:
    """Detect and store the run's changes; returns them, most significant first."""
    changes = detect_changes(archive, run_id, since, first_no)
    record_changes(archive, changes)
    return changes


class ChangeWatch:
    """Marks where a crawl or a separate ingest starts, and records the changes when it ends.

    ``govcrawl ingest`` builds the versions of captures a crawl made earlier (possibly on another
    machine); its changes are filed under the latest crawl run, whose captures it read.
    """

    def __init__(self, archive: Archive, run_id: str | None = None):
        self.archive = archive
        self.run_id = run_id
        self.since = utcnow()
        self.first_no = Versions(archive.db).first_new()

    def record(self) -> list[dict]:
        run_id = self.run_id or (self.archive.db.execute(
            "select run_id from runs order by started_at desc, rowid desc limit 1").fetchone() or ["ingest"])[0]
        return record_run_changes(self.archive, run_id, self.since, self.first_no)
