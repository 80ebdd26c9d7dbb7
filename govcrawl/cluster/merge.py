"""Bring the crawl nodes' captures into the central archive: one archive, however many nodes.

Nodes only capture (shard jobs run with ``GOVCRAWL_INGEST=off``); this is where reports are built,
through the same ingest path as ``govcrawl ingest --warc-dir``. A source is any directory holding
crawl output: a node's working directory copied over (``shards/<shard>/warc/`` + ``archive.db``),
one shard directory, or a plain ``govcrawl crawl`` output. For each WARC directory found:

1. its captures and report chains are indexed from the WARC files themselves (``index_warcs``:
   ids are the WARC file and offset, so a directory merged twice adds nothing, and two nodes that
   fetched the same URL give two captures in that URL's one history). The files stay where they
   are: the central index remembers each capture's directory;
2. the runs, their errors and the sites recorded in the node's ``archive.db`` beside it are kept
   with their own times (``govcrawl runs`` then shows the nodes' nights);
3. every chain not ingested yet is ingested (``ingest_pending``: extraction in worker processes,
   versions, moves, cross-year checks);
4. a site's reports that its latest complete run no longer linked are marked removed, as a
   single-machine crawl does at its end.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from govcrawl.archive.ingest import IngestSummary, index_warcs, ingest_pending
from govcrawl.archive.store import Archive


@dataclass
class MergeSummary:
    warc_dirs: int = 0
    captures_new: int = 0
    chains_new: int = 0
    runs: int = 0
    removed: int = 0
    ingest: IngestSummary = field(default_factory=IngestSummary)

    @property
    def reports_new(self) -> int:
        return self.ingest.new_reports + self.ingest.changed

    def __str__(self) -> str:
        return (f"merged {self.warc_dirs} WARC folder(s): {self.captures_new} new captures, {self.chains_new} "
                f"new report chains, {self.runs} runs; {self.ingest}; {self.removed} reports marked removed")


def find_warc_dirs(sources: list[str | Path]) -> list[Path]:
    """Every folder holding WARC files under the sources, in a stable order; a missing source is an error."""
    found: list[Path] = []
    for source in map(Path, sources):
        if not source.is_dir():
            raise FileNotFoundError(f"no such node directory: {source}")
        found.extend(sorted({p.parent for p in source.rglob("*.warc.gz")}))
    return list(dict.fromkeys(p.resolve() for p in found))


def _rows(db: Path, sql: str, params=()) -> list[dict]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def merge_nodes(db_path: str | Path, warc_dir: str | Path, sources: list[str | Path], *, workers: int = 2,
                progress: Callable[[str], None] | None = None) -> MergeSummary:
    """Merge the crawl output found under ``sources`` into the central archive ``db_path``
    (whose own WARC files are in ``warc_dir``)."""
    from govcrawl.archive.workers import ExtractorPool

    say = progress or (lambda message: None)
    dirs = find_warc_dirs(sources)
    if not dirs:
        raise FileNotFoundError(f"no WARC files under {', '.join(map(str, sources))}")
    summary = MergeSummary()
    central = Archive(db_path)
    try:
        for d in dirs:
            captures, chains = index_warcs(central, d)
            summary.warc_dirs += 1
            summary.captures_new += captures
            summary.chains_new += chains
            node_db = d.parent / "archive.db"
            if node_db.exists():
                runs = _rows(node_db, "select * from runs")
                central.import_node_rows(sites=_rows(node_db, "select * from sites"), runs=runs,
                                         errors=_rows(node_db, "select * from errors"))
                summary.runs += len(runs)
            say(f"{d}: {captures} new captures, {chains} new report chains")
        pool = ExtractorPool(workers)
        try:
            summary.ingest = ingest_pending(central, [*dirs, Path(warc_dir)], pool)
        finally:
            pool.close()
        say(str(summary.ingest))
        summary.removed = mark_removed(central)
    finally:
        central.close()
    return summary


def mark_removed(central: Archive) -> int:
    """Per site, its latest complete run (whichever node ran it) decides which reports are gone.

    Seen are the report pages the run captured (its chains) and the report links it could not
    fetch (its errors); a report found by any later run (a shard re-run, a run stopped early) is
    seen too. Runs that stopped early decide nothing, nor does a run for a site whose listing it
    could not read (``failed`` runs still decide for their other sites).
    """
    removed = 0
    runs = central.db.execute("select run_id, started_at, status, summary from runs "
                              "where status in ('finished', 'failed') order by started_at").fetchall()
    latest: dict[str, tuple[str, str]] = {}
    for run_id, started_at, _, summary in runs:
        for site_id, stats in _sites_of(summary).items():
            listing_failed = any(e.get("reason", "").startswith("listing:") for e in stats.get("errors", []))
            if stats.get("listing_pages") and not listing_failed:
                latest[site_id] = (run_id, started_at)
    for site_id, (run_id, started_at) in sorted(latest.items()):
        later = [r[0] for r in central.db.execute(
            "select run_id from runs where started_at >= ?", [started_at])]
        marks = ", ".join("?" * len(later))
        seen = {r[0] for r in central.db.execute(
            f"select page_url from chains where site_id = ? and run_id in ({marks})", [site_id, *later])}
        seen |= {r[0] for r in central.db.execute(
            f"select url from errors where site_id = ? and run_id in ({marks}) and reason like 'report:%'",
            [site_id, *later])}
        removed += central.mark_removed(site_id, seen, run_id)
    return removed


def _sites_of(summary: str | None) -> dict[str, dict]:
    try:
        sites = json.loads(summary or "{}").get("sites") or {}
    except (ValueError, AttributeError):
        return {}
    if isinstance(sites, list):
        return {s.get("site_id"): s for s in sites if isinstance(s, dict)}
    return sites if isinstance(sites, dict) else {}
