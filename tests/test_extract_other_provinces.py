"""Pages modelled on other provinces' reports (written for this project, not copied):

- ``shanghai_style_2019.html``: 上海-style tables where a 0 is left blank, the 总计 column blank on
  detail rows, blanks printed as ``<p>&nbsp;</p>``, 采购总金额 in 元, signed 本年增/减;
- ``word_spans_2021.html``: Word-exported HTML with spans in every cell (labels split over two
  spans), a publisher's own wording: 其它, 合计, units in headers (自然人（件）), 法人或者其他组织,
  paraphrased rows (本年新收到政府信息公开申请数, 上年结转申请数).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcrawl.extract import extract_file

FIX = Path(__file__).resolve().parent / "fixtures" / "extract"


def _cells(rep) -> dict:
    out = {}
    for k, c in rep.to_dict()["cells"].items():
        out[k] = c["value"]
    return out


@pytest.mark.parametrize("name", ["shanghai_style_2019", "word_spans_2021"])
def test_page_extracts_every_cell(name):
    expected = json.loads((FIX / f"{name}.expected.json").read_text(encoding="utf-8"))
    rep = extract_file(FIX / f"{name}.html")
    assert rep.kind == "report" and rep.template == expected["template"]
    assert _cells(rep) == expected["cells"]
    assert rep.coverage == 1.0
    assert not [c for c in rep.checks if c["status"] == "fail"]


def test_blank_cells_are_null_not_zero():
    rep = extract_file(FIX / "shanghai_style_2019.html")
    c = rep.cells["t3.open.total"]  # a detail row's 总计 left blank by the publisher
    assert c["value"] is None and c["null_reason"] == "blank"
    assert rep.cells["t3.handled_total.total"]["value"] is not None
    assert rep.cells["t2.a20_9.central_proc.proc_amount"]["source_unit"] == "元"
    assert rep.cells["t2.a20_5.license.delta"]["value"] == -3


def test_publisher_wording_is_matched_with_a_confidence():
    rep = extract_file(FIX / "word_spans_2021.html")
    assert rep.cells["t3.new.total"]["row_label"] == "一、本年新收到政府信息公开申请数"
    assert rep.cells["t3.other_misc.org_other"]["col_label"] == "其它"
    assert rep.cells["t4.cases.rev_total"]["col_label"] == "合计"
    assert 0.5 <= rep.min_confidence < 1.0  # a paraphrase is a weaker match than the official words
