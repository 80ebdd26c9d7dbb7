"""The views answer the common questions with the right numbers, and FTS finds Chinese phrases."""
from __future__ import annotations

import sqlite3

from govcrawl import checks, templates
from govcrawl.archive.store import Archive


class Site:
    def __init__(self, site_id, name, division_code):
        self.site_id, self.name, self.division_code = site_id, name, division_code
        self.level, self.parent_id, self.listing_urls, self.allowed_domains = "district", "", (), ()
        self.platform, self.verified = "", False


def make_report(year: int, template: str, applicants: dict[str, int], *, misprint: int = 0,
                rev_maintain: int = 0, title: str | None = None, s1: str = "总体情况。") -> dict:
    """A report of ``template`` whose table 三 receives ``applicants`` ({column: count}), all opened.

    ``misprint`` is added to the printed 总计 of 三（七）, which breaks the printed identity.
    """
    t = templates.get(template)
    parts = [c.id for c in t.t3_columns if c.id != "total"]
    values = {cid: 0 for cid in t.cell_ids()}
    for c in parts:
        n = applicants.get(c, 0)
        values.update({f"t3.new.{c}": n, f"t3.open.{c}": n, f"t3.handled_total.{c}": n})
    for r in t.t3_rows:
        values[f"t3.{r.id}.total"] = sum(values[f"t3.{r.id}.{c}"] for c in parts)
    values["t3.handled_total.total"] += misprint
    values["t4.cases.rev_maintain"] = values["t4.cases.rev_total"] = rev_maintain
    cells = {}
    for cid, meta in t.cells():
        cells[cid] = {"value": values[cid], "raw": str(values[cid]), "unit": meta["col"].unit,
                      "null_reason": None, "row_label": meta["row"].label if meta["row"] else None,
                      "col_label": meta["col"].label}
    agency = "重庆市某区民政局"
    return {"kind": "report", "title": title or f"{agency}{year}年政府信息公开工作年度报告", "agency": agency,
            "year": year, "template": template, "published": f"{year + 1}-01-20", "parser_version": "test",
            "sections": {"s1": s1, "s4": "本年度未发生政府信息公开行政复议案件。"},
            "cells": cells, "checks": checks.evaluate(template, values), "warnings": []}


def capture(sha: str) -> dict:
    return {"capture_id": "c-" + sha, "payload_sha256": sha, "fetched_at": "2026-01-01T00:00:00+00:00",
            "warc_file": "x.warc.gz", "warc_offset": 0}


SITES = [Site("cq-a", "重庆甲区", "500101"), Site("cq-b", "重庆乙区", "500102"), Site("sc-a", "成都甲区", "510104")]
REPORTS = [  # (site, url, sha, report)
    ("cq-a", "http://127.0.0.1/a/2020.htm", "a20", make_report(2020, "2019", {"person": 3, "org_business": 1},
                                                               s1="全年受理依申请公开3件。")),
    ("cq-a", "http://127.0.0.1/a/2021.htm", "a21", make_report(2021, "2021", {"person": 5}, rev_maintain=2)),
    ("cq-b", "http://127.0.0.1/b/2021.htm", "b21", make_report(2021, "2021", {"person": 7, "org_legal": 2},
                                                               misprint=1)),
    ("sc-a", "http://127.0.0.1/s/2021.htm", "s21", make_report(2021, "2021", {"person": 11})),
]


def build_archive(path, order=None) -> Archive:
    archive = Archive(path)
    archive.upsert_sites(SITES)
    # an older version of b's 2021 report, superseded below
    archive.save_report(site_id="cq-b", url="http://127.0.0.1/b/2021.htm", capture=capture("b21-old"),
                        report=make_report(2021, "2021", {"person": 100}))
    for site, url, sha, report in (order or REPORTS):
        archive.save_report(site_id=site, url=url, capture=capture(sha), report=report)
    return archive


def rows(archive, sql, params=()):
    return [tuple(r) for r in archive.db.execute(sql, params).fetchall()]


def test_table3_view_has_one_row_per_current_report_with_total_and_applicant_columns(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    got = rows(archive, "select site_id, year, template, new_total, new_person, new_org_legal, province_code, "
                        "city_code from t3_current order by site_id, year")
    assert got == [("cq-a", 2020, "2019", 4, 3, 0, "50", "5001"), ("cq-a", 2021, "2021", 5, 5, 0, "50", "5001"),
                   ("cq-b", 2021, "2021", 9, 7, 2, "50", "5001"), ("sc-a", 2021, "2021", 11, 11, 0, "51", "5101")]


def test_rollups_sum_current_reports_by_year_and_division_prefix(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    assert rows(archive, "select year, reports, new_total, open_total, handled_total, rev_total from rollup_year") == [
        (2020, 1, 4, 4, 4, 0), (2021, 3, 25, 25, 26, 2)]
    assert rows(archive, "select province_code, year, reports, new_total from rollup_province_year") == [
        ("50", 2020, 1, 4), ("50", 2021, 2, 14), ("51", 2021, 1, 11)]
    assert rows(archive, "select city_code, year, new_total from rollup_city_year where year = 2021") == [
        ("5001", 2021, 14), ("5101", 2021, 11)]


def test_table4_and_per_template_table2_views(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    assert rows(archive, "select site_id, year, rev_maintain, rev_total from t4_current where rev_total > 0") == [
        ("cq-a", 2021, 2, 2)]
    assert rows(archive, "select count(*) from t2_2019_current") == [(1,)]
    assert rows(archive, "select count(*) from t2_2021_current") == [(3,)]
    cols2019 = {r[1] for r in archive.db.execute("pragma table_info(t2_2019_current)")}
    assert "a20_9_central_proc_proc_amount" in cols2019 and "a20_8_fees_fee_amount" not in cols2019


def test_failing_checks_view_lists_only_reports_with_a_failed_printed_identity(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    assert rows(archive, "select site_id, year, failed_checks from reports_failing_checks") == [
        ("cq-b", 2021, "t3_balance_total")]


def test_long_cells_and_checks_views_keep_the_m001_columns(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    (rid,) = rows(archive, "select report_id from reports where site_id = 'cq-a' and year = 2020")[0]
    cell = archive.db.execute("select * from cells where report_id = ? and cell_id = 't3.new.person'", [rid])
    names = [d[0] for d in cell.description]
    assert names == ["report_id", "tbl", "block", "row_id", "col_id", "cell_id", "value", "value_text", "raw",
                     "unit", "null_reason", "row_label", "col_label"]
    assert tuple(cell.fetchone())[5:] == ("t3.new.person", 3, "3", "3", "件", None,
                                          "一、本年新收政府信息公开申请数量", "自然人")
    assert rows(archive, "select count(*) from checks where report_id = ?", [rid]) == [
        (len(templates.get("2019").identities()),)]


def test_full_text_search_finds_chinese_phrases_in_sections_and_titles(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    found = rows(archive, """select distinct r.site_id, r.year from sections_fts
                             join sections s on s.section_no = sections_fts.rowid join reports r using (report_id)
                             where sections_fts match '"依申请公开"' and r.is_current = 1""")
    assert found == [("cq-a", 2020)]
    assert len(rows(archive, "select rowid from sections_fts where sections_fts match '\"行政复议\"'")) == 5
    assert rows(archive, "select count(*) from reports_fts where reports_fts match '\"年政府信息公开\"'") == [(5,)]


def test_full_text_index_follows_a_resaved_report(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    site, url, sha, report = REPORTS[0]
    archive.save_report(site_id=site, url=url, capture=capture(sha), report=dict(report, sections={"s1": "改写后的文字"}))
    assert rows(archive, "select count(*) from sections_fts where sections_fts match '\"依申请公开\"'") == [(0,)]
    assert rows(archive, "select count(*) from sections_fts where sections_fts match '\"改写后\"'") == [(1,)]
    archive.db.execute("insert into sections_fts(sections_fts) values ('integrity-check')")


def test_views_read_through_a_readonly_connection(tmp_path):
    build_archive(tmp_path / "a.db").close()
    conn = sqlite3.connect(f"file:{tmp_path / 'a.db'}?mode=ro", uri=True)
    assert conn.execute("select count(*) from t3_current").fetchone() == (4,)
