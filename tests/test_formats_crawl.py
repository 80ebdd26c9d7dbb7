"""The crawl side of every-format support: which pictures a report page hands to OCR, and how a
report is assembled from a page whose tables are pictures (shown, or linked as attachments)."""
from __future__ import annotations

from pathlib import Path

from govcrawl.archive.ingest import Fetched, build_report
from govcrawl.crawl.discovery import attachment_links, table_images

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
T4_PNG = DEMO / "sites/lztj/zwgk/zfxxgknb/202301/W020230130318274650193.png"
T3_PNG = DEMO / "sites/lztj/zwgk/zfxxgknb/202301/W020230130318274650192.png"
BASE = "http://127.0.0.1:8000/zwgk/zfxxgknb/202301/t20230130_1.html"

PAGE = """<html><head><title>澜州市统计局2022年政府信息公开工作年度报告</title></head><body>
<div class="header"><img src="/images/logo.png"></div>
<div class="TRS_Editor">
<p>一、总体情况</p><p>2022年，我局共收到政府信息公开申请26件。</p>
<p>四、政府信息公开行政复议、行政诉讼情况</p>
<p><img src="./W020230130318274650193.png" width="600"></p>
<p><img src="/images/icon_print.gif" width="16"></p>
{tables}
</div>
<div class="footer"><img src="/images/jiucuo.png" width="110"></div>
</body></html>"""
TEXT_TABLES = ("<table><tr><td>本年新收政府信息公开申请数量</td></tr><tr><td>第二十条第（一）项</td></tr>"
               "<tr><td>行政复议</td></tr></table>")


def test_content_pictures_are_handed_to_ocr_and_chrome_is_not():
    found = [link.url for link in table_images(PAGE.format(tables=""), BASE)]
    assert found == ["http://127.0.0.1:8000/zwgk/zfxxgknb/202301/W020230130318274650193.png"]


def test_a_page_whose_tables_are_text_fetches_no_pictures():
    assert table_images(PAGE.format(tables=TEXT_TABLES), BASE) == []
    assert table_images("<html><body><p>无图片</p></body></html>", BASE) == []


def test_a_linked_picture_of_a_table_is_an_attachment():
    html = '<div><a href="/u/tjb.jpg">附件：2022年统计表.jpg</a><a href="/u/photo.jpg">现场照片</a></div>'
    assert [link.url for link in attachment_links(html, BASE)] == ["http://127.0.0.1:8000/u/tjb.jpg"]


def test_a_picture_shown_in_the_page_is_read_with_it_and_a_linked_one_alone():
    body = PAGE.format(tables="").encode()
    picture_url = "http://127.0.0.1:8000/zwgk/zfxxgknb/202301/W020230130318274650193.png"
    page = Fetched(BASE, body, "text/html; charset=utf-8", {})
    shown = build_report(page, [Fetched(picture_url, T4_PNG.read_bytes(), "image/png", {})])
    assert shown.report["reader"] == "image-ocr" and shown.tables_from == BASE
    assert shown.report["cells"]["t4.cases.rev_total"]["value"] == 3
    (row,) = shown.attachment_rows
    assert row["kind"] == "image" and row["used_for_cells"] == 1

    linked = Fetched("http://127.0.0.1:8000/u/tjb.png", T3_PNG.read_bytes(), "image/png", {})
    alone = build_report(page, [linked])
    (row,) = alone.attachment_rows
    assert row["kind"] == "report" and row["cells_found"] > 100  # read by OCR on its own
    assert alone.tables_from == linked.url and alone.report["cells"]["t3.new.total"]["value"] == 26
