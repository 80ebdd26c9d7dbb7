"""Bring the crawl nodes' captures into the central archive: one archive, however many nodes.

A source is any directory holding crawl archives: a node's working directory copied over
(``shards/<shard>/archive.db`` + ``warc/``), one shard directory, or a plain ``govcrawl crawl``
output. For each archive found:

1. its WARC files are copied into the central WARC directory (names carry the job, so they never
   collide; a file already there with the same size is not copied again);
2. its captures index rows are added (ids are the WARC file and offset: a capture merged twice is one
   row; two nodes that fetched the same URL give two captures in that URL's one history);
3. its runs, their errors and its sites are kept with their own times;
4. every report page it holds, with its attachments, is read back from the WARCs and goes through the
   ingest path (``ingest_report``), oldest capture first across all sources, so the newest version is
   current; an unchanged report is recognised and adds nothing;
5. reports its site no longer linked are marked removed, unless a later capture says otherwise.

Only step 4 knows how reports are built: ``ingest_captures`` is the one function to switch when
ingest reads report chains straight from the WARCs.
"""
from __future__ import annotations

import logging
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from govcrawl.archive.ingest import Fetched, ingest_report
from govcrawl.archive.replay import NotArchived, payload
from govcrawl.archive.store import Archive
from govcrawl.archive.warc import read_record
from govcrawl.crawl.content import corrected_content_type

log = logging.getLogger(__name__)


@dataclass
class MergeSummary:
    archives: int = 0
    warc_files_copied: int = 0
    warc_bytes_copied: int = 0
    captures_new: int = 0
    captures_known: int = 0
    reports_new: int = 0
    reports_known: int = 0
    not_reports: int = 0
    removed: int = 0
    unreadable: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"merged {self.archives} node archive(s): {self.warc_files_copied} WARC files copied "
                 f"({self.warc_bytes_copied / 1e6:.1f} MB); captures {self.captures_new} new, "
                 f"{self.captures_known} already here; reports {self.reports_new} new, "
                 f"{self.reports_known} already here, {self.not_reports} pages that are not reports; "
                 f"{self.removed} marked removed"]
        if self.unreadable:
            lines.append(f"{len(self.unreadable)} could not be read back (kept out, merge again once "
                         "their WARC files are complete):")
            lines += [f"  {u}" for u in self.unreadable[:20]]
        return "\n".join(lines)


def find_archives(sources: list[str | Path]) -> list[Path]:
    """Every ``archive.db`` under the sources, in a stable order; a missing source is an error."""
    found: list[Path] = []
    for source in sources:
        source = Path(source)
        if source.is_file() and source.suffix == ".db":
            found.append(source)
        elif source.is_dir():
            found.extend(sorted(p for p in source.rglob("*.db") if (p.parent / "warc").is_dir()))
        else:
            raise FileNotFoundError(f"no such node directory: {source}")
    return list(dict.fromkeys(p.resolve() for p in found))


def _rows(db: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def copy_warcs(source_dir: Path, warc_dir: Path, summary: MergeSummary) -> None:
    warc_dir.mkdir(parents=True, exist_ok=True)
    for path in sorted(source_dir.glob("*.warc.gz")):
        target = warc_dir / path.name
        size = path.stat().st_size
        if target.exists() and target.stat().st_size == size:
            continue
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(path, partial)
        partial.replace(target)  # a reader never sees half a file under the real name
        summary.warc_files_copied += 1
        summary.warc_bytes_copied += size


def merge_nodes(db_path: str | Path, warc_dir: str | Path, sources: list[str | Path], *,
                progress: Callable[[str], None] | None = None) -> MergeSummary:
    """Merge the crawl archives found under ``sources`` into the central archive ``db_path``."""
    say = progress or (lambda message: None)
    warc_dir = Path(warc_dir)
    summary = MergeSummary()
    archives = find_archives(sources)
    if not archives:
        raise FileNotFoundError(f"no crawl archive (archive.db beside a warc/ folder) under "
                                f"{', '.join(map(str, sources))}")
    central = Archive(db_path)
    try:
        for db in archives:
            copy_warcs(db.parent / "warc", warc_dir, summary)
            known = 0
            captures = _rows(db, "select * from captures order by fetched_at, rowid")
            for row in captures:
                if central.db.execute("select 1 from captures where capture_id = ?",
                                      [row["capture_id"]]).fetchone():
                    known += 1
                else:
                    central.record_capture(row)
            summary.captures_known += known
            summary.captures_new += len(captures) - known
            central.import_node_rows(sites=_rows(db, "select * from sites"),
                                     runs=_rows(db, "select * from runs"),
                                     errors=_rows(db, "select * from errors"))
            summary.archives += 1
            say(f"{db}: {len(captures) - known} new captures, {known} already merged")
        ingest_captures(central, warc_dir, archives, summary, say)
    finally:
        central.close()
    return summary


def ingest_captures(central: Archive, warc_dir: Path, archives: list[Path], summary: MergeSummary,
                    say: Callable[[str], None]) -> None:
    """Build reports from the merged captures: the report chains (page + attachments) the nodes
    recorded, fed to the same ``ingest_report`` a crawl uses, oldest first."""
    chains = []
    for db in archives:
        for report in _rows(db, "select report_id, site_id, url, capture_id, fetched_at, removed_at "
                                "from reports"):
            attachments = _rows(db, "select url, capture_id from attachments where report_id = ? "
                                    "order by url", [report["report_id"]])
            chains.append((report["fetched_at"] or "", report, attachments))
        for rejected in _rows(db, "select r.site_id, r.url, r.run_id, r.payload_sha256, c.capture_id, "
                                  "c.fetched_at from rejected r join captures c on c.url = r.url and "
                                  "c.payload_sha256 = r.payload_sha256 group by r.url"):
            chains.append((rejected["fetched_at"] or "", dict(rejected, removed_at=None), []))
    chains.sort(key=lambda c: (c[0], c[1]["url"]))
    last_fetch: dict[str, str] = {}
    for fetched_at, report, _ in chains:
        last_fetch[report["url"]] = max(last_fetch.get(report["url"], ""), fetched_at)

    known = {r[0] for r in central.db.execute("select report_id from reports")}
    known_rejected = set(central.db.execute("select url, payload_sha256 from rejected"))
    for fetched_at, report, attachments in chains:
        if report.get("report_id") in known:  # merged before: no need to read its WARC records again
            summary.reports_known += 1
            _carry_removal(central, report, report["report_id"], last_fetch, summary)
            continue
        if "report_id" not in report and (report["url"], report.get("payload_sha256")) in known_rejected:
            continue
        try:
            page = _fetched(central, warc_dir, report["capture_id"], report["url"])
            docs = [_fetched(central, warc_dir, a["capture_id"], a["url"]) for a in attachments]
        except NotArchived as exc:
            summary.unreadable.append(f"{report['url']}: {exc}")
            continue
        result = ingest_report(central, site_id=report["site_id"], run_id=page.capture.get("run_id") or "merge",
                               page=page, attachments=docs)
        if result.kind != "report":
            summary.not_reports += 1
        elif result.is_new:
            summary.reports_new += 1
        else:
            summary.reports_known += 1
        if result.report_id:
            known.add(result.report_id)
            _carry_removal(central, report, result.report_id, last_fetch, summary)
    say(f"reports: {summary.reports_new} new, {summary.reports_known} already here")


def _carry_removal(central: Archive, report: dict, report_id: str, last_fetch: dict[str, str],
                   summary: MergeSummary) -> None:
    """A node saw this report vanish from its site, and no later capture of its URL says otherwise."""
    removed_at = report.get("removed_at")
    if removed_at and removed_at > last_fetch[report["url"]]:
        summary.removed += central.set_removed(report_id, removed_at)


def _fetched(central: Archive, warc_dir: Path, capture_id: str, url: str) -> Fetched:
    """A document as the crawl handed it to ingest: body, and the content type judged the same way
    (the record's own Content-Type header with its charset, corrected by what the bytes are)."""
    rows = list(central.db.query("select * from captures where capture_id = ?", [capture_id]))
    if not rows:
        raise NotArchived(f"capture {capture_id} is not in the merged index")
    capture = rows[0]
    path = warc_dir / capture["warc_file"]
    if not path.exists():
        raise NotArchived(f"WARC file {path} is missing")
    try:
        headers, _, _ = read_record(path, capture["warc_offset"])
    except ValueError as exc:
        raise NotArchived(str(exc)) from None
    header = headers.get_header("Content-Type") if headers else None
    body = payload(central, warc_dir, capture)
    return Fetched(url=url, body=body, content_type=corrected_content_type(body, header), capture=capture)
