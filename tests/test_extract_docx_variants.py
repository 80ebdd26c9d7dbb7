"""A Word attachment in a publisher's own wording: the same report as ``word_spans_2021.html``, built
as a .docx (python-docx, merged cells for the group labels) with 其它, 合计, units in the headers,
paraphrased rows and table 四 transposed. The DOCX reader and the label matching by meaning meet here."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from govcrawl import templates
from govcrawl.extract import extract

FIX = Path(__file__).resolve().parent / "fixtures" / "extract"
EXPECTED = json.loads((FIX / "word_spans_2021.expected.json").read_text(encoding="utf-8"))["cells"]
ROW_WORDS = {"new": "一、本年新收到政府信息公开申请数", "carry_in": "二、上年结转申请数", "handled_total": "（七）合计",
             "deny_law": "2.其它法律行政法规禁止公开", "other_misc": "3.其它"}
HEAD = ["自然人（件）", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其它", "合计（件）"]


def _value(cid: str) -> str:
    v = EXPECTED[cid]
    return "" if v is None else str(v)


def build() -> bytes:
    docx = pytest.importorskip("docx")
    tpl = templates.get("2021")
    d = docx.Document()
    d.add_paragraph("某某县某某局2021年政府信息公开工作年度报告")
    for h, body in (("一、总体情况", "2021年，我局持续推进政务公开。"), ("二、主动公开政府信息情况", None)):
        d.add_paragraph(h)
        if body:
            d.add_paragraph(body)
    t2 = d.add_table(rows=0, cols=4)
    for b in tpl.table2:
        cap = t2.add_row().cells
        cap[0].merge(cap[3]).text = b.caption
        head = t2.add_row().cells
        head[0].text = "信息内容"
        for i, c in enumerate(b.columns):
            head[1 + i].text = c.label + ("（件）" if c.unit == "件" else "")
        for r in b.rows:
            row = t2.add_row().cells
            row[0].text = r.label
            for i, c in enumerate(b.columns):
                row[1 + i].text = _value(f"t2.{b.id}.{r.id}.{c.id}")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    rows = list(tpl.t3_rows)
    t3 = d.add_table(rows=3 + len(rows), cols=10)
    t3.cell(0, 0).merge(t3.cell(2, 2)).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t3.cell(0, 3).merge(t3.cell(0, 9)).text = "申请人情况"
    t3.cell(1, 3).merge(t3.cell(2, 3)).text = HEAD[0]
    t3.cell(1, 4).merge(t3.cell(1, 8)).text = "法人或者其他组织"
    t3.cell(1, 9).merge(t3.cell(2, 9)).text = HEAD[6]
    for i, h in enumerate(HEAD[1:6]):
        t3.cell(2, 4 + i).text = h
    for n, r in enumerate(rows):
        y = 3 + n
        label = ROW_WORDS.get(r.id, r.label)
        if r.parent is None:
            t3.cell(y, 0).merge(t3.cell(y, 2)).text = label
        elif r.parent == "g_results":
            t3.cell(y, 1).merge(t3.cell(y, 2)).text = label
        else:
            t3.cell(y, 2).text = label
        for i, c in enumerate(tpl.t3_columns):
            t3.cell(y, 3 + i).text = _value(f"t3.{r.id}.{c.id}")
    first = rows.index(next(r for r in rows if r.parent))
    last = rows.index(next(r for r in reversed(rows) if r.parent))
    t3.cell(3 + first, 0).merge(t3.cell(3 + last, 0)).text = "三、本年度办理结果"
    for gid, (glabel, _a) in tpl.t3_groups.items():
        kids = [i for i, r in enumerate(rows) if r.parent == gid]
        if kids and gid != "g_results":
            t3.cell(3 + kids[0], 1).merge(t3.cell(3 + kids[-1], 1)).text = glabel.replace("其他", "其它")
    d.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    t4 = d.add_table(rows=4, cols=7)
    for i, h in enumerate(["结果维持", "结果纠正", "其它结果", "尚未审结", "合计"]):
        t4.cell(0, 2 + i).text = h
    ids = [c.id for c in tpl.t4_columns]
    for k, (g1, g2) in enumerate((("行政复议", ""), ("行政诉讼", "未经复议直接起诉"), ("行政诉讼", "复议后起诉"))):
        t4.cell(1 + k, 0).text, t4.cell(1 + k, 1).text = g1, g2
        for i in range(5):
            t4.cell(1 + k, 2 + i).text = _value(f"t4.cases.{ids[5 * k + i]}")
    for h, body in (("五、存在的主要问题及改进情况", "政策解读形式不够丰富。"), ("六、其他需要报告的事项", "无。")):
        d.add_paragraph(h)
        d.add_paragraph(body)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_docx_in_a_publishers_wording_keeps_every_cell():
    rep = extract(build(), filename="附件.docx")
    assert rep.kind == "report" and rep.format == "docx" and rep.template == "2021"
    got = {k: c["value"] for k, c in rep.to_dict()["cells"].items()}
    assert {k: v for k, v in EXPECTED.items() if got.get(k) != v} == {}
    assert rep.coverage == 1.0 and rep.min_confidence < 1.0
    assert not [c for c in rep.checks if c["status"] == "fail"]
