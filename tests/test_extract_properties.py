"""Property tests: random template grids with random merges and blanks extract back to their values;
random corruption of a real page never raises anything but UnreadableDocument."""
from __future__ import annotations

import html as H
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcrawl import templates
from govcrawl.extract import UnreadableDocument, extract

PAGE = (Path(__file__).resolve().parent / "fixtures" / "extract" / "seed_yubei_2020.html").read_bytes()
NOISE = ["", " ", "\u00a0", "\u3000", "\n"]


def _label(draw, text: str) -> str:
    """A label as publishers mangle it: whitespace, <br>, spans, full/half-width brackets."""
    if draw(st.booleans()):
        text = text.replace("（", "(").replace("）", ")")
    if len(text) > 3 and draw(st.booleans()):
        i = draw(st.integers(1, len(text) - 1))
        sep = draw(st.sampled_from(["<br>", "<br/>", "</span><span>", " ", "\u00a0", "\n", "</p><p>"]))
        text = H.escape(text[:i]) + sep + H.escape(text[i:])
    else:
        text = H.escape(text)
    return f"<p class=MsoNormal><span>{text}</span><o:p></o:p></p>"


def _value(draw, v):
    if v is None:
        return draw(st.sampled_from(["", "&nbsp;", "\u3000"]))
    return draw(st.sampled_from(NOISE)) + str(v) + draw(st.sampled_from(NOISE))


def _td(content, rs=1, cs=1):
    return f"<td{f' rowspan={rs}' if rs > 1 else ''}{f' colspan={cs}' if cs > 1 else ''}>{content}</td>"


@st.composite
def report_page(draw):
    version = draw(st.sampled_from(templates.VERSIONS))
    tpl = templates.get(version)
    ints = st.one_of(st.none(), st.integers(0, 5000))
    values = {}
    for cid, meta in tpl.cells():
        if meta["col"].type == "money":
            values[cid] = draw(st.one_of(st.none(), st.decimals(0, 10**6, places=2, allow_nan=False)))
        elif meta["col"].type == "signed_int":
            values[cid] = draw(st.one_of(st.none(), st.integers(-500, 500)))
        else:
            values[cid] = draw(ints)
    # table 二: caption rows, header rows, data rows; value cells may absorb the grid's spare columns
    width = 4 if version == "2021" else draw(st.sampled_from([4, 5]))
    rows = []
    for b in tpl.table2:
        rows.append("<tr>" + _td(_label(draw, b.caption), cs=width) + "</tr>")
        spare = width - 1 - len(b.columns)
        spans = [1] * len(b.columns)
        if spare:
            spans[draw(st.integers(0, len(b.columns) - 1))] += spare
        rows.append("<tr>" + _td(_label(draw, "信息内容")) + "".join(
            _td(_label(draw, c.label), cs=s) for c, s in zip(b.columns, spans)) + "</tr>")
        for r in b.rows:
            rows.append("<tr>" + _td(_label(draw, r.label)) + "".join(
                _td(_value(draw, values[f"t2.{b.id}.{r.id}.{c.id}"]), cs=s) for c, s in zip(b.columns, spans)) + "</tr>")
    t2 = "<table border=1>" + "".join(rows) + "</table>"
    # table 三: header, then rows with vertical group merges; optionally split into two <table>s
    cols = [c.id for c in tpl.t3_columns]
    head = ["<tr>" + _td("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3) + _td("申请人情况", cs=7) + "</tr>",
            "<tr>" + _td(_label(draw, "自然人"), rs=2) + _td("法人或其他组织", cs=5) + _td(_label(draw, "总计"), rs=2) + "</tr>",
            "<tr>" + "".join(_td(_label(draw, x)) for x in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")) + "</tr>"]
    body = []
    groups = {}
    for r in tpl.t3_rows:
        groups.setdefault(r.parent, []).append(r)
    results = [r for r in tpl.t3_rows if r.parent not in (None,)]
    n_results = len(results)
    emitted_results = False
    emitted_group = set()
    pdf_style = draw(st.booleans())  # vertical merges as empty cells, as PDF table readers give them
    for r in tpl.t3_rows:
        cells = "".join(_td(_value(draw, values[f"t3.{r.id}.{c}"])) for c in cols)
        if r.parent is None:
            body.append("<tr>" + _td(_label(draw, r.label), cs=3) + cells + "</tr>")
            continue
        lead = ""
        if not emitted_results:
            lead += _td(_label(draw, "三、本年度办理结果"), rs=1 if pdf_style else n_results)
            emitted_results = True
        elif pdf_style:
            lead += _td("")
        if r.parent == "g_results":
            lead += _td(_label(draw, r.label), cs=2)
        else:
            if r.parent not in emitted_group:
                lbl = tpl.t3_groups[r.parent][0]
                lead += _td(_label(draw, lbl), rs=1 if pdf_style else len(groups[r.parent]))
                emitted_group.add(r.parent)
            elif pdf_style:
                lead += _td("")
            lead += _td(_label(draw, r.label))
        body.append("<tr>" + lead + cells + "</tr>")
    if pdf_style and draw(st.booleans()):  # split over two tables, the second without a header
        cut = draw(st.integers(1, len(body) - 1))
        t3 = ("<table border=1>" + "".join(head + body[:cut]) + "</table><p>- 3 -</p><table border=1>"
              + "".join(body[cut:]) + "</table>")
    else:
        t3 = "<table border=1>" + "".join(head + body) + "</table>"
    # table 四
    t4cols = [c.id for c in tpl.t4_columns]
    leaves = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    t4 = ("<table border=1><tr>" + _td("行政复议", cs=5) + _td("行政诉讼", cs=10) + "</tr><tr>"
          + "".join(_td(_label(draw, x), rs=2) for x in leaves) + _td("未经复议直接起诉", cs=5) + _td("复议后起诉", cs=5)
          + "</tr><tr>" + "".join(_td(_label(draw, x)) for x in leaves * 2) + "</tr><tr>"
          + "".join(_td(_value(draw, values[f"t4.cases.{c}"])) for c in t4cols) + "</tr></table>")
    year = 2020 if version == "2019" else 2023
    page = (f"<html><head><title>某某局{year}年政府信息公开工作年度报告</title></head><body><div class=TRS_Editor>"
            f"<p>一、总体情况</p><p>正文。</p><p>二、主动公开政府信息情况</p>{t2}<p>三、收到和处理政府信息公开申请情况</p>{t3}"
            f"<p>四、政府信息公开行政复议、行政诉讼情况</p>{t4}<p>五、存在的主要问题及改进情况</p><p>无。</p>"
            f"<p>六、其他需要报告的事项</p><p>无。</p></div></body></html>")
    return version, values, page


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(report_page())
def test_random_template_grids_extract_back_to_their_values(case):
    version, values, page = case
    rep = extract(page.encode("utf-8"))
    assert rep.template == version
    got = {k: c["value"] for k, c in rep.cells.items()}
    assert got == values
    for k, c in rep.cells.items():
        assert (c["null_reason"] == "blank") == (values[k] is None)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["cut", "insert", "delete", "flip"]), st.integers(0, len(PAGE)),
                          st.binary(max_size=64)), min_size=1, max_size=6))
def test_random_corruption_of_a_real_page_never_raises(ops):
    data = bytearray(PAGE)
    for op, pos, blob in ops:
        pos = min(pos, len(data))
        if op == "cut":
            data = data[:pos]
        elif op == "insert":
            data[pos:pos] = blob
        elif op == "delete":
            del data[pos:pos + len(blob) * 50]
        elif data:
            data[pos % len(data)] ^= 0xFF
    try:
        rep = extract(bytes(data))
    except UnreadableDocument:
        return
    rep.to_dict()
