"""The operator's and researcher's commands on a crawled archive: crawl, replay, reextract, lock."""
from __future__ import annotations

import subprocess
import sys

import pytest

from govcrawl.demo.mirror import load_quirks, serve_mirror
from govcrawl.archive.reextract import reextract
from govcrawl.crawl.run import ArchiveLock
from helpers import DEMO, DEMO_REPORTS, ROOT, crawl_env, query

GOVCRAWL = [sys.executable, "-m", "govcrawl.cli"]
SEED_PATH = "/zwgk/zfxxgknb/202101/t20210113_8845120.html"


def govcrawl(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*GOVCRAWL, *args], cwd=ROOT, env=crawl_env(), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    with serve_mirror(DEMO / "sites", load_quirks(DEMO / "quirks.json")) as mirror:
        registry = tmp / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        result = govcrawl("crawl", "--sites", str(registry), "--db", str(tmp / "archive.db"),
                          "--warc-dir", str(tmp / "warc"), "--delay", "0")
        assert result.returncode == 0, result.stderr[-3000:]
        yield {"db": tmp / "archive.db", "warc": tmp / "warc", "registry": registry,
               "mirror": mirror, "stdout": result.stdout, "tmp": tmp}


def test_crawl_ends_with_a_summary_per_site(archive):
    assert f"{DEMO_REPORTS} reports extracted" in archive["stdout"]
    for site in ("cq-yubei-mzj", "lz-luwan", "lz-shiling", "lz-slj", "lz-sthjj"):
        assert site in archive["stdout"]


def test_replay_prints_the_archived_body_byte_for_byte(archive):
    (row,) = query(archive["db"], "select url from reports where url like ?", ["%" + SEED_PATH])
    result = subprocess.run([*GOVCRAWL, "replay", row["url"], "--db", str(archive["db"]),
                             "--warc-dir", str(archive["warc"])], cwd=ROOT, capture_output=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (DEMO / "sites" / "yubei" / SEED_PATH.lstrip("/")).read_bytes()
    before = govcrawl("replay", row["url"], "--at", "2000-01-01", "--db", str(archive["db"]),
                      "--warc-dir", str(archive["warc"]))
    assert before.returncode == 1 and "no capture" in before.stderr


def test_reextract_rewrites_only_reports_whose_result_differs(archive):
    db = archive["db"]
    (report,) = query(db, "select report_id from reports where url like ?", ["%" + SEED_PATH])
    assert str(reextract(db, archive["warc"])).startswith(f"re-extracted {DEMO_REPORTS} reports: 0 changed")
    # An older parser got one figure wrong: re-extraction from the WARC repairs exactly that report.
    import sqlite3

    conn = sqlite3.connect(db)
    conn.execute("update cell_values set value = 99, value_text = '99' where report_no = "
                 "(select report_no from reports where report_id = ?) and cell_no = "
                 "(select cell_no from cell_defs where cell_id = 't3.new.total')", [report["report_id"]])
    conn.commit()
    conn.close()
    summary = reextract(db, archive["warc"])
    assert (summary.changed, summary.unchanged, summary.failed) == (1, DEMO_REPORTS - 1, 0)
    (cell,) = query(db, "select value from cells where report_id = ? and cell_id = 't3.new.total'",
                    [report["report_id"]])
    assert cell["value"] == 1


def test_a_second_crawl_on_a_locked_archive_exits_with_a_message(archive):
    lock = ArchiveLock(archive["db"]).acquire()
    try:
        result = govcrawl("crawl", "--sites", str(archive["registry"]), "--db", str(archive["db"]),
                          "--warc-dir", str(archive["warc"]))
    finally:
        lock.release()
    assert result.returncode == 2
    assert "another crawl" in result.stderr and "Traceback" not in result.stderr


def test_a_site_that_failed_entirely_makes_the_crawl_exit_non_zero_and_is_named(archive, tmp_path):
    registry = tmp_path / "sites.csv"
    lines = archive["registry"].read_text(encoding="utf-8").splitlines()
    host = archive["mirror"].hosts["lzsw"]
    broken = [line.replace(f"http://{host}/zwgk/zfxxgknb/index.html", f"http://{host}/moved/index.html")
              if line.startswith("lz-slj,") else line for line in lines]
    registry.write_text("\n".join(broken) + "\n", encoding="utf-8")
    result = govcrawl("crawl", "--sites", str(registry), "--db", str(tmp_path / "a.db"),
                      "--warc-dir", str(tmp_path / "warc"), "--site", "lz-slj", "--site", "cq-yubei-mzj",
                      "--delay", "0")
    assert result.returncode == 1
    assert "lz-slj" in result.stderr and "failed entirely" in result.stderr
    assert query(tmp_path / "a.db", "select count(*) as n from reports")[0]["n"] == 3


def test_a_bad_registry_row_is_named_without_a_traceback(tmp_path):
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified\n"
                        "cq-x,某区,district,5001,,http://127.0.0.1/x/,127.0.0.1,,0\n", encoding="utf-8")
    result = govcrawl("crawl", "--sites", str(registry), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 2
    assert "cq-x" in result.stderr and "Traceback" not in result.stderr


def test_extract_of_an_empty_file_is_a_clear_error_with_status_2(tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = govcrawl("extract", str(empty))
    assert result.returncode == 2 and "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_max_runtime_bounds_a_crawl_and_the_run_says_why_it_stopped(archive, tmp_path):
    import time

    started = time.perf_counter()
    result = govcrawl("crawl", "--sites", str(archive["registry"]), "--db", str(tmp_path / "a.db"),
                      "--warc-dir", str(tmp_path / "warc"), "--delay", "1", "--max-runtime", "2")
    elapsed = time.perf_counter() - started
    assert elapsed < 30, elapsed
    (run,) = query(tmp_path / "a.db", "select status from runs")
    assert run["status"] == "closespider_timeout", result.stderr[-2000:]
    reports = query(tmp_path / "a.db", "select count(*) as n from reports")[0]["n"]
    assert reports < DEMO_REPORTS


def test_runs_lists_the_crawls_and_the_latest_summary(archive):
    result = govcrawl("runs", "--db", str(archive["db"]))
    assert result.returncode == 0, result.stderr
    assert "finished" in result.stdout and "lz-luwan" in result.stdout and "reports extracted" in result.stdout
