"""read_docx: a report built here with python-docx (title, sections, table 三 with vertical and
horizontal merges) must round-trip with its spans; hostile archives (zip bombs, entity bombs,
junk) are refused quickly with UnreadableDocument or a warning, never another exception."""
from __future__ import annotations

import io
import time
import zipfile

import pytest

from govcrawl.extract.docx import MAX_PART_BYTES, read_docx
from govcrawl.extract.document import Paragraph, Table
from govcrawl.extract.pdf import unreadable_error

docx = pytest.importorskip("docx")

GROUPS = [("（三）不予公开", ["1.属于国家秘密", "2.其他法律行政法规禁止公开"]),
          ("（四）无法提供", ["1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"])]


def build_report() -> bytes:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    d.core_properties.title = "测试局2023年政府信息公开工作年度报告"
    d.core_properties.author = "测试局办公室"
    for line in ("测试局", "2023年政府信息公开工作年度报告"):
        d.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.CENTER
    d.add_paragraph("本报告依据《中华人民共和国政府信息公开条例》编制。")
    d.add_paragraph("一、总体情况")
    d.add_paragraph("2023年，本局收到政府信息公开申请7件。")
    d.add_paragraph("三、收到和处理政府信息公开申请情况")
    body_rows = 2 + 1 + sum(len(items) for _, items in GROUPS) + 1
    t = d.add_table(rows=3 + body_rows, cols=10)
    t.cell(0, 0).merge(t.cell(2, 2)).text = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    t.cell(0, 3).merge(t.cell(0, 9)).text = "申请人情况"
    t.cell(1, 3).merge(t.cell(2, 3)).text = "自然人"
    t.cell(1, 4).merge(t.cell(1, 8)).text = "法人或其他组织"
    t.cell(1, 9).merge(t.cell(2, 9)).text = "总计"
    for k, name in enumerate(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]):
        t.cell(2, 4 + k).text = name
    r = 3
    t.cell(r, 0).merge(t.cell(r, 2)).text = "一、本年新收政府信息公开申请数量"
    t.cell(r + 1, 0).merge(t.cell(r + 1, 2)).text = "二、上年结转政府信息公开申请数量"
    first_result = r + 2
    t.cell(first_result, 1).merge(t.cell(first_result, 2)).text = "（一）予以公开"
    r = first_result + 1
    for group, items in GROUPS:
        t.cell(r, 1).merge(t.cell(r + len(items) - 1, 1)).text = group
        for k, item in enumerate(items):
            t.cell(r + k, 2).text = item
        r += len(items)
    t.cell(first_result, 0).merge(t.cell(r - 1, 0)).text = "三、本年度办理结果"
    t.cell(r, 0).merge(t.cell(r, 2)).text = "四、结转下年度继续办理"
    for row in range(3, 3 + body_rows):
        for col, value in enumerate(["5", "0", "0", "0", "0", "2", "7"]):
            t.cell(row, 3 + col).text = value
    d.add_paragraph("六、其他需要报告的事项")
    d.add_paragraph("无。")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def report():
    return read_docx(build_report())


def test_blocks_in_body_order(report):
    kinds = [(type(b).__name__, b.text if isinstance(b, Paragraph) else b.source) for b in report.blocks]
    assert kinds == [("Paragraph", "测试局2023年政府信息公开工作年度报告"),
                     ("Paragraph", "本报告依据《中华人民共和国政府信息公开条例》编制。"),
                     ("Paragraph", "一、总体情况"), ("Paragraph", "2023年，本局收到政府信息公开申请7件。"),
                     ("Paragraph", "三、收到和处理政府信息公开申请情况"), ("Table", "docx"),
                     ("Paragraph", "六、其他需要报告的事项"), ("Paragraph", "无。")]
    assert report.format == "docx" and not report.warnings
    assert report.title == "测试局2023年政府信息公开工作年度报告"
    assert report.meta["Title"] == report.title and report.meta["Author"] == "测试局办公室"


def test_table_spans(report):
    table = next(b for b in report.blocks if isinstance(b, Table))
    spans = [[(c.text, c.rowspan, c.colspan) for c in row] for row in table.rows]
    assert spans[0] == [("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
                        ("申请人情况", 1, 7)]
    assert spans[1] == [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)]
    assert [t for t, _, _ in spans[2]] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert spans[3][0] == ("一、本年新收政府信息公开申请数量", 1, 3)
    assert spans[5][:2] == [("三、本年度办理结果", 6, 1), ("（一）予以公开", 1, 2)]
    assert spans[6][:2] == [("（三）不予公开", 2, 1), ("1.属于国家秘密", 1, 1)]
    assert spans[7][0] == ("2.其他法律行政法规禁止公开", 1, 1)
    assert spans[8][:2] == [("（四）无法提供", 3, 1), ("1.本机关不掌握相关政府信息", 1, 1)]
    assert spans[-1][0] == ("四、结转下年度继续办理", 1, 3)
    for row in spans[3:]:
        assert [t for t, _, _ in row[-7:]] == ["5", "0", "0", "0", "0", "2", "7"]
    # every row covers the 10 grid columns once the spans are resolved
    from tests.test_extract_pdf import grid

    assert {len(row) for row in grid(table)} == {10}


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buf.getvalue()


def _patch_declared_size(data: bytes, name: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size a zip declares for one member (local and central headers)."""
    out = bytearray(data)
    for sig, off_size, off_name_len, off_name in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        pos = out.find(sig)
        while pos >= 0:
            n = int.from_bytes(out[pos + off_name_len: pos + off_name_len + 2], "little")
            if bytes(out[pos + off_name: pos + off_name + n]) == name:
                out[pos + off_size: pos + off_size + 4] = size.to_bytes(4, "little")
            pos = out.find(sig, pos + 4)
    return bytes(out)


def test_zip_bomb_refused_from_declared_size():
    bomb = _zip({"[Content_Types].xml": b"<Types/>",
                 "word/document.xml": b"<" + b" " * (MAX_PART_BYTES + 10) + b"/>"})
    assert len(bomb) < 200_000
    started = time.perf_counter()
    with pytest.raises(unreadable_error()) as err:
        read_docx(bomb)
    assert "declares" in str(err.value)
    assert time.perf_counter() - started < 1.0


def test_zip_bomb_with_lying_size_is_still_bounded():
    real = _zip({"word/document.xml": b"<" + b" " * (MAX_PART_BYTES + 10) + b"/>"})
    lying = _patch_declared_size(real, b"word/document.xml", 1000)
    started = time.perf_counter()
    with pytest.raises(unreadable_error()):
        read_docx(lying)
    assert time.perf_counter() - started < 5.0


def test_entity_bomb_not_expanded():
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lololololol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10)
                         for i in range(9))
              + b']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
              b"<w:body><w:p><w:r><w:t>&lol8;</w:t></w:r></w:p><w:p><w:r><w:t>ok</w:t></w:r></w:p>"
              b"</w:body></w:document>")
    started = time.perf_counter()
    try:
        doc = read_docx(_zip({"word/document.xml": laughs}))
    except unreadable_error():
        return
    assert time.perf_counter() - started < 2.0
    assert sum(len(b.text) for b in doc.blocks if isinstance(b, Paragraph)) < 1000


@pytest.mark.parametrize("data", [b"", b"not a zip", b"PK\x03\x04" + b"\x00" * 100,
                                  _zip({"word/other.xml": b"<x/>"}),
                                  _zip({"word/document.xml": b"<w:document"})])
def test_junk_is_unreadable(data):
    with pytest.raises(unreadable_error()):
        read_docx(data)


def test_truncated_docx():
    data = build_report()
    for cut in range(0, len(data), max(1, len(data) // 20)):
        try:
            doc = read_docx(data[:cut])
        except unreadable_error():
            continue
        assert doc.format == "docx"


def test_sdt_tab_break_and_fallback():
    xml = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
           b'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>'
           b"<w:sdt><w:sdtContent><w:p><w:r><w:t>A</w:t><w:tab/><w:t>B</w:t><w:br/><w:t>C</w:t></w:r>"
           b"</w:p></w:sdtContent></w:sdt>"
           b"<w:p><w:r><mc:AlternateContent><mc:Choice><w:t>box</w:t></mc:Choice>"
           b"<mc:Fallback><w:t>box</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>"
           b"<w:tbl><w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p>"
           b"</w:tc></w:tr><w:tr><w:tc><w:p/></w:tc><w:tc><w:tcPr><w:hMerge w:val=\"restart\"/></w:tcPr>"
           b"<w:p><w:r><w:t>y</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:hMerge/></w:tcPr><w:p/></w:tc></w:tr>"
           b"</w:tbl></w:body></w:document>")
    doc = read_docx(_zip({"word/document.xml": xml}))
    assert [b.text for b in doc.blocks if isinstance(b, Paragraph)] == ["A\tB\nC", "box"]
    table = doc.blocks[-1]
    assert [[(c.text, c.colspan) for c in row] for row in table.rows] == [[("", 1), ("x", 1)],
                                                                          [("", 1), ("y", 2)]]
