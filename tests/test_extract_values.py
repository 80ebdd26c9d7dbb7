"""Values, labels, charsets and grids: the small pieces every format relies on."""
from __future__ import annotations

import codecs
from decimal import Decimal

import pytest

from govcrawl.extract import labels as L
from govcrawl.extract import values as V
from govcrawl.extract.decode import decode
from govcrawl.extract.document import Cell, Table
from govcrawl.extract.grid import resolve


@pytest.mark.parametrize("raw,value", [("1 ", 1), ("\u00a00", 0), ("3\u3000\u3000", 3), ("1,234", 1234), ("０", 0)])
def test_counts_parse_through_padding_and_separators(raw, value):
    assert V.parse(raw).value == value


@pytest.mark.parametrize("raw,value,src", [("139.8万元", "139.8", "万元"), ("251000元", "25.1", "元"),
                                           ("75394432.52元", "7539.443252", "元"), ("73802895.90元", "7380.28959", "元"),
                                           ("24252.311082", "24252.311082", None)])
def test_money_is_an_exact_decimal_in_wan_yuan(raw, value, src):
    v = V.parse(raw, "money", "万元")
    assert isinstance(v.value, Decimal) and V.fmt_decimal(v.value) == value
    assert v.unit == "万元" and v.source_unit == src


def test_signed_deltas_parse():
    assert V.parse("-185", "signed_int").value == -185
    assert V.parse("+1036", "signed_int").value == 1036


@pytest.mark.parametrize("raw,reason", [("", "blank"), ("\u00a0", "blank"), ("/", "not_applicable"),
                                        ("-", "not_applicable"), ("—", "not_applicable"), ("无", "not_applicable"),
                                        ("--", "not_applicable"), ("N/A", "not_applicable"), ("约5件", "unparsed")])
def test_null_tokens_are_null_with_a_reason_never_zero(raw, reason):
    v = V.parse(raw)
    assert v.value is None and v.null_reason == reason


def test_labels_match_across_width_whitespace_quotes_and_brackets():
    assert L.key("3.危及“三安全一稳定”") == L.key("3.危及'三安全一稳定'") == L.key('3. 危及"三安全一稳定"')
    assert L.key("第二十条第(一)项") == L.key("第二十条第（一）项")
    assert L.key("商业\u00a0企业") == L.key("商业\n企业") == L.key("商业\u3000企业")
    assert L.core("（三）不予公开") == "不予公开" and L.numbering("2.重复申请") == "2"
    assert L.label_text("本年新\n制作数量") == "本年新制作数量"


@pytest.mark.parametrize("enc", ["utf-8", "gb18030", "gbk"])
@pytest.mark.parametrize("declared", [None, "header", "meta", "wrong"])
def test_charset_from_header_meta_or_nowhere_prefers_what_decodes(enc, declared):
    body = "<p>政府信息公开工作年度报告 镕</p>"
    meta = {"meta": f'<meta charset="{enc}">', "wrong": '<meta charset="utf-8">'}.get(declared, "")
    if declared == "wrong":
        enc = "gb18030"
    data = f"<html><head>{meta}</head><body>{body}</body></html>".encode(enc)
    text, _used, _w = decode(data, f"text/html; charset={enc}" if declared == "header" else None)
    assert body in text


def test_bom_wins():
    text, used, _ = decode(codecs.BOM_UTF8 + "年度报告".encode("utf-8"), "text/html; charset=gbk")
    assert text == "年度报告" and used == "utf-8"


def test_grid_copies_merged_cells_into_every_position_they_cover():
    t = Table([[Cell("a", rowspan=2), Cell("b", colspan=2)], [Cell("c"), Cell("d")]])
    g = resolve(t)
    assert g.rows == [["a", "b", "b"], ["a", "c", "d"]]
    assert g.origin == [[True, True, False], [False, True, True]]


def test_grid_caps_hostile_spans():
    g = resolve(Table([[Cell("x", rowspan=10**9, colspan=10**6)]]))
    assert len(g.rows) == 1 and g.width <= 64
