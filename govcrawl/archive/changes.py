"""After a crawl: which reports are new, changed, moved, removed, or only re-marked-up.

Each version written during the run is compared with the report's previous version
(``govcrawl.research.diff``); a version at a URL the archive never had is matched against the
reports the same run found gone from the same site (same agency and year, or the same content),
which makes it a move rather than a new report plus a removal. The verdicts go to the ``changes``
table, the nightly summary and the feeds.

``Versions`` is the one place that knows how versions are stored. Today a version is a ``reports``
row (one per site, URL and payload; ``is_current``, ``first_seen_at``, ``removed_at``); when report
identity lands (an agency's year with its own versions table), only this adapter changes.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from govcrawl.archive.store import Archive, record_changes, short_hash, utcnow
from govcrawl.research.diff import Cell, Snapshot, VersionDiff, diff_versions, normalise_text

# Most significant first: a silently edited figure, then a report gone, then edited text, …
SIGNIFICANCE = {"changed": 250, "removed": 300, "moved": 150, "new": 100, "markup-only": 0}


@dataclass
class Versions:
    """Report versions in the archive, as the change detector needs them (the adapter)."""

    db: object  # sqlite_utils.Database

    def rows(self, sql: str, params: Iterable = ()) -> list[dict]:
        return list(self.db.query(sql, list(params)))

    def written_since(self, since: str) -> list[dict]:
        return self.rows("select * from reports where first_seen_at >= ? order by site_id, url, "
                         "first_seen_at, report_no", [since])

    def previous(self, version: dict) -> dict | None:
        """The version of the same report seen before this one (same site and URL today)."""
        rows = self.rows("select * from reports where site_id = ? and url = ? and report_id != ? "
                         "and (first_seen_at < ? or (first_seen_at = ? and report_no < ?)) "
                         "order by first_seen_at desc, report_no desc limit 1",
                         [version["site_id"], version["url"], version["report_id"],
                          version["first_seen_at"], version["first_seen_at"], version["report_no"]])
        return rows[0] if rows else None

    def removed_since(self, since: str) -> list[dict]:
        return self.rows("select * from reports where removed_at >= ? and is_current = 1 "
                         "order by site_id, url", [since])

    def get(self, version_id: str) -> dict | None:
        rows = self.rows("select * from reports where report_id = ?", [version_id])
        return rows[0] if rows else None

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
                "select check_id, status, detail from checks where report_id = ?", [rid])},
            sections={r["section_id"]: r["text"] for r in self.rows(
                "select section_id, text from sections where report_id = ?", [rid]) if r["text"]},
            attachments={r["url"]: r["payload_sha256"] or "" for r in self.rows(
                "select url, payload_sha256 from attachments where report_id = ?", [rid])},
        )


def report_key(row: dict) -> str:
    """An agency's year on a site: what stays the same when a report moves or is corrected."""
    agency = "".join(normalise_text(row.get("agency") or ""))
    return f"{row.get('site_id')}:{row.get('year') or '?'}:{agency}"


def _content_key(s: Snapshot) -> tuple:
    cells = tuple(sorted((k, c.value, c.null_reason) for k, c in s.cells.items()))
    sections = tuple(sorted((k, tuple(normalise_text(v))) for k, v in s.sections.items()))
    return cells, sections


def _change(kind: str, run_id: str, now: str, old: dict | None, new: dict | None,
            diff: VersionDiff | None = None, summary: str = "") -> dict:
    row = new or old
    d = diff
    change = {
        "change_id": short_hash("change", kind, old and old["report_id"], new and new["report_id"]),
        "run_id": run_id, "detected_at": now, "site_id": row["site_id"], "report_key": report_key(row),
        "kind": kind, "from_version": old and old["report_id"], "to_version": new and new["report_id"],
        "from_url": old and old["url"], "to_url": new and new["url"], "year": row.get("year"),
        "agency": row.get("agency"), "title": row.get("title"),
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


def detect_changes(archive: Archive, run_id: str, since: str) -> list[dict]:
    """The changes among versions written, and reports marked removed, since ``since`` (the run's start)."""
    versions = Versions(archive.db)
    now = utcnow()
    gone = versions.removed_since(since)
    gone_snapshots: dict[str, Snapshot] = {}
    out: list[dict] = []
    for new in versions.written_since(since):
        old = versions.previous(new)
        if old is not None:
            d = diff_versions(versions.snapshot(old), versions.snapshot(new))
            out.append(_change("markup-only" if d.markup_only else "changed", run_id, now, old, new, d))
            continue
        moved_from = _match_move(versions, new, gone, gone_snapshots)
        if moved_from is not None:
            gone.remove(moved_from)
            d = diff_versions(versions.snapshot(moved_from), versions.snapshot(new))
            what = "same content" if d.markup_only else d.summary()
            out.append(_change("moved", run_id, now, moved_from, new, d,
                               f"moved from {moved_from['url']} to {new['url']}; {what}"))
        else:
            out.append(_change("new", run_id, now, None, new,
                               summary=f"new report, {new.get('cells_found') or 0} cells, "
                                       f"{new.get('checks_failed') or 0} checks failing"))
    for old in gone:
        out.append(_change("removed", run_id, now, old, None,
                           summary=f"no longer linked from its site; last version fetched {old['fetched_at']}"))
    out.sort(key=lambda c: (-c["significance"], c["site_id"] or "", c["year"] or 0))
    return out


def _match_move(versions: Versions, new: dict, gone: list[dict], cache: dict[str, Snapshot]) -> dict | None:
    """The report gone from the same site this run that ``new`` is: same agency-year, else same content."""
    same_site = [g for g in gone if g["site_id"] == new["site_id"]]
    key = report_key(new)
    by_key = [g for g in same_site if new.get("year") and report_key(g) == key]
    if len(by_key) == 1:
        return by_key[0]
    candidates = by_key or same_site
    if not candidates:
        return None
    want = _content_key(versions.snapshot(new))
    for g in candidates:
        if g["report_id"] not in cache:
            cache[g["report_id"]] = versions.snapshot(g)
        if _content_key(cache[g["report_id"]]) == want:
            return g
    return None


def counts(changes: list[dict]) -> dict:
    """For the nightly summary: counts by kind and the reports whose content changed, named."""
    by_kind = {k: 0 for k in ("new", "changed", "moved", "removed", "markup-only")}
    for c in changes:
        by_kind[c["kind"]] = by_kind.get(c["kind"], 0) + 1
    named = [f"{c['site_id']} {c['year'] or '?'} {c['title'] or c['to_url'] or c['from_url']}: {c['summary']}"
             for c in changes if c["kind"] == "changed"]
    return {**by_kind, "changed_reports": named}


def record_run_changes(archive: Archive, run_id: str, since: str) -> list[dict]:
    """Detect and store the run's changes; returns them, most significant first."""
    changes = detect_changes(archive, run_id, since)
    record_changes(archive, changes)
    return changes
