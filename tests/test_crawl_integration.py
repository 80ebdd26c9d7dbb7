"""A real `scrapy crawl reports` in a subprocess against the demo mirror on loopback."""
from __future__ import annotations

import json
import subprocess

import pytest

from govcrawl.demo.mirror import serve_mirror
from helpers import DEMO, ROOT, assert_warcs_pass_warcio_check, crawl_command, crawl_env, query as rows


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Serve the mirror, crawl it once with scrapy in a subprocess, return (db path, mirror, expected)."""
    tmp = tmp_path_factory.mktemp("crawl")
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    expected = json.loads((DEMO / "EXPECTED.json").read_text(encoding="utf-8"))
    with serve_mirror(DEMO / "sites", quirks) as mirror:
        registry = tmp / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        db = tmp / "archive.db"
        env = crawl_env()
        cmd = crawl_command(registry, db, tmp / "warc")
        result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-4000:]
        yield {"db": db, "tmp": tmp, "mirror": mirror, "expected": expected, "log": result.stderr,
               "cmd": cmd, "env": env}


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_every_crawlable_demo_report_is_archived_exactly_once(crawled):
    want = sorted((r["site_dir"], r["path"]) for r in crawled["expected"]["reports"] if r["crawlable"])
    hosts = {v: k for k, v in crawled["mirror"].hosts.items()}
    have = sorted((hosts[r["url"].split("/")[2]], path_of(r["url"]))
                  for r in rows(crawled["db"], "select url from reports where is_current = 1"))
    assert have == want


def test_report_figures_and_failed_checks_match_the_mirror(crawled):
    for exp in (r for r in crawled["expected"]["reports"] if r["crawlable"]):
        (report,) = rows(crawled["db"], "select * from reports where url like ?", ["%" + exp["path"]])
        assert report["year"] == exp["year"], exp["path"]
        assert report["template"] == exp["template"], exp["path"]
        cells = {r["cell_id"]: r["value"] for r in rows(
            crawled["db"], "select cell_id, value from cells where report_id = ?", [report["report_id"]])}
        for cell_id, value in exp.get("figures", {}).items():
            assert cells.get(cell_id) == value, (exp["path"], cell_id)
        failed = {r["check_id"] for r in rows(
            crawled["db"], "select check_id from checks where report_id = ? and status = 'fail'",
            [report["report_id"]])}
        assert failed == set(exp.get("failing_checks", [])), exp["path"]


def test_robots_disallowed_report_is_never_requested(crawled):
    blocked = [r for r in crawled["expected"]["reports"] if not r["crawlable"]]
    assert blocked, "the mirror should hold a robots-disallowed report"
    requested = {(path) for _, _, path, *_ in crawled["mirror"].requests}
    for r in blocked:
        assert r["path"] not in requested
        assert not rows(crawled["db"], "select 1 from reports where url like ?", ["%" + r["path"]])


def test_the_page_that_fails_once_is_archived_after_a_retry(crawled):
    statuses = rows(crawled["db"], "select url, status from captures order by fetched_at")
    fail_once = [p for q in json.loads((DEMO / "quirks.json").read_text()).values() for p in q.get("fail_once", [])]
    assert fail_once
    for path in fail_once:
        seen = [s["status"] for s in statuses if path_of(s["url"]).split("?")[0] == path]
        assert seen[:1] == [500] and 200 in seen, (path, seen)


def test_non_reports_and_the_broken_link_are_recorded_not_archived_as_reports(crawled):
    urls = {path_of(r["url"]) for r in rows(crawled["db"], "select url from reports")}
    for path in crawled["expected"].get("non_reports", []):
        assert path not in urls
    errors = rows(crawled["db"], "select url, reason from errors")
    for path in crawled["expected"].get("broken_links", []):
        assert any(path_of(e["url"]) == path and "404" in e["reason"] for e in errors), path


def test_every_response_is_in_a_valid_warc_file(crawled):
    assert_warcs_pass_warcio_check(crawled["tmp"] / "warc")
    n_captures = rows(crawled["db"], "select count(*) as n from captures")[0]["n"]
    assert n_captures == len(crawled["mirror"].requests)


def test_a_second_crawl_adds_no_duplicate_rows(crawled):
    before = {t: rows(crawled["db"], f"select count(*) as n from {t}")[0]["n"]
              for t in ("reports", "cells", "checks")}
    result = subprocess.run(crawled["cmd"], cwd=ROOT, env=crawled["env"], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    after = {t: rows(crawled["db"], f"select count(*) as n from {t}")[0]["n"]
             for t in ("reports", "cells", "checks")}
    assert after == before


def test_luwan_consecutive_years_get_pass_or_fail_on_every_cross_year_check(crawled):
    got = rows(crawled["db"], "select year, check_id, status, detail from cross_year_checks "
                              "where site_id = 'lz-luwan' order by year, check_id")
    years = sorted({r["year"] for r in got})
    assert years == [2020, 2021, 2022, 2023]  # each has its previous year in the archive
    assert [r for r in got if r["status"] not in ("pass", "fail")] == []
    assert {r["check_id"] for r in got if r["year"] == 2021} == {"t3_carry_chain"}  # across the template change


def test_urls_robots_txt_forbids_are_recorded_not_only_counted(crawled):
    blocked = [r for r in crawled["expected"]["reports"] if not r["crawlable"]]
    errors = rows(crawled["db"], "select site_id, url, reason from errors where reason like '%robots.txt%'")
    assert {path_of(e["url"]) for e in errors} >= {r["path"] for r in blocked}
    assert all(e["reason"] == "report: blocked by robots.txt" for e in errors)
