"""Agency timelines: a row per agency and year, gaps told apart, renamed agencies marked."""
from __future__ import annotations

import json

from govcrawl.research import timelines
from test_views import build_archive, capture, make_report, rows


def test_year_of_a_link_comes_from_its_title_else_from_the_date_in_its_url():
    assert timelines.year_of_link("http://x/a.htm", "某局2017年政府信息公开工作年度报告") == 2017
    assert timelines.year_of_link("http://x/zfxxgknb/201803/t20180327_2057391.htm") == 2017
    assert timelines.year_of_link("http://x/art/2021/1/29/art_2101_83105.html") is None
    assert timelines.year_of_link("http://x/202111/t20211105_1.htm") is None  # autumn: not a report date


def test_gaps_are_not_crawled_until_a_crawl_reads_the_listings_and_renames_are_breaks(tmp_path):
    db = tmp_path / "archive.db"
    archive = build_archive(db)
    renamed = make_report(2022, "2021", {"person": 1}, title="重庆市某区民政和社会保障局2022年政府信息公开工作年度报告")
    archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2022.htm", capture=capture("a22"), report=renamed)
    archive.close()
    got = {(r["site_id"], r["year"]): r for r in timelines.refresh(db)}
    assert got[("cq-a", 2020)]["status"] == "archived" and got[("cq-a", 2021)]["series_break"] is None
    assert got[("cq-a", 2022)]["series_break"] == "renamed: 重庆市某区民政局 → 重庆市某区民政和社会保障局"
    assert got[("sc-a", 2020)]["status"] == "not_crawled"  # no crawl has read sc-a's listings
    archive = build_archive(db)
    summary = {"sites": {"sc-a": {"listing_pages": 2}}}
    archive.db["runs"].insert({"run_id": "r1", "status": "ok", "summary": json.dumps(summary)})
    archive.db["errors"].insert({"run_id": "r1", "site_id": "cq-b", "url": "http://127.0.0.1/b/202003/t20200301_1.htm",
                                 "reason": "report: HTTP 404", "status": 404})
    archive.close()
    timelines.refresh(db)
    archive = build_archive(db)
    table = {(s, y): (st, ev) for s, y, st, ev in rows(archive, "select site_id, year, status, evidence from agency_timeline")}
    assert table[("sc-a", 2020)][0] == "not_published"
    assert table[("cq-b", 2019)] == ("not_found", "report: HTTP 404: http://127.0.0.1/b/202003/t20200301_1.htm")
    assert rows(archive, "select count(*) from agency_years") == [(3 * 4,)]  # 3 agencies × 2019…2022
    archive.close()


def test_a_portal_listing_several_agencies_gets_one_series_per_agency(tmp_path):
    db = tmp_path / "archive.db"
    archive = build_archive(db)
    for year in (2021, 2022):  # sc-a's column also lists its 财政局's reports
        r = make_report(year, "2021", {"person": 4}, title=f"成都甲区财政局{year}年政府信息公开工作年度报告")
        archive.save_report(site_id="sc-a", url=f"http://127.0.0.1/s/cz{year}.htm", capture=capture(f"cz{year}"), report=r)
    archive.close()
    got = [(r["series"], r["year"], r["status"], r["series_break"]) for r in timelines.refresh(db) if r["site_id"] == "sc-a"]
    assert ("成都甲区财政局", 2022, "archived", None) in got
    assert ("重庆市某区民政局", 2021, "archived", None) in got and ("重庆市某区民政局", 2022, "not_crawled", None) in got
    assert not any(b for *_x, b in got)  # two agencies side by side are not a rename


def test_an_unreadable_report_is_not_found_but_a_letter_says_nothing_of_its_year(tmp_path):
    db = tmp_path / "archive.db"
    archive = build_archive(db)
    archive.save_rejected(url="http://127.0.0.1/b/x.htm", site_id="cq-b", title="关于2019年政府信息公开工作要点落实情况的函",
                          reason="a letter or notice about disclosure work, not an annual report", payload_sha256="l", run_id="r")
    archive.save_rejected(url="http://127.0.0.1/s/y.pdf", site_id="sc-a", title="成都甲区2019年政府信息公开工作年度报告",
                          reason="unreadable document: the PDF has no text layer", payload_sha256="u", run_id="r")
    archive.close()
    got = {(r["site_id"], r["year"]): r for r in timelines.refresh(db)}
    assert got[("cq-b", 2019)]["status"] == "not_crawled"
    assert got[("sc-a", 2019)]["status"] == "not_found" and "no text layer" in got[("sc-a", 2019)]["evidence"]
