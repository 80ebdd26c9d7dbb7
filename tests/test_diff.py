"""Diffs of two versions of a report, on real extractions: what changed, and what is markup only."""
from __future__ import annotations

import re

from govcrawl.extract import extract
from govcrawl.research.diff import Snapshot, diff_versions, format_diff, inline_diff, normalise_text
from helpers import DEMO, FIXTURES

SEED = FIXTURES / "extract" / "seed_yubei_2020.html"
LUWAN_2022 = "luwan/zwgk/zfxxgk/zfxxgknb/202302/t20230215_3187706.htm"
LZHB_2021 = "lzhb/art/2022/1/27/art_2101_88231.html"


def snap(body: bytes, url: str = "http://www.example.gov.cn/a.html", attachments=None, version="") -> Snapshot:
    return Snapshot.from_extraction(extract(body, url=url).to_dict(), url=url, version=version,
                                    attachments=attachments)


def seed_html() -> str:
    return SEED.read_bytes().decode("gb18030")


def test_reindented_page_without_inline_styles_is_markup_only():
    html = seed_html()
    remarked = re.sub(r'\sstyle="[^"]*"', "", html).replace("><", ">\n  <").replace("。", "。&nbsp;", 3)
    d = diff_versions(snap(html.encode("gb18030")), snap(remarked.encode("gb18030")))
    assert d.markup_only
    assert not (d.cells or d.checks or d.sections or d.fields)
    assert d.summary().startswith("markup only")


def test_a_corrected_table_figure_is_a_content_change_with_cell_id_label_old_and_new():
    old = (DEMO / "sites" / LUWAN_2022).read_bytes()
    new = (DEMO / "state2" / "sites" / LUWAN_2022).read_bytes()
    d = diff_versions(snap(old, version="v1"), snap(new, version="v2"))
    assert not d.markup_only
    (cell,) = d.cells
    assert cell.cell_id == "t3.new.total"
    assert (cell.old.value, cell.new.value) == ("57", "55")
    assert "本年新收" in cell.label and "总计" in cell.label
    assert {(c.check_id, c.old, c.new) for c in d.checks} == {
        ("t3_balance_total", "fail", "pass"), ("t3_rowsum_new", "fail", "pass")}
    assert [s.section_id for s in d.sections] == ["s1"]  # the figure is quoted in 一、总体情况 too
    text = format_diff(d)
    assert "t3.new.total" in text and "57 → 55" in text
    assert "申请[-57-]{+55+}件" in text  # the readable inline diff of the paragraph, whole numbers
    assert "<p" not in text and "<td" not in text  # a diff of the text, never of the HTML


def test_the_demo_page_in_a_new_site_template_is_markup_only():
    old = (DEMO / "sites" / LZHB_2021).read_bytes()
    new = (DEMO / "state2" / "sites" / LZHB_2021).read_bytes()
    assert old != new
    d = diff_versions(snap(old), snap(new))
    assert d.markup_only, d.summary()


def _report(**over) -> dict:
    base = {"title": "某区2023年政府信息公开工作年度报告", "agency": "某区人民政府", "year": 2023,
            "template": "2021", "published": "2024-01-20",
            "cells": {"t3.new.total": {"value": 12, "null_reason": None, "unit": "件"},
                      "t2.a20_8.fees.fee_amount": {"value": "1598.9043", "null_reason": None, "unit": "万元"},
                      "t4.cases.rev_total": {"value": None, "null_reason": "missing", "unit": "件"}},
            "checks": [{"id": "t3_balance_total", "status": "pass", "detail": "12 == 12"}],
            "sections": {"s1": "2023年，全区共收到申请12件。\n所有申请均在法定期限内答复。",
                         "s5": "一是……；二是……。"}}
    base.update(over)
    return base


def test_whitespace_padding_and_equal_decimals_are_not_changes():
    a = Snapshot.from_extraction(_report())
    padded = _report(sections={"s1": "2023年，全区共收到申请\u00a012件。\n\n  所有申请均在\u3000法定期限内答复。 ",
                               "s5": "一是……；二是……。"},
                     cells={**_report()["cells"], "t2.a20_8.fees.fee_amount":
                            {"value": "1598.90430", "null_reason": None, "unit": "万元"}})
    assert diff_versions(a, Snapshot.from_extraction(padded)).markup_only


def test_a_removed_paragraph_shows_in_the_section_diff():
    a = Snapshot.from_extraction(_report())
    b = Snapshot.from_extraction(_report(sections={"s1": "2023年，全区共收到申请12件。", "s5": "一是……；二是……。"}))
    d = diff_versions(a, b)
    (s,) = d.sections
    assert s.name == "一、总体情况"
    assert "-所有申请均在法定期限内答复。" in s.unified()


def test_a_value_found_where_none_was_is_a_content_change_and_a_new_title_is_shown():
    a = Snapshot.from_extraction(_report())
    cells = {**_report()["cells"], "t4.cases.rev_total": {"value": 3, "null_reason": None, "unit": "件"}}
    b = Snapshot.from_extraction(_report(cells=cells, title="某区2023年度政府信息公开工作年度报告（更正）"))
    d = diff_versions(a, b)
    assert [c.cell_id for c in d.cells] == ["t4.cases.rev_total"]
    assert d.cells[0].old.shown() == "null (missing)" and d.cells[0].new.shown() == "3"
    assert [f[0] for f in d.fields] == ["title"]
    assert not d.markup_only


def test_attachments_added_or_replaced_are_listed_and_a_new_one_is_a_content_change():
    a = Snapshot.from_extraction(_report(), attachments={"http://x/a.pdf": "aa"})
    same_content = Snapshot.from_extraction(_report(), attachments={"http://x/a.pdf": "bb"})
    d = diff_versions(a, same_content)
    assert [(x.url, x.change) for x in d.attachments] == [("http://x/a.pdf", "replaced")]
    assert d.markup_only  # re-uploaded bytes, same cells and text
    added = Snapshot.from_extraction(_report(), attachments={"http://x/a.pdf": "aa", "http://x/b.xls": "cc"})
    d = diff_versions(a, added)
    assert [(x.url, x.change) for x in d.attachments] == [("http://x/b.xls", "added")]
    assert not d.markup_only
    assert "attachment added: http://x/b.xls" in d.summary()


def test_inline_diff_keeps_numbers_whole_and_trims_context():
    assert inline_diff("共收到申请1017件", "共收到申请1071件") == "共收到申请[-1017-]{+1071+}件"
    long = "甲" * 40 + "收到12件" + "乙" * 40
    out = inline_diff(long, long.replace("12", "21"))
    assert out.startswith("…") and out.endswith("…") and "[-12-]{+21+}" in out
    assert len(out) < 50


def test_normalise_text_drops_layout_whitespace_only():
    assert normalise_text(" 一、总体情况\u3000\n\n\u00a0 本年度…… \r\n") == ["一、总体情况", "本年度……"]


def test_a_view_counter_or_todays_date_in_the_page_is_not_text():
    a = "浏览次数：1021\n今天是：2026年12月1日 星期二\n本报告根据《条例》编制。"
    b = "浏览次数：1187\n今天是：2026年12月2日 星期三\n本报告根据《条例》编制。"
    assert normalise_text(a) == normalise_text(b) == ["本报告根据《条例》编制。"]
    assert normalise_text("全年收到申请12件，浏览次数：3") == ["全年收到申请12件，浏览次数：3"]


def test_a_cross_year_check_that_flips_because_last_years_report_changed_is_not_this_reports_change():
    checks = _report()["checks"]
    a = Snapshot.from_extraction(_report(checks=checks + [
        {"id": "t3_carry_chain", "kind": "cross_year", "status": "pass", "detail": "2 == 2"}]))
    b = Snapshot.from_extraction(_report(checks=checks + [
        {"id": "t3_carry_chain", "kind": "cross_year", "status": "unknown", "detail": "no 2022 report"}]))
    assert diff_versions(a, b).markup_only


def test_a_new_title_alone_is_shown_but_markup_only():
    a = Snapshot.from_extraction(_report())
    b = Snapshot.from_extraction(_report(title="某区2023年政府信息公开工作年度报告_政务公开_某区人民政府"))
    d = diff_versions(a, b)
    assert d.markup_only and [f[0] for f in d.fields] == ["title"]
    assert "title" in d.summary()


def test_text_reflowed_into_other_lines_or_full_width_forms_is_the_same_text():
    a = Snapshot.from_extraction(_report(sections={"s1": "2023年，全区共收到申请12件。所有申请均在法定期限内答复。"}))
    b = Snapshot.from_extraction(_report(sections={"s1": "2023年，全区共收到申请１２件。\n所有申请均在法定期限内答复。"}))
    assert diff_versions(a, b).markup_only
    c = Snapshot.from_extraction(_report(sections={"s1": "2023年，全区共收到申请13件。\n所有申请均在法定期限内答复。"}))
    assert [s.section_id for s in diff_versions(a, c).sections] == ["s1"]
