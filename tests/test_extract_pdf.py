"""read_pdf: real WPS reports from the corpus plus a generated PDF that reproduces their traps
(white background boxes behind text, a table cut by a page break with no closing rule, a
vertical merged header, page-number footers) so the behaviour is pinned without the corpus."""
from __future__ import annotations

import io
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcrawl.extract.document import Paragraph, Table
from govcrawl.extract.pdf import read_pdf, tidy, unreadable_error

HEADINGS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def grid(table: Table) -> list[list[str]]:
    """Resolve spans: every covered position repeats the text of the cell that covers it."""
    out: list[list[str | None]] = []
    for r, row in enumerate(table.rows):
        while len(out) <= r:
            out.append([])
        c = 0
        for cell in row:
            while c < len(out[r]) and out[r][c] is not None:
                c += 1
            for i in range(cell.rowspan):
                while len(out) <= r + i:
                    out.append([])
                line = out[r + i]
                while len(line) < c + cell.colspan:
                    line.append(None)
                for j in range(cell.colspan):
                    line[c + j] = cell.text
            c += cell.colspan
    return [[t or "" for t in line] for line in out]


def table_rows(doc) -> list[list[str]]:
    return [row for b in doc.blocks if isinstance(b, Table) for row in grid(b)]


def row_with(doc, label: str) -> list[str]:
    hits = [row for row in table_rows(doc) if any(label in cell for cell in row)]
    assert hits, f"no table row labelled {label!r}"
    return hits[0]


def numbers(row: list[str]) -> list[str]:
    return [c for c in row if c.replace(".", "").isdigit()]


# --- the two 淮安市洪泽区 reports ---------------------------------------------------------------

@pytest.fixture(scope="module")
def hongze():
    cache = {}

    def load(corpus_dir, year):
        if year not in cache:
            cache[year] = read_pdf((corpus_dir / f"jiangsu/hongze_district_{year}.pdf").read_bytes())
        return cache[year]

    return load


@pytest.mark.parametrize("year,new,partly,granted,t4", [
    (2023, "21", "4", "0", ["10", "1", "0", "0", "0", "0", "0", "0", "0", "0", "5", "0", "0", "0", "0"]),
    (2024, "95", "9", "50", ["1", "1", "0", "0", "2", "1", "0", "0", "0", "1", "2", "0", "1", "0", "3"]),
])
def test_hongze_tables_hold_ground_truth(corpus_dir, hongze, year, new, partly, granted, t4):
    doc = hongze(corpus_dir, year)
    assert doc.format == "pdf" and not doc.warnings
    assert numbers(row_with(doc, "一、本年新收政府信息公开申请数量")) == [new, "0", "0", "0", "0", "0", new]
    assert numbers(row_with(doc, "二、上年结转政府信息公开申请数量")) == ["0"] * 7
    assert numbers(row_with(doc, "（一）予以公开"))[-1] == granted
    assert numbers(row_with(doc, "（二）部分公开"))[-1] == partly
    assert numbers(row_with(doc, "（七）总计")) == [new, "0", "0", "0", "0", "0", new]
    assert numbers(row_with(doc, "四、结转下年度继续办理")) == ["0"] * 7
    assert "2.其他法律行政止公开" in {c for row in table_rows(doc) for c in row}  # typo kept as printed
    # table 四: one unlabeled row of 15 numbers, printed totals as printed (2023 is inconsistent)
    assert [r for r in table_rows(doc) if len(r) == 15 and numbers(r) == r] == [t4]
    t2 = row_with(doc, "行政规范性文件")
    assert numbers(t2) == (["0", "5", "5"] if year == 2023 else ["3", "0", "8"])


def test_hongze_table_three_shape(corpus_dir, hongze):
    doc = hongze(corpus_dir, 2023)
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    first, second = (t for t in tables if any("三、本年度办理结果" in c.text or "（七）总计" in c.text
                                              for row in t.rows for c in row))
    corner = first.rows[0][0]
    assert corner.text.startswith("（本列数据的勾稽关系为") and (corner.rowspan, corner.colspan) == (3, 3)
    assert (first.rows[0][1].text, first.rows[0][1].colspan) == ("申请人情况", 7)
    vertical = next(c for row in first.rows for c in row if c.text == "三、本年度办理结果")
    assert vertical.rowspan == 12  # down to the page break
    assert {len(row) for row in grid(first)} == {10} and {len(row) for row in grid(second)} == {10}
    # the continuation on page 4 starts with an (empty) carried-over label, not with junk
    assert grid(second)[0][:3] == ["", "", "3.补正后申请内容仍不明确"]
    assert tables.index(second) == tables.index(first) + 1
    between = doc.blocks[doc.blocks.index(first) + 1: doc.blocks.index(second)]
    assert between == []


@pytest.mark.parametrize("year", [2023, 2024])
def test_hongze_paragraphs(corpus_dir, hongze, year):
    doc = hongze(corpus_dir, year)
    paragraphs = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    for heading in HEADINGS:
        assert heading in paragraphs
    assert doc.title.endswith(f"{year}年政府信息公开工作年度报告")
    assert paragraphs[0] == doc.title
    assert "洪泽区" in doc.meta["Title"] or doc.meta["Title"] == "政府信息公开工作年度报告"
    everything = paragraphs + [c for row in table_rows(doc) for c in row]
    assert not [t for t in everything if t.strip("- ").isdigit() and "-" in t]  # "- 3 -" footers
    # nothing from inside a table comes out again as running text
    for label in ("本年新收政府信息公开申请数量", "第二十条第", "结果维持", "行政事业性收费"):
        assert not [p for p in paragraphs if label in p]
    # wrapped lines are joined, across the page break too, without justification spaces
    assert any(p.startswith("加强区政府门户网站") and "严格执行“分级审核" in p for p in paragraphs) or year == 2024
    assert not [p for p in paragraphs if " " in p and "@" not in p]


def test_time_per_page(corpus_dir):
    data = (corpus_dir / "jiangsu/hongze_district_2023.pdf").read_bytes()
    started = time.perf_counter()
    read_pdf(data)
    assert (time.perf_counter() - started) / 5 < 2.0


@pytest.mark.parametrize("fraction", [0.0, 0.01, 0.3, 0.6, 0.9, 0.999])
def test_truncated_corpus_pdf(corpus_dir, fraction):
    data = (corpus_dir / "jiangsu/hongze_district_2024.pdf").read_bytes()
    started = time.perf_counter()
    try:
        doc = read_pdf(data[: int(len(data) * fraction)])
    except unreadable_error():
        return
    finally:
        assert time.perf_counter() - started < 10
    assert doc.warnings and "truncated" in doc.warnings[0]
    assert doc.blocks


# --- a generated report with the same traps ---------------------------------------------------

W, H = 595, 842
XS = [72, 96, 170, 300, 330, 360, 390, 420, 450, 480, 523]  # 10 columns: 3 labels + 7 values


def _report_pdf() -> bytes:
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H))

    def text(x, top, s, size=12):
        c.setFont("STSong-Light", size)
        c.drawString(x, H - top - size, s)

    def background(top, bottom, x0=72, x1=523):  # WPS paints white boxes behind everything
        c.setFillColorRGB(1, 1, 1)
        c.rect(x0, H - bottom, x1 - x0, bottom - top, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)

    def rule(x0, top, x1, bottom):
        c.setLineWidth(0.5)
        c.line(x0, H - top, x1, H - bottom)

    def cell(top, bottom, c0, c1, s="", sides="tblr"):
        x0, x1 = XS[c0], XS[c1]
        background(top, bottom, x0, x1)
        for side, (a, b, d, e) in {"t": (x0, top, x1, top), "b": (x0, bottom, x1, bottom),
                                   "l": (x0, top, x0, bottom), "r": (x1, top, x1, bottom)}.items():
            if side in sides:
                rule(a, b, d, e)
        if s:
            text(x0 + 2, top + 3, s, 9)

    c.setFont("STSong-Light", 20)
    c.drawCentredString(W / 2, H - 90, "测试区人民政府")
    c.drawCentredString(W / 2, H - 120, "2023年政府信息公开工作年度报告")
    body = "本年度本机关共收到政府信息公开申请二十一件，均已在法定期限内予以"
    lines = [(96, "一、总体情况"), (96, body), (72, "答复，办理结果详见下表。")]
    for i, (x, s) in enumerate(lines):
        background(150 + 20 * i, 168 + 20 * i)
        text(x, 150 + 20 * i, s)
    text(96, 230, "三、收到和处理政府信息公开申请情况")
    top = 260
    cell(top, top + 20, 0, 3, "一、本年新收政府信息公开申请数量")
    for k, v in enumerate(["21", "0", "0", "0", "0", "0", "21"]):
        cell(top, top + 20, 3 + k, 4 + k, v)
    rows = [("（一）予以公开", ["0"] * 7), ("（二）部分公开", ["4", "0", "0", "0", "0", "0", "4"])]
    rows += [(f"{k}.填充行", ["1", "0", "0", "0", "0", "0", "1"]) for k in range(1, 24)]
    bottom = top + 20 + 20 * len(rows)  # 780: the table runs into the page break
    cell(top + 20, bottom, 0, 1, "", sides="tlr")  # 三、本年度办理结果, left open at the bottom
    for k, ch in enumerate("三、本"):
        text(78, 300 + 12 * k, ch, 9)
    for n, (label, values) in enumerate(rows):
        y = top + 20 + 20 * n
        sides = "tlr" if n == len(rows) - 1 else "tblr"
        if label.startswith("（"):
            cell(y, y + 20, 1, 3, label, sides)
        else:  # items under a group: label columns 2 and 3 are separate cells
            cell(y, y + 20, 1, 2, "", sides)
            cell(y, y + 20, 2, 3, label, sides)
        for k, v in enumerate(values):
            cell(y, y + 20, 3 + k, 4 + k, v, sides)
    text(450, H - 40, "- 1 -", 10)
    c.showPage()
    # page 2: the continuation has no top rule over the still-open label columns
    y = 72
    cell(y, y + 40, 0, 1, "", sides="blr")
    cell(y, y + 20, 1, 3, "（七）总计")
    for k, v in enumerate(["21", "0", "0", "0", "0", "0", "21"]):
        cell(y, y + 20, 3 + k, 4 + k, v)
    cell(y + 20, y + 40, 1, 2, "（八）")
    cell(y + 20, y + 40, 2, 3, "1.虚构行")
    for k in range(7):
        cell(y + 20, y + 40, 3 + k, 4 + k, "0")
    cell(y + 40, y + 60, 0, 3, "四、结转下年度继续办理")
    for k in range(7):
        cell(y + 40, y + 60, 3 + k, 4 + k, "0")
    text(96, 160, "六、其他需要报告的事项")
    text(96, 180, "无。")
    text(100, H - 40, "- 2 -", 10)
    c.setTitle("测试区人民政府2023年政府信息公开工作年度报告")
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def generated() -> bytes:
    return _report_pdf()


def test_generated_report(generated):
    doc = read_pdf(generated)
    assert doc.title == "测试区人民政府2023年政府信息公开工作年度报告"
    assert doc.meta["Title"] == doc.title
    paragraphs = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert paragraphs == [doc.title, "一、总体情况",
                          "本年度本机关共收到政府信息公开申请二十一件，均已在法定期限内予以答复，办理结果详见下表。",
                          "三、收到和处理政府信息公开申请情况", "六、其他需要报告的事项", "无。"]
    tables = [b for b in doc.blocks if isinstance(b, Table)]
    assert len(tables) == 2 and [t.source for t in tables] == ["pdf:p1", "pdf:p2"]
    first, second = tables
    assert first.rows[0][0].text == "一、本年新收政府信息公开申请数量" and first.rows[0][0].colspan == 3
    vertical = first.rows[1][0]
    assert vertical.text == "三、本" and vertical.rowspan == len(first.rows) - 1  # closed at the break
    assert {len(r) for r in grid(first)} == {10} and {len(r) for r in grid(second)} == {10}
    assert grid(second)[0][:3] == ["", "（七）总计", "（七）总计"]
    assert numbers(grid(second)[0]) == ["21", "0", "0", "0", "0", "0", "21"]
    assert grid(second)[-1][0] == "四、结转下年度继续办理"
    assert doc.blocks.index(second) == doc.blocks.index(first) + 1  # no footer between fragments


def test_tidy():
    assert tidy("总 计") == "总计"
    assert tidy("2023 年 1 月") == "2023年1月"
    assert tidy("商业\n企业") == "商业企业"
    assert tidy("hzzwgk@126.com ）") == "hzzwgk@126.com）"
    assert tidy("Open Data  Report") == "Open Data Report"


@pytest.mark.parametrize("junk", [b"", b"hello", b"%PDF-1.4\n" + b"\x00" * 500, b"PK\x03\x04junk"])
def test_garbage_is_unreadable(junk):
    with pytest.raises(unreadable_error()):
        read_pdf(junk)


def test_truncated_generated(generated):
    for cut in range(0, len(generated), max(1, len(generated) // 25)):
        started = time.perf_counter()
        try:
            doc = read_pdf(generated[:cut])
        except unreadable_error():
            continue
        assert time.perf_counter() - started < 10
        assert isinstance(doc.blocks, list)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0), flips=st.lists(st.tuples(st.integers(0), st.integers(0, 255)),
                                                    max_size=8))
def test_fuzzed_pdf_only_raises_unreadable(generated, cut, flips):
    data = bytearray(generated[: cut % (len(generated) + 1)])
    for pos, value in flips:
        if data:
            data[pos % len(data)] = value
    try:
        doc = read_pdf(bytes(data))
    except unreadable_error():
        return
    assert doc.format == "pdf"


def test_framed_text_box_stays_text():
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(W, H))
    c.rect(70, H - 200, 455, 120, stroke=1, fill=0)
    c.setFont("STSong-Light", 12)
    c.drawString(96, H - 110, "一、总体情况")
    c.drawString(96, H - 140, "本年度无依申请公开事项。")
    c.save()
    doc = read_pdf(buf.getvalue())
    assert [b.text for b in doc.blocks] == ["一、总体情况", "本年度无依申请公开事项。"]
