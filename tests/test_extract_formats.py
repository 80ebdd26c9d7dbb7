"""Every attachment format reaches the same table mapper: Word 97-2003 / WPS, xls / xlsx, pictures of
tables (PNG, image-only PDF) by OCR. The binary fixtures are the demo mirror's format site (lztj),
generated from the demo's own figures by data/demo/make_formats.py; the expected cells are the
figures they were generated from (data/demo/cells/*.json)."""
from __future__ import annotations

import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from govcrawl.crawl import content
from govcrawl.extract import UnreadableDocument, extract, read_document
from govcrawl.extract.document import Table
from govcrawl.extract.grid import resolve
from govcrawl.extract.sniff import sniff
from govcrawl.extract.values import OCR_CONFIDENCE, OCR_UNCERTAIN, parse

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
SITE = DEMO / "sites" / "lztj" / "zwgk" / "zfxxgknb"
DOC = SITE / "202001" / "P020200121536204118832.doc"
WPS = SITE / "202101" / "P020210126402937715309.wps"
XLS = SITE / "202201" / "P020220125611873290457.xls"
XLSX = SITE / "202201" / "P020220125611873290458.xlsx"
T4_PNG = SITE / "202301" / "W020230130318274650193.png"


def expected(report_id: str) -> dict:
    return json.loads((DEMO / "cells" / f"{report_id}.json").read_text(encoding="utf-8"))


def same(value, want) -> bool:
    if value is None or want is None:
        return value is None and want is None
    return Decimal(str(value)) == Decimal(str(want))


@pytest.mark.parametrize("path, report_id, reader", [
    (DOC, "lztj_2019_doc", "doc"), (WPS, "lztj_2020_wps", "doc"),
    (XLS, "lztj_2021_xls", "xls"), (XLSX, "lztj_2021_xls", "xlsx"),
])
def test_office_formats_give_exactly_the_cells_they_were_made_from(path, report_id, reader):
    rep = extract(path.read_bytes(), filename=path.name).to_dict()
    assert rep["reader"] == reader and rep["kind"] == "report"
    want = expected(report_id)
    wrong = {k: (v, rep["cells"][k]["value"]) for k, v in want.items() if not same(rep["cells"][k]["value"], v)}
    assert wrong == {}
    assert not [c for c in rep["checks"] if c["status"] == "fail"]
    assert not [w for w in rep["warnings"] if "does not match its content" in w]


def test_word_binary_keeps_the_tables_spans():
    doc = read_document(DOC.read_bytes())
    t3 = next(b for b in doc.blocks if isinstance(b, Table) and "申请人情况" in str(b.rows[0]))
    spans = {c.text: (c.rowspan, c.colspan) for row in t3.rows for c in row}
    assert spans["申请人情况"] == (1, 7)
    assert spans["三、本年度办理结果"][0] >= 19  # the vertical group label spans every result row
    assert doc.title == "澜州市统计局2019年政府信息公开工作年度报告"


def test_sniffer_is_shared_and_tells_compound_files_apart():
    assert sniff(DOC.read_bytes()) == sniff(WPS.read_bytes()) == "doc"
    assert sniff(XLS.read_bytes()) == "xls" and sniff(XLSX.read_bytes()) == "xlsx"
    assert sniff(T4_PNG.read_bytes()) == "png"
    assert content.sniff_mime(DOC.read_bytes(), "application/octet-stream") == "application/msword"
    assert content.sniff_mime(XLS.read_bytes(), "text/html") == "application/vnd.ms-excel"
    junk_ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert sniff(junk_ole) == "ole"
    with pytest.raises(UnreadableDocument, match="compound"):
        extract(junk_ole)


def _patched_fib(tmp_path, offset: int, value: int) -> bytes:
    """The demo .doc with one 16-bit FIB field rewritten in place."""
    import olefile

    copy = tmp_path / "x.doc"
    shutil.copy(DOC, copy)
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[offset:offset + 2] = value.to_bytes(2, "little")
        ole.write_stream("WordDocument", bytes(stream))
    return copy.read_bytes()


def test_encrypted_and_word95_files_are_refused_with_the_reason(tmp_path):
    with pytest.raises(UnreadableDocument, match="encrypted"):
        extract(_patched_fib(tmp_path, 0x0A, 0x0100 | 0x0200))
    with pytest.raises(UnreadableDocument, match="needs converter"):
        extract(_patched_fib(tmp_path, 0x02, 100))


def test_a_sheet_is_cut_into_captions_and_tables_with_merges():
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["测试局2023年政府信息公开工作年度报告统计表"])
    ws.append([])
    ws.append(["四、政府信息公开行政复议、行政诉讼情况"])
    ws.append(["行政复议"] + [None] * 4 + ["行政诉讼"] + [None] * 9)
    ws.append(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"] + [None] * 4
              + ["复议后起诉"] + [None] * 4)
    ws.append([None] * 5 + ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
    ws.append([2.0, 0, 1, 0, 3.0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    ws.merge_cells("A4:E4")
    ws.merge_cells("F4:O4")
    ws.merge_cells("F5:J5")
    ws.merge_cells("K5:O5")
    for col in "ABCDE":
        ws.merge_cells(f"{col}5:{col}6")
    buf = io.BytesIO()
    wb.save(buf)
    doc = read_document(buf.getvalue())
    assert doc.reader == "xlsx"
    texts = [b.text for b in doc.blocks if not isinstance(b, Table)]
    assert texts == ["测试局2023年政府信息公开工作年度报告统计表", "四、政府信息公开行政复议、行政诉讼情况"]
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    assert table.rows[0][0].colspan == 5 and table.rows[1][0].rowspan == 2
    assert resolve(table).rows[-1][:5] == ["2", "0", "1", "0", "3"]


def test_a_low_confidence_figure_becomes_null_not_a_number():
    from govcrawl.extract.ocr import UNCERTAIN_BELOW, _cell

    def text(*args):
        return _cell(*args).text.split(OCR_CONFIDENCE, 1)[0]

    assert text("6", UNCERTAIN_BELOW - 0.1, 1, 1) == OCR_UNCERTAIN + "6"
    assert text("6", 0.999, 1, 1) == "6"
    assert text("..0", 0.999, 1, 1) == OCR_UNCERTAIN + "0"  # stray scan marks around a figure
    assert text("3.65", 0.999, 1, 1) == "3.65"
    v = parse(OCR_UNCERTAIN + "6")
    assert v.value is None and v.null_reason == "ocr_uncertain" and v.raw == "6"
    assert parse(_cell("6", 0.999, 1, 1).text).value == 6  # the confidence rides along, unparsed


def test_an_identity_confirms_an_uncertain_reading_and_only_a_matching_one():
    from govcrawl.extract.ocr import settle_uncertain
    from govcrawl.extract.report import ExtractedReport

    def report(total_raw):
        rep = ExtractedReport(kind="report", template="2021")
        cols = {"person": 3, "org_business": 1, "org_research": 0, "org_nonprofit": 0, "org_legal": 0, "org_other": 0}
        for c, v in cols.items():
            rep.cells[f"t3.new.{c}"] = {"value": v, "raw": str(v), "unit": "件", "null_reason": None}
        rep.cells["t3.new.total"] = {"value": None, "raw": total_raw, "unit": "件", "null_reason": "ocr_uncertain"}
        settle_uncertain(rep)
        return rep

    good = report("4")
    assert good.cells["t3.new.total"]["value"] == 4 and good.cells["t3.new.total"]["null_reason"] is None
    assert any("confirmed by identity" in w for w in good.warnings)
    bad = report("9")
    assert bad.cells["t3.new.total"]["value"] is None
    assert bad.cells["t3.new.total"]["null_reason"] == "ocr_uncertain"


def test_a_picture_of_table_four_is_read_cell_by_cell_with_confidences():
    doc = read_document(T4_PNG.read_bytes())
    assert doc.reader == "image-ocr"
    (table,) = [b for b in doc.blocks if isinstance(b, Table)]
    grid = resolve(table)
    assert grid.width == 15 and len(grid.rows) == 4
    figures = [t.split(OCR_CONFIDENCE, 1)[0] for t in grid.rows[-1]]
    assert figures == ["2", "0", "1", "0", "3", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0"]
    assert all(c.confidence is not None for row in table.rows for c in row if c.text)


def test_an_image_only_pdf_is_read_by_ocr(tmp_path):
    from PIL import Image

    buf = io.BytesIO()
    Image.open(T4_PNG).convert("RGB").save(buf, "PDF", resolution=150)
    rep = extract(buf.getvalue(), url="http://127.0.0.1/scan.pdf")
    assert rep.reader == "pdf-ocr"
    assert rep.to_dict()["reader"] == "pdf-ocr"
    assert any("read by OCR" in w for w in rep.warnings)


def test_a_pages_table_pictures_are_read_where_they_stand():
    import sys

    sys.path.insert(0, str(DEMO))
    import demo_formats as F

    r = next(x for x in F.FORMAT_REPORTS if x["id"] == "lztj_2022_images")
    base = "http://127.0.0.1:8000"
    page = (DEMO / "sites" / "lztj" / r["path"].lstrip("/")).read_bytes()
    images = {base + p: (DEMO / "sites" / "lztj" / p.lstrip("/")).read_bytes() for p in r["images"]}
    plain = extract(page, url=base + r["path"])
    assert plain.reader == "html" and "tables_are_images" in plain.warnings
    rep = extract(page, url=base + r["path"], resources=images)
    assert rep.reader == "image-ocr" and rep.year == 2022
    want = expected("lztj_2022_images")
    wrong = {k: (v, rep.cells[k]["value"]) for k, v in want.items() if not same(rep.cells[k]["value"], v)}
    assert wrong == {}
    # every OCR'd figure keeps its confidence; its raw text is the reading alone
    assert all(0 < c["confidence"] <= 1 and parse(c["raw"], "money").value == Decimal(str(c["value"]))
               for c in rep.cells.values())


def test_a_text_pdf_with_one_page_pasted_in_as_a_picture_gets_that_page_by_ocr():
    import pypdfium2 as pdfium
    from PIL import Image  # noqa: F401  (PIL writes the picture page)

    text_pdf = (DEMO / "sites/luwan/zwgk/zfxxgk/zfxxgknb/202102/P020210208563412871234.pdf").read_bytes()
    reference = extract(text_pdf).to_dict()
    src = pdfium.PdfDocument(text_pdf)
    picture = io.BytesIO()
    src[1].render(scale=200 / 72).to_pil().convert("RGB").save(picture, "PDF", resolution=200)
    out = pdfium.PdfDocument.new()
    out.import_pages(src, [0])
    out.import_pages(pdfium.PdfDocument(picture.getvalue()), [0])
    out.import_pages(src, list(range(2, len(src))))
    mixed = io.BytesIO()
    out.save(mixed)
    rep = extract(mixed.getvalue()).to_dict()
    assert rep["reader"] == "pdf-ocr" and "ocr: page(s) 2 without a text layer read by OCR (pdf-ocr)" in rep["warnings"]
    wrong = {k: (c["value"], rep["cells"][k]["value"]) for k, c in reference["cells"].items()
             if c["value"] != rep["cells"][k]["value"]}
    assert wrong == {}


def test_ruled_grid_from_a_picture_gives_spans_and_ignores_dashes_in_cells():
    """Geometry only (no OCR): a drawn table with a merged header, a vertical merge and a '——' in a
    cell comes back as the right cells with rowspan/colspan."""
    import numpy as np
    from PIL import Image, ImageDraw

    from govcrawl.extract import imagetable, ocr

    img = Image.new("L", (1400, 700), 255)
    d = ImageDraw.Draw(img)
    xs, ys = [100, 400, 700, 1000, 1300], [100, 200, 300, 400, 500]
    for y in (100, 500):
        d.line([(100, y), (1300, y)], fill=0, width=3)
    d.line([(100, 200), (1300, 200)], fill=0, width=3)
    d.line([(400, 300), (1300, 300)], fill=0, width=3)  # column 0 merges rows 1-2 (a vertical label)
    d.line([(100, 400), (1300, 400)], fill=0, width=3)
    for x in xs:
        d.line([(x, 100 if x in (100, 1300, 400) else 200), (x, 500)], fill=0, width=3)  # header spans cols 1-3
    for k in range(40):  # glyph-like blobs so the character height is known (~36 px)
        x0 = 130 + (k % 8) * 30
        d.rectangle([x0, 130 + (k // 8) * 2, x0 + 18, 166], fill=0)
    d.line([(750, 350), (850, 350)], fill=0, width=3)  # a '——' null mark inside a cell
    ink = ocr.ink_mask(np.asarray(img))
    h = imagetable.char_height(ink)
    (table,) = imagetable.find_tables(ocr.despeckle(ink, h), h)
    assert len(table.ys) == 5 and len(table.xs) == 5
    spans = {(c.row, c.col): (c.rowspan, c.colspan) for c in table.cells}
    assert spans[(0, 0)] == (1, 1) and spans[(0, 1)] == (1, 3)  # merged header
    assert spans[(1, 0)] == (2, 1) and (2, 0) not in spans  # the vertical merge
    assert spans[(2, 2)] == (1, 1) and (3, 2) in spans  # the dash did not split its cell
    assert len(table.cells) == 2 + 4 + 3 + 4
