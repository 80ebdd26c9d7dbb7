"""A WPS-made PDF in the 江苏 style whose tables have no ruling lines (a borderless layout table):
the text layer is all that is left, so the text reader must lay its figures against the template.

The PDF is generated here (reportlab, a CJK CID font, nothing downloaded): title and sections, table
二 by blocks, table 三 with a vertical 三、本年度办理结果 printed one character per line, long labels
wrapped onto a second line, table 四's 15 figures under its two header lines, page-number footers and
a page break inside table 三. Expected figures are those of the Word-HTML fixture of the same report.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from govcrawl import templates
from govcrawl.extract import UnreadableDocument, extract

FIX = Path(__file__).resolve().parent / "fixtures" / "extract"
EXPECTED = json.loads((FIX / "word_spans_2021.expected.json").read_text(encoding="utf-8"))["cells"]
W, H = 595, 842
VALUE_X = [300, 330, 360, 390, 420, 450, 485]


def _borderless_pdf() -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H))
    state = {"y": 80, "page": 1}

    def text(x, s, size=10):
        c.setFont("STSong-Light", size)
        c.drawString(x, H - state["y"] - size, s)

    def newline(dy=16):
        state["y"] += dy
        if state["y"] > 770:
            c.setFont("STSong-Light", 9)
            c.drawString(285, 40, f"- {state['page']} -")
            c.showPage()
            state["page"] += 1
            state["y"] = 72

    def para(s, size=11, x=72):
        text(x, s, size)
        newline(20)

    def row(label, values, x=110, wrap=16):
        text(x, label[:wrap], 9)
        for vx, v in zip(VALUE_X, values):
            text(vx, v, 9)
        newline()
        if len(label) > wrap:  # a long label wraps onto a second line in its narrow column
            text(x, label[wrap:], 9)
            newline()

    tpl = templates.get("2021")
    v = {k: ("" if x is None else str(x)) for k, x in EXPECTED.items()}
    c.setFont("STSong-Light", 18)
    c.drawCentredString(W / 2, H - 60, "淮安市某某区人民政府")
    c.drawCentredString(W / 2, H - 84, "2021年政府信息公开工作年度报告")
    state["y"] = 110
    para("本报告根据《中华人民共和国政府信息公开条例》编制，数据统计期限自2021年1月1日至12月31日。")
    para("一、总体情况")
    para("2021年，区政府坚持以公开为常态、不公开为例外，全面推进政务公开。")
    para("二、主动公开政府信息情况")
    for b in tpl.table2:
        row(b.caption, [])
        row("信息内容", [c_.label for c_ in b.columns])
        for r in b.rows:
            row(r.label, [v[f"t2.{b.id}.{r.id}.{c_.id}"] for c_ in b.columns])
    para("三、收到和处理政府信息公开申请情况")
    row("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", [], wrap=40)
    row("", ["", "申请人情况"])
    row("", ["自然人", "法人或其他组织", "", "", "", "", "总计"])
    row("", ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"])
    vertical = iter("三、本年度办理结果")
    for r in tpl.t3_rows:
        values = [v[f"t3.{r.id}.{c_.id}"] for c_ in tpl.t3_columns]
        if r.parent and r.parent != "g_results" and r == next(x for x in tpl.t3_rows if x.parent == r.parent):
            row(tpl.t3_groups[r.parent][0], [], x=90)
        ch = next(vertical, "") if r.parent else ""
        if ch:
            text(75, ch, 9)
        row(r.label, values)
    para("四、政府信息公开行政复议、行政诉讼情况")
    row("行政复议", ["", "", "", "", "行政诉讼"], x=72)
    row("结果维持 结果纠正 其他结果 尚未审结 总计", ["未经复议直接起诉", "", "", "复议后起诉"], x=72, wrap=40)
    figures = [v[f"t4.cases.{c_.id}"] for c_ in tpl.t4_columns]
    text(72, "   ".join(figures), 9)
    newline()
    para("五、存在的主要问题及改进情况")
    para("政策解读的形式还不够丰富。")
    para("六、其他需要报告的事项")
    para("本年度未收取信息处理费。")
    para("淮安市某某区人民政府办公室", x=360)
    para("2022年1月25日", x=380)
    c.setFont("STSong-Light", 9)
    c.drawString(285, 40, f"- {state['page']} -")
    c.setTitle("淮安市某某区人民政府2021年政府信息公开工作年度报告")
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return _borderless_pdf()


def test_borderless_pdf_tables_are_read_from_the_text_layer(pdf):
    rep = extract(pdf)
    assert rep.kind == "report" and rep.format == "pdf" and rep.template == "2021" and rep.year == 2021
    got = {k: c["value"] for k, c in rep.to_dict()["cells"].items()}
    wrong = {k: (want, got.get(k)) for k, want in EXPECTED.items() if got.get(k) != want}
    assert wrong == {}
    assert rep.coverage == 1.0
    assert not [c for c in rep.checks if c["status"] == "fail"]


@pytest.mark.parametrize("fraction", [0.33, 0.6, 0.8, 0.95])
def test_truncated_borderless_pdf_is_never_a_report_of_nulls(pdf, fraction):
    try:
        rep = extract(pdf[: int(len(pdf) * fraction)])
    except UnreadableDocument:
        return  # nothing readable at all: the caller reports it as unreadable
    if rep.kind == "report":
        assert rep.coverage > 0 and any("damaged or truncated" in w for w in rep.warnings)
    else:
        assert rep.kind == "damaged" and rep.cells == {} and "damaged" in rep.reason
