"""Generate the one PDF attachment of the demo mirror: 鹭湾区2020年政府信息公开工作年度报告 (2019 template).

    .venv/bin/python data/demo/make_pdf.py

The HTML page of that report only says 详见附件; the full report with tables 二/三/四 is in this
PDF. reportlab's built-in CID font STSong-Light (Adobe-GB1) is used, so no font file is needed and
pdfminer/pdfplumber map the glyphs back to Unicode. Tables have real grid lines so pdfplumber's
line-based table finder sees every cell. Output is byte-reproducible (reportlab invariant mode).
"""
from __future__ import annotations

import sys
from pathlib import Path

from reportlab import rl_config

rl_config.invariant = 1  # reproducible bytes (fixed dates and ids)

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import build_sites as B  # noqa: E402
import demo_data as D  # noqa: E402

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

BODY = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=19, firstLineIndent=22, wordWrap="CJK")
HEAD = ParagraphStyle("head", parent=BODY, fontSize=12, leading=22, spaceBefore=6)
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=28, alignment=TA_CENTER, spaceAfter=12)
SIGN = ParagraphStyle("sign", parent=BODY, alignment=TA_RIGHT, firstLineIndent=0)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, alignment=TA_CENTER, wordWrap="CJK")
CELL_L = ParagraphStyle("cell_l", parent=CELL, alignment=0)


def P(text, st=CELL):
    return Paragraph(str(text), st)


def grid_table(rows, spans, col_widths, font_size=8):
    """rows: list of lists (None = covered by a span); spans: [((c0, r0), (c1, r1))]."""
    data = [[("" if x is None else (x if not isinstance(x, str) else P(x))) for x in row] for row in rows]
    t = Table(data, colWidths=col_widths, repeatRows=0)
    style = [("FONTNAME", (0, 0), (-1, -1), FONT), ("FONTSIZE", (0, 0), (-1, -1), font_size),
             ("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
             ("ALIGN", (0, 0), (-1, -1), "CENTER"), ("TOPPADDING", (0, 0), (-1, -1), 2),
             ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    style += [("SPAN", a, b) for a, b in spans]
    t.setStyle(TableStyle(style))
    return t


def table2(c):
    """2019 table 二 on its 5-column grid (caption rows span 5; some headers span 2)."""
    rows, spans = [], []

    def add(row, sp=()):
        r = len(rows)
        rows.append(row)
        for c0, c1 in sp:
            spans.append(((c0, r), (c1, r)))

    v = lambda k: str(c[k])
    add(["第二十条第（一）项", None, None, None, None], [(0, 4)])
    add(["信息内容", "本年新制作数量", "本年新公开数量", None, "对外公开总数量"], [(2, 3)])
    for r, lab in (("rules", "规章"), ("normative", "规范性文件")):
        add([lab, v(f"t2.a20_1.{r}.made_new"), v(f"t2.a20_1.{r}.published_new"), None, v(f"t2.a20_1.{r}.public_total")], [(2, 3)])
    for blk, cap, items in (("a20_5", "第二十条第（五）项", (("license", "行政许可"), ("other_service", "其他对外管理服务事项"))),
                            ("a20_6", "第二十条第（六）项", (("penalty", "行政处罚"), ("coercion", "行政强制")))):
        add([cap, None, None, None, None], [(0, 4)])
        add(["信息内容", "上一年项目数量", None, "本年增/减", "处理决定数量"], [(1, 2)])
        for r, lab in items:
            add([lab, v(f"t2.{blk}.{r}.prev_items"), None, v(f"t2.{blk}.{r}.delta"), v(f"t2.{blk}.{r}.decisions")], [(1, 2)])
    add(["第二十条第（八）项", None, None, None, None], [(0, 4)])
    add(["信息内容", "上一年项目数量", None, "本年增/减", None], [(1, 2), (3, 4)])
    add(["行政事业性收费", v("t2.a20_8.fees.prev_items"), None, v("t2.a20_8.fees.delta"), None], [(1, 2), (3, 4)])
    add(["第二十条第（九）项", None, None, None, None], [(0, 4)])
    add(["信息内容", "采购项目数量", None, "采购总金额", None], [(1, 2), (3, 4)])
    add(["政府集中采购", v("t2.a20_9.central_proc.proc_items"), None, v("t2.a20_9.central_proc.proc_amount"), None], [(1, 2), (3, 4)])
    return grid_table(rows, spans, [130, 85, 45, 85, 125], font_size=9)


def table3(c):
    """table 三 on its 10-column grid with the official row/col spans (2019: 三、本年度办理结果 rowspan 20)."""
    v = "2019"
    rows, spans = [], []
    rows.append([B.T3_CORNER, None, None, "申请人情况", None, None, None, None, None, None])
    spans += [((0, 0), (2, 2)), ((3, 0), (9, 0))]
    rows.append([None, None, None, "自然人", "法人或其他组织", None, None, None, None, "总计"])
    spans += [((3, 1), (3, 2)), ((4, 1), (8, 1)), ((9, 1), (9, 2))]
    rows.append([None, None, None, None, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", None])
    vals = lambda r: [str(c[f"t3.{r}.{col}"]) for col in D.COLS]

    def label_row(lab3, r):
        rows.append(lab3 + vals(r))

    n = len(rows)
    label_row(["一、本年新收政府信息公开申请数量", None, None], "new"); spans.append(((0, n), (2, n)))
    n += 1
    label_row(["二、上年结转政府信息公开申请数量", None, None], "carry_in"); spans.append(((0, n), (2, n)))
    n += 1
    start = n
    for r in D.T3_LEAVES[v] + ["handled_total"]:
        n = len(rows)
        first = "三、本年度办理结果" if r == "open" else None
        if r in B.T3_GROUPS and r != "other_no_correction":
            g, k = B.T3_GROUPS[r]
            label_row([first, g, B.T3_LABELS[r]], r)
            spans.append(((1, n), (1, n + k - 1)))
        elif r in B.T3_IN_GROUP:
            label_row([first, None, B.T3_LABELS[r]], r)
        else:
            label_row([first, B.T3_LABELS[r], None], r)
            spans.append(((1, n), (2, n)))
    spans.append(((0, start), (0, len(rows) - 1)))
    n = len(rows)
    label_row(["四、结转下年度继续办理", None, None], "carry_out"); spans.append(((0, n), (2, n)))
    # label columns get left-aligned wrapping paragraphs
    for row in rows[3:]:
        for i in range(3):
            if isinstance(row[i], str):
                row[i] = P(row[i], CELL_L)
    return grid_table(rows, spans, [40, 62, 108] + [40] * 7, font_size=8)


def table4(c):
    five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    rows = [["行政复议"] + [None] * 4 + ["行政诉讼"] + [None] * 9,
            five + ["未经复议直接起诉"] + [None] * 4 + ["复议后起诉"] + [None] * 4,
            [None] * 5 + five * 2,
            [str(c[f"t4.cases.{k}"]) for k in D.T4_COLS]]
    spans = [((0, 0), (4, 0)), ((5, 0), (14, 0)), ((5, 1), (9, 1)), ((10, 1), (14, 1))]
    spans += [((i, 1), (i, 2)) for i in range(5)]
    return grid_table(rows, spans, [31.5] * 15, font_size=8)


def build(out: Path | None = None) -> Path:
    r = D.BY_ID["luwan_2020_pdf"]
    c = D.printed_cells(r)
    out = out or (B.SITES_DIR / r["site"] / r["attachment"].lstrip("/"))
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = SimpleDocTemplate(str(out), pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                            bottomMargin=18 * mm, title=r["title"], author="澜州市鹭湾区人民政府办公室",
                            subject="政府信息公开工作年度报告", creator="Microsoft Word")
    story = [Paragraph(r["title"], TITLE)]
    for kind, text in B.report_paragraphs(r):
        if kind == "h":
            if text.startswith("三、"):
                story.append(PageBreak())  # keep table 三 on one page
            story.append(Paragraph(text, HEAD))
        elif kind in ("p", "sub"):
            story.append(Paragraph(text, BODY))
        elif kind == "sign":
            story.append(Paragraph(text, SIGN))
        elif kind == "T2":
            story += [Spacer(1, 4), table2(c), Spacer(1, 8)]
        elif kind == "T3":
            story += [Spacer(1, 4), table3(c), Spacer(1, 8)]
        elif kind == "T4":
            story += [Spacer(1, 4), table4(c), Spacer(1, 8)]
    doc.build(story)
    return out


if __name__ == "__main__":
    p = build()
    print(f"wrote {p} ({p.stat().st_size} bytes)")
