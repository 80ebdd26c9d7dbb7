"""The crawl captures, ingest builds reports: the same reports whether ingest runs beside the
crawl, after it, on another machine from the WARCs alone, or after a kill -9."""
from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time

import pytest

from govcrawl.archive.ingest import Fetched
from govcrawl.archive.workers import ExtractorPool
from govcrawl.demo.mirror import serve_mirror
from helpers import DEMO, DEMO_REPORTS, ROOT, query, run_crawl

GOVCRAWL = [sys.executable, "-m", "govcrawl.cli"]


def ingest(db, *args, check=True):
    result = subprocess.run([*GOVCRAWL, "ingest", "--db", str(db), *args], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert not check or result.returncode == 0, result.stderr[-3000:]
    return result


def content(db) -> list[tuple]:
    """What a researcher reads: current reports with their cells, independent of fetch times."""
    rows = query(db, "select r.report_id, r.report_key, r.year, r.agency, r.payload_sha256, r.is_current, "
                     "group_concat(c.cell_id || '=' || coalesce(c.value_text, ''), ';') as cells "
                     "from reports r left join cells c using (report_id) group by r.report_id order by r.report_id")
    return [tuple(r.values()) for r in rows]


@pytest.fixture(scope="module")
def captured(tmp_path_factory):
    """The demo mirror crawled twice: once with ingest beside the crawl, once capture-only."""
    tmp = tmp_path_factory.mktemp("ingest")
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    with serve_mirror(DEMO / "sites", quirks, port=0) as mirror:
        registry = tmp / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        run_crawl(registry, tmp / "live" / "archive.db", tmp / "live" / "warc")
        mirror.reset()
        run_crawl(registry, tmp / "node" / "archive.db", tmp / "node" / "warc", "GOVCRAWL_INGEST=off")
    yield tmp


def test_a_capture_only_crawl_stores_chains_and_no_reports(captured):
    db = captured / "node" / "archive.db"
    assert query(db, "select count(*) as n from reports") == [{"n": 0}]
    chains = query(db, "select count(*) as n from chains where ingested_at is null")[0]["n"]
    assert chains >= DEMO_REPORTS


def test_govcrawl_ingest_builds_the_same_reports_and_a_second_run_adds_nothing(captured, tmp_path):
    db = tmp_path / "archive.db"
    import shutil

    shutil.copy(captured / "node" / "archive.db", db)
    first = ingest(db, "--workers", "2", "--warc-dir", str(captured / "node" / "warc"))
    assert "0 new captures, 0 new report chains" in first.stderr  # this archive's own WARCs
    assert f"{DEMO_REPORTS} reports ({DEMO_REPORTS} new" in first.stdout, first.stdout
    assert [r[1:] for r in content(db)] == [r[1:] for r in content(captured / "live" / "archive.db")]
    again = ingest(db, "--warc-dir", str(captured / "node" / "warc"))
    assert again.stdout.startswith("ingested 0 report chains")


def test_another_nodes_warc_directory_alone_gives_the_same_reports_and_merging_twice_adds_nothing(captured, tmp_path):
    db = tmp_path / "merged.db"
    first = ingest(db, "--warc-dir", str(captured / "node" / "warc"))
    assert f"{DEMO_REPORTS} reports ({DEMO_REPORTS} new" in first.stdout, first.stdout + first.stderr
    assert content(db) == content(captured / "live" / "archive.db")
    captures = query(db, "select count(*) as n from captures")[0]["n"]
    again = ingest(db, "--warc-dir", str(captured / "node" / "warc"))
    assert "0 new captures, 0 new report chains" in again.stderr
    assert again.stdout.startswith("ingested 0 report chains")
    assert query(db, "select count(*) as n from captures")[0]["n"] == captures
    assert content(db) == content(captured / "live" / "archive.db")


def test_ingest_killed_with_sigkill_loses_nothing(captured, tmp_path):
    import shutil

    db = tmp_path / "archive.db"
    shutil.copy(captured / "node" / "archive.db", db)
    warc = str(captured / "node" / "warc")
    proc = subprocess.Popen([*GOVCRAWL, "ingest", "--db", str(db), "--workers", "1", "--warc-dir", warc], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and done < 4:
        time.sleep(0.05)
        try:
            done = query(db, "select count(*) as n from chains where ingested_at is not null")[0]["n"]
        except Exception:  # noqa: BLE001 - the writer may hold the file for a moment
            pass
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    left = query(db, "select count(*) as n from chains where ingested_at is null")[0]["n"]
    assert left > 0, "ingest should have been killed midway"
    ingest(db, "--warc-dir", warc)
    assert [r[1:] for r in content(db)] == [r[1:] for r in content(captured / "live" / "archive.db")]


def test_a_document_over_the_time_limit_is_unreadable_with_its_reason_and_the_pool_goes_on(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ as a namespace package (its incremental.py would
    # shadow twisted's `incremental` if bench/ itself were on the path)
    monkeypatch.setenv("GOVCRAWL_BENCH_SLOW_SECONDS", "30")
    body = (DEMO / "sites/lzsw/zwgk/zfxxgknb/202301/t20230129_3171920.html").read_bytes()
    capture = {"payload_sha256": hashlib.sha256(body).hexdigest(), "status": 200}
    pool = ExtractorPool(2, timeout=1.5, builder="bench.slow_builder:build")
    try:
        started = time.monotonic()
        slow = pool.submit(Fetched("http://127.0.0.9/SLOW.html", body, "text/html", capture), [])
        quick = pool.submit(Fetched("http://127.0.0.9/ok.html", body, "text/html", capture), [])
        assert pool.result(quick).report["year"] == 2022
        built = pool.result(slow)
        assert built.report is None and "took longer than 1.5 s" in built.reason
        assert time.monotonic() - started < 20
    finally:
        pool.close()


def test_a_dead_worker_fails_only_its_chains_for_now_and_the_pool_comes_back(monkeypatch):
    from govcrawl.archive.workers import WorkerDied

    monkeypatch.syspath_prepend(str(ROOT))
    body = (DEMO / "sites/lzsw/zwgk/zfxxgknb/202301/t20230129_3171920.html").read_bytes()
    capture = {"payload_sha256": hashlib.sha256(body).hexdigest(), "status": 200}
    pool = ExtractorPool(1, timeout=30, builder="bench.slow_builder:build")
    try:
        crash = pool.submit(Fetched("http://127.0.0.9/CRASH.html", body, "text/html", capture), [])
        with pytest.raises(WorkerDied):
            pool.result(crash)
        after = pool.submit(Fetched("http://127.0.0.9/ok.html", body, "text/html", capture), [])
        assert pool.result(after).report["year"] == 2022
    finally:
        pool.close()
