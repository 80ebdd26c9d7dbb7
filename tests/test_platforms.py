"""Platform families read their own listing layouts; unknown hints fall back to the generic reader."""
from govcrawl.crawl.platforms import Hanweb, Platform, platform_for

from helpers import FIXTURES

URL = "http://127.0.0.12:8000/col/col2101/index.html"


def hanweb_listing(records: str, script: str = "") -> bytes:
    return f"""<html><head><meta charset="gb2312"><title>政府信息公开年报</title></head><body>
<div id="4471"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=7&columnid=2101&unitid=4471"></a>]]></nextgroup>
<recordset>{records}</recordset></datastore></script></div>{script}</body></html>""".encode("gb18030")


RECORDS = "".join(
    f'<record><![CDATA[<li><a href="/art/202{i}/1/2{i}/art_2101_{i}.html" title="某局202{i - 1}年政府信息公开工作年度报告">'
    f'某局202{i - 1}年政府信息公开工作年度报告</a></li>]]></record>' for i in range(1, 4))


def test_hanweb_reports_hidden_in_the_datastore_are_found():
    generic = Platform().listing_links(hanweb_listing(RECORDS), URL)
    assert not [link for link in generic if link.kind == "report"]  # invisible to a plain parser
    reports = [link.url for link in Hanweb().listing_links(hanweb_listing(RECORDS), URL) if link.kind == "report"]
    assert reports == [f"http://127.0.0.12:8000/art/202{i}/1/2{i}/art_2101_{i}.html" for i in range(1, 4)]


def test_hanweb_pages_come_from_total_record_and_per_page():
    script = "<script>$('#4471').jpage({ perPage: 3, totalRecord: 8 });</script>"
    pages = Hanweb().listing_pages(hanweb_listing(RECORDS, script), URL, max_pages=50)
    assert pages == [URL + "?uid=4471&pageNum=2", URL + "?uid=4471&pageNum=3"]
    assert Hanweb().listing_pages(hanweb_listing(RECORDS, script), URL, max_pages=2) == [URL + "?uid=4471&pageNum=2"]


def test_hanweb_without_a_total_steps_one_page_ahead_while_records_come():
    page2 = URL + "?uid=4471&pageNum=2"
    assert Hanweb().listing_pages(hanweb_listing(RECORDS), page2, max_pages=50) == [URL + "?uid=4471&pageNum=3"]
    assert Hanweb().listing_pages(hanweb_listing(""), page2, max_pages=50) == []


def test_a_hanweb_row_on_an_ordinary_page_reads_it_like_the_generic_reader():
    html = (FIXTURES / "spider" / "listing.html").read_bytes()
    base = "http://127.0.0.21:8000/zwgk/zfxxgknb/index.html"
    assert Hanweb().listing_links(html, base) == Platform().listing_links(html, base)


def test_unknown_or_empty_platform_hints_read_generically():
    assert platform_for("hanweb").name == "hanweb"
    assert platform_for(" TRS ").name == "trs"
    assert platform_for("").name == "generic" and platform_for("wordpress").name == "generic"


def test_hanweb_records_are_read_even_when_the_page_has_no_body_end_tag():
    html = hanweb_listing(RECORDS).replace(b"</body>", b"")
    assert len([link for link in Hanweb().listing_links(html, URL) if link.kind == "report"]) == 3
