"""Researchers query the archive while the nightly crawl writes it: no errors, no blocking."""
from __future__ import annotations

import sqlite3
import subprocess
import threading
import time

from govcrawl.demo.mirror import load_quirks, serve_mirror
from helpers import DEMO, DEMO_REPORTS, ROOT, crawl_command, crawl_env, query


def test_a_reader_loop_during_a_crawl_sees_no_errors_and_the_crawl_finishes(tmp_path):
    db = tmp_path / "archive.db"
    errors: list[str] = []
    reads = 0
    stop = threading.Event()

    def reader():
        nonlocal reads
        while not stop.is_set():
            if not db.exists():
                time.sleep(0.01)
                continue
            try:
                conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.5)
                conn.execute("select count(*) from sqlite_master").fetchone()
                if conn.execute("select 1 from sqlite_master where name = 'reports'").fetchone():
                    conn.execute("select count(*), sum(cells_found) from reports").fetchone()
                    conn.execute("select count(*) from cells").fetchone()
                    reads += 1
                conn.close()
            except sqlite3.Error as exc:
                errors.append(repr(exc))
            time.sleep(0.005)

    with serve_mirror(DEMO / "sites", load_quirks(DEMO / "quirks.json")) as mirror:
        registry = tmp_path / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        thread = threading.Thread(target=reader)
        thread.start()
        try:
            started = time.perf_counter()
            result = subprocess.run(crawl_command(registry, db, tmp_path / "warc"), cwd=ROOT,
                                    env=crawl_env(), capture_output=True, text=True, timeout=300)
            elapsed = time.perf_counter() - started
        finally:
            stop.set()
            thread.join()
    assert result.returncode == 0, result.stderr[-3000:]
    assert errors == []
    assert reads > 10, f"the reader ran only {reads} times in {elapsed:.1f}s"
    assert query(db, "select count(*) as n from reports")[0]["n"] == DEMO_REPORTS
