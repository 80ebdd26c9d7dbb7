"""The seed report (重庆市渝北区民政局 2020) as a page of our own making: GBK, Word-pasted cells,
<br> inside labels, NBSP/U+3000 padding, a vertical rowspan, site chrome around the content."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcrawl.extract import extract, extract_file, format_text

FIX = Path(__file__).resolve().parent / "fixtures" / "extract"
PAGE = FIX / "seed_yubei_2020.html"
EXPECTED = json.loads((FIX / "seed_yubei_2020.expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report():
    return extract_file(PAGE, url="http://www.ybq.gov.cn/bm/qmzj/zwgk/ndbg/202101/t20210113_1.html")


def test_seed_page_extracts_every_figure(report):
    got = report.to_dict()["cells"]
    assert set(got) == set(EXPECTED["cells"])
    assert {k: got[k]["value"] for k in got} == EXPECTED["cells"]


def test_seed_metadata(report):
    assert report.kind == "report" and report.template == "2019"
    for k in ("title", "agency", "year", "published"):
        assert getattr(report, k) == EXPECTED[k]


def test_seed_sections_keep_preamble_and_signature(report):
    s = report.sections
    assert [k for k in s if k[1:].isdigit()] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert "（五）监督保障方面" in s["s1"]  # a numbered sub-head is not a section
    assert s["s6"] == "我局暂无其他需要报告的事项。"
    assert s["signature"] == "重庆市渝北区民政局\n2021年1月13日"


def test_seed_checks_all_pass(report):
    statuses = {c["status"] for c in report.checks if c["kind"] != "cross_year"}
    assert statuses == {"pass"}


def test_cells_carry_labels_units_and_raw_text(report):
    c = report.to_dict()["cells"]
    assert c["t2.a20_1.normative.made_new"]["col_label"] == "本年新制作数量"
    assert c["t3.partial.total"]["row_label"].startswith("（二）部分公开")
    assert c["t2.a20_9.central_proc.proc_amount"] | {"raw": None} == {
        "value": "139.8", "raw": None, "unit": "万元", "null_reason": None, "source_unit": "万元",
        "row_label": "政府集中采购", "col_label": "采购总金额"}
    assert c["t3.new.person"]["unit"] == "件"


def test_json_shape_is_serialisable(report):
    d = report.to_dict()
    json.dumps(d, ensure_ascii=False)
    assert list(d)[:13] == ["kind", "reason", "title", "agency", "year", "published", "template", "sections",
                            "cells", "extra_tables", "checks", "warnings", "images"]
    assert d["parser_version"]


def test_text_summary_names_the_key_figures(report):
    text = format_text(report)
    assert "template:  2019" in text and "本年新收申请" in text and "checks:" in text


def test_same_page_as_utf8_without_any_charset_declaration():
    html = PAGE.read_bytes().decode("gb18030").replace('; charset=gb2312', '')
    rep = extract(html.encode("utf-8"))
    assert rep.cells["t2.a20_5.other_service.decisions"]["value"] == 7910
