"""Nightly crawls: unchanged sites cost revisits only, changes become versions, removals are marked,
and a crawl killed with SIGKILL resumes to the same archive as an uninterrupted one."""
from __future__ import annotations

import json
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from govcrawl.demo.mirror import load_quirks, serve_mirror
from helpers import DEMO, DEMO_REPORTS, ROOT, assert_warcs_pass_warcio_check, crawl_command, crawl_env, query, run_crawl

CHANGED = "/zwgk/zfxxgk/zfxxgknb/202202/t20220218_3011245.htm"   # luwan 2021 report
REMOVED = "/zwgk/zfxxgknb/202301/t20230129_3171920.html"          # lzsw 2022 report


@pytest.fixture
def mirror_copy(tmp_path):
    """A private copy of the demo sites that a test may edit, served on loopback."""
    sites = tmp_path / "sites"
    shutil.copytree(DEMO / "sites", sites)
    with serve_mirror(sites, load_quirks(DEMO / "quirks.json")) as mirror:
        registry = tmp_path / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        yield sites, mirror, registry


def crawl(tmp_path, registry, *settings):
    return run_crawl(registry, tmp_path / "archive.db", tmp_path / "warc", *settings)


def test_second_crawl_of_an_unchanged_mirror_writes_only_revisits(tmp_path, mirror_copy):
    _, mirror, registry = mirror_copy
    crawl(tmp_path, registry)
    first_reports = query(tmp_path / "archive.db", "select report_id from reports order by 1")
    n_captures = len(query(tmp_path / "archive.db", "select 1 from captures"))
    crawl(tmp_path, registry)
    db = tmp_path / "archive.db"
    assert query(db, "select report_id from reports order by 1") == first_reports
    second = query(db, "select c.url, c.status, c.record_type, c.mime from captures c join runs r "
                       "using (run_id) where r.started_at = (select max(started_at) from runs) "
                       "order by c.rowid")
    assert len(second) > 0 and len(query(db, "select 1 from captures")) == n_captures + len(second)
    documents = [c for c in second if c["url"] in {r["url"] for r in query(db, "select url from reports")}]
    assert documents and all(c["status"] == 304 and c["record_type"] == "revisit" for c in documents)
    new_payloads = [c for c in second if c["record_type"] == "response" and c["status"] == 200]
    # Listings are always fetched in full, but their payloads are already archived: revisits too.
    assert new_payloads == []
    summary = json.loads(query(db, "select summary from runs order by started_at desc limit 1")[0]["summary"])
    assert summary["totals"]["new_reports"] == 0
    assert summary["totals"]["unchanged"] == len(first_reports)


def test_a_changed_report_gets_exactly_one_new_version_and_the_old_one_is_kept(tmp_path, mirror_copy):
    sites, _, registry = mirror_copy
    crawl(tmp_path, registry)
    page = sites / "luwan" / CHANGED.lstrip("/")
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>（2022年3月更正）</p></body>"),
                    encoding="utf-8")
    crawl(tmp_path, registry)
    versions = query(tmp_path / "archive.db", "select report_id, is_current from reports where url like ? "
                                              "order by first_seen_at, is_current", ["%" + CHANGED])
    assert [v["is_current"] for v in versions] == [0, 1]
    assert len(query(tmp_path / "archive.db", "select 1 from reports where is_current = 1")) == DEMO_REPORTS


def test_a_report_that_vanished_from_its_site_is_marked_removed_not_deleted(tmp_path, mirror_copy):
    sites, _, registry = mirror_copy
    crawl(tmp_path, registry)
    listing = sites / "lzsw" / "zwgk" / "zfxxgknb" / "index.html"
    html = listing.read_text(encoding="utf-8")
    link = REMOVED.rsplit("/zfxxgknb/", 1)[1]
    assert link in html
    listing.write_text(html.replace(link, "gone.html"), encoding="utf-8")
    (sites / "lzsw" / REMOVED.lstrip("/")).unlink()
    crawl(tmp_path, registry)
    (row,) = query(tmp_path / "archive.db", "select removed_at, is_current from reports where url like ?",
                   ["%" + REMOVED])
    assert row["removed_at"] and row["is_current"] == 0  # kept, but out of the current views
    (ident,) = query(tmp_path / "archive.db", "select i.removed_at from report_identities i join reports r "
                     "using (report_key) where r.url like ?", ["%" + REMOVED])
    assert ident["removed_at"]
    others = query(tmp_path / "archive.db", "select count(*) as n from reports where removed_at is not null")
    assert others[0]["n"] == 1


def archive_content(db: Path) -> list[tuple]:
    """Everything a researcher reads, independent of when it was fetched."""
    reports = query(db, "select r.url, r.year, r.template, r.payload_sha256, r.is_current, "
                        "count(c.cell_id) as cells, group_concat(c.cell_id || '=' || coalesce(c.value_text, ''), ';') as v "
                        "from reports r left join cells c using (report_id) group by r.report_id")
    return sorted((r["url"].split("/", 3)[3], r["year"], r["template"], r["payload_sha256"],
                   r["is_current"], r["cells"], r["v"]) for r in reports)


def reports_in(db: Path) -> int:
    try:
        return query(db, "select count(*) as n from reports")[0]["n"]
    except sqlite3.OperationalError:  # not created yet
        return 0


def chains_in(db: Path) -> int:
    try:
        return query(db, "select count(*) as n from chains")[0]["n"]
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_a_crawl_killed_with_sigkill_resumes_to_the_same_archive(tmp_path, mirror_copy):
    _, mirror, registry = mirror_copy
    reference = tmp_path / "reference"
    run_crawl(registry, reference / "archive.db", reference / "warc")
    mirror.reset()  # re-arm the 500-once page for the crawl we are going to kill

    killed = tmp_path / "killed"
    db = killed / "archive.db"
    slow = ("DOWNLOAD_DELAY=0.15", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    proc = subprocess.Popen(crawl_command(registry, db, killed / "warc", *slow), cwd=ROOT,
                            env=crawl_env(), stdout=subprocess.DEVNULL, stderr=open(tmp_path / "killed.log", "w"))
    deadline = time.time() + 60
    while time.time() < deadline and reports_in(db) < 5:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = reports_in(db)
    assert 5 <= partial < DEMO_REPORTS, "the crawl should have been killed mid-way"

    run_crawl(registry, db, killed / "warc")
    assert archive_content(db) == archive_content(reference / "archive.db")
    runs = query(db, "select status from runs order by started_at")
    assert [r["status"] for r in runs] == ["crashed", "finished"]
    assert_warcs_pass_warcio_check(killed / "warc")


def test_sigterm_stops_a_crawl_cleanly_with_its_run_recorded(tmp_path, mirror_copy):
    _, _, registry = mirror_copy
    db = tmp_path / "archive.db"
    slow = ("DOWNLOAD_DELAY=0.2", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    proc = subprocess.Popen(crawl_command(registry, db, tmp_path / "warc", *slow), cwd=ROOT,
                            env=crawl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and chains_in(db) < 3:  # the crawl captures; ingest follows
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    (run,) = query(db, "select status, ended_at, summary from runs")
    assert run["status"] == "interrupted" and run["ended_at"]
    assert 3 <= reports_in(db) < DEMO_REPORTS
    # what was captured before the stop is ingested before the crawl exits
    assert query(db, "select count(*) as n from chains where ingested_at is null") == [{"n": 0}]
    assert_warcs_pass_warcio_check(tmp_path / "warc")
