"""Benchmark: the crawl never waits for extraction.

1. Throughput. The 2,100-page mirror of bench/incremental.py is crawled from scratch twice: with
   extraction switched off (``GOVCRAWL_INGEST=off``: captures and report chains only) and with
   ingest alongside in worker processes (the default). Wall time of the whole `scrapy crawl`
   (start-up and the final drain of the ingest queue included). Target: pages/s with extraction
   >= 0.8 x pages/s without. Also counts the reports stored.
2. A slow document. One site whose first report takes 30 s to extract (``bench/slow_builder.py``
   via ``GOVCRAWL_EXTRACT_BUILDER=bench.slow_builder:build``): prints how many downloads happened while that document was
   being extracted, and when the last download happened against when its extraction ended.

    .venv/bin/python bench/ingest.py [--sites 10] [--pages 10] [--workers 2] [--skip-throughput] [--skip-slow]
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from govcrawl.demo.mirror import serve_mirror  # noqa: E402
from incremental import crawl, generate, write_registry  # noqa: E402


def count(db: Path, sql: str):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()


def throughput(tmp: Path, sites: int, pages: int, workers: int) -> None:
    reports = generate(tmp / "mirror", sites, pages)
    results = {}
    with serve_mirror(tmp / "mirror", {}) as mirror:
        registry = write_registry(mirror, tmp / "sites.csv")
        for mode in ("off", "alongside"):
            work = tmp / mode
            work.mkdir()
            seconds, _bytes, responses = crawl(registry, work, f"GOVCRAWL_INGEST={mode}",
                                               f"GOVCRAWL_INGEST_WORKERS={workers}")
            stored = count(work / "archive.db", "select count(*) from reports where is_current = 1")[0]
            first, last = count(work / "archive.db", "select min(fetched_at), max(fetched_at) from captures")
            downloading = (datetime.fromisoformat(last) - datetime.fromisoformat(first)).total_seconds()
            results[mode] = (seconds, responses, stored, max(downloading, 1.0))
    print(f"mirror: {sites} sites, {reports + sites * pages} pages ({reports} report pages)")
    for mode, (seconds, responses, stored, downloading) in results.items():
        print(f"extraction {mode:<9}: whole run {seconds:6.1f} s = {responses / seconds:5.1f} pages/s; "
              f"downloading (first to last capture) {downloading:5.0f} s = {responses / downloading:5.1f} pages/s;"
              f"  {stored} current reports")
    for label, i in (("downloading", 3), ("whole run (incl. draining the ingest queue)", 0)):
        off, on = (results[m][1] / results[m][i] for m in ("off", "alongside"))
        print(f"pages/s with extraction in workers / without, {label}: {on / off:.2f} (target >= 0.80)")


def slow_document(tmp: Path, workers: int) -> None:
    generate(tmp / "slow", 1, 3)
    base = tmp / "slow" / "site00" / "zwgk" / "zfxxgknb"
    # the last link of the last listing page: Scrapy's LIFO queue fetches it among the first
    slow = next(base.glob("2022*/t20220218_59.htm"))
    slow.rename(slow.with_name("t20220218_SLOW.htm"))
    index = base / "index_2.html"
    index.write_text(index.read_text(encoding="utf-8").replace("t20220218_59.htm", "t20220218_SLOW.htm"),
                     encoding="utf-8")
    work = tmp / "slowcrawl"
    work.mkdir()
    with serve_mirror(tmp / "slow", {}) as mirror:
        registry = write_registry(mirror, tmp / "slow.csv")
        seconds, _b, responses = crawl(registry, work, "DOWNLOAD_DELAY=0.3", f"GOVCRAWL_INGEST_WORKERS={workers}",
                                       "GOVCRAWL_EXTRACT_BUILDER=bench.slow_builder:build")
    db = work / "archive.db"
    handed, done, result = count(db, "select created_at, ingested_at, result from chains where page_url like '%SLOW%'")
    if result != "report":
        sys.exit(f"the slow document was not stored as a report: {result}")
    during = count(db, f"select count(*), max(fetched_at) from captures where fetched_at > '{handed}' "
                       f"and fetched_at < '{done}'")
    last = count(db, "select max(fetched_at) from captures")[0]
    t = datetime.fromisoformat
    print(f"slow document: handed to extraction at {handed[11:19]}, stored at {done[11:19]} "
          f"({(t(done) - t(handed)).total_seconds():.0f} s)")
    print(f"downloads while it was extracted: {during[0]} of {responses}; last download at {last[11:19]}, "
          f"{(t(done) - t(last)).total_seconds():.0f} s before its extraction ended; crawl {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--pages", type=int, default=10, help="listing pages per site (20 reports each)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-slow", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_throughput:
            throughput(Path(tmp), args.sites, args.pages, args.workers)
        if not args.skip_slow:
            slow_document(Path(tmp), args.workers)


if __name__ == "__main__":
    main()
