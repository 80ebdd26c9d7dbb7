"""Platform families read their own listing layouts; unknown hints fall back to the generic reader."""
import json

import pytest

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


# --- fingerprints and the other families ----------------------------------------------------------

from govcrawl.crawl.platforms import Gkmlpt, IList, detect  # noqa: E402


@pytest.mark.parametrize("url, body, family", [
    ("http://www.sz.gov.cn/gkmlpt/index", b"<script>window._CONFIG = {SID: '755001'}</script>", "gkmlpt"),
    ("http://www.sz.gov.cn/zwgk/", b"<a href='/gkmlpt/index'>\xe7\x9b\xae\xe5\xbd\x95</a>", "gkmlpt"),
    ("http://www.cd.gov.cn/info/iList.jsp?cat_id=1", b"<html></html>", "ilist"),
    ("http://www.hz.gov.cn/col/col1229/index.html", b"<html></html>", "hanweb"),
    ("http://www.hz.gov.cn/", b"<div><script type='text/xml'><datastore></datastore></script></div>", "hanweb"),
    ("http://www.ybq.gov.cn/zwgk/zfxxgknb/index_2.html", b"<html></html>", "trs"),
    ("http://www.ybq.gov.cn/zwgk/", b"<script>createPageHTML(3, 0, 'index', 'html');</script>", "trs"),
    ("http://xxgk.hd.gov.cn/", b"<html><a href='/ml/'>x</a></html>", "xxgk"),
    ("http://www.x.gov.cn/", b"<html><a href='/news/'>x</a></html>", "generic"),
])
def test_platform_families_are_recognised_by_fingerprint(url, body, family):
    assert detect(body, url) == family
    assert platform_for(family).name == family


GKMLPT_INDEX = """<html><head><title>政府信息公开目录</title></head><body><div id="app"></div>
<script>window._CONFIG = {SID: '755031', DEPTH: 2};
var CLASSIFY = [{"id": 2640, "name": "规划信息"}, {"id": 2641, "name": "政府信息公开年报"}];</script>
<a href="/gkmlpt/index#2650">财政预决算</a></body></html>"""


def test_gkmlpt_categories_become_json_api_columns():
    links = dict((label, url) for url, label in Gkmlpt().column_links(GKMLPT_INDEX, "http://www.sz.gov.cn/gkmlpt/index"))
    assert links["政府信息公开年报"] == "http://www.sz.gov.cn/gkmlpt/api/all/2641?page=1&sid=755031"
    assert links["财政预决算"] == "http://www.sz.gov.cn/gkmlpt/api/all/2650?page=1&sid=755031"


def test_gkmlpt_json_pages_give_reports_and_further_pages():
    body = json.dumps({"articles": [
        {"title": "深圳市2023年政府信息公开工作年度报告", "url": "http://www.sz.gov.cn/gkmlpt/content/11/11001/post_11001.html"},
        {"title": "关于印发某办法的通知", "url": "/gkmlpt/content/11/11002/post_11002.html"}],
        "total": 5}, ensure_ascii=False).encode()
    url = "http://www.sz.gov.cn/gkmlpt/api/all/2641?page=1&sid=755031"
    links = Gkmlpt().listing_links(body, url)
    assert [link.kind for link in links] == ["report", "other"]
    assert links[1].url == "http://www.sz.gov.cn/gkmlpt/content/11/11002/post_11002.html"
    assert Gkmlpt().listing_pages(body, url, 50) == [
        "http://www.sz.gov.cn/gkmlpt/api/all/2641?page=2&sid=755031",
        "http://www.sz.gov.cn/gkmlpt/api/all/2641?page=3&sid=755031"]
    assert Gkmlpt().listing_pages(body, url.replace("page=1", "page=2"), 50) == []  # page 1 plans them
    assert Gkmlpt().listing_links(b"{not json", url) == []


def test_hanweb_dataproxy_pages_carry_the_columns_parameters():
    script = ("<script>$('#4471').jpage({ perPage: 3, totalRecord: 8, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
              "ajaxParam: {col: 1, webid: 7, columnid: 2101, unitid: 4471, permissiontype: 0}});</script>")
    # records inline: the static ?uid=&pageNum= pages, as before
    assert Hanweb().listing_pages(hanweb_listing(RECORDS, script), URL, 50)[0] == URL + "?uid=4471&pageNum=2"
    # no records on the page: every slice comes from dataproxy.jsp
    pages = Hanweb().listing_pages(hanweb_listing("", script), URL, max_pages=50)
    base = "http://127.0.0.12:8000/module/web/jpage/dataproxy.jsp?"
    tail = "&perpage=3&col=1&webid=7&columnid=2101&unitid=4471&permissiontype=0"
    assert pages == [base + "startrecord=1&endrecord=3" + tail, base + "startrecord=4&endrecord=6" + tail,
                     base + "startrecord=7&endrecord=8" + tail]
    proxy_page = "<datastore><recordset>" + RECORDS + "</recordset></datastore>"
    assert len([link for link in Hanweb().listing_links(proxy_page, pages[0]) if link.kind == "report"]) == 3
    assert Hanweb().listing_pages(proxy_page + script, pages[0], 50) == []


def test_ilist_pages_come_from_the_page_count():
    html = "<html><body><ul><li><a href='/info/iIndex.jsp?cat_id=7&info_id=1'>x</a></li></ul>共3页</body></html>"
    url = "http://www.cd.gov.cn/info/iList.jsp?cat_id=7"
    assert IList().listing_pages(html, url, 50) == [url + "&cur_page=2", url + "&cur_page=3"]
    assert IList().listing_pages(html, url + "&cur_page=3", 2) == [url + "&cur_page=1", url + "&cur_page=2"]


def test_picture_links_and_frames_are_column_candidates_by_their_alt_text():
    html = """<html><body><a href="/zwgk/"><img src="b.png" alt="政务公开"></a>
    <map><area href="/xxgk/nb/" alt="政府信息公开年报"></map><iframe src="/nav/menu.html"></iframe>
    <a href="/news/">新闻</a><a href="javascript:void(0)"><img alt="x"></a></body></html>"""
    links = Platform().column_links(html, "http://www.x.gov.cn/")
    assert links == [("http://www.x.gov.cn/zwgk/", "政务公开"), ("http://www.x.gov.cn/xxgk/nb/", "政府信息公开年报"),
                     ("http://www.x.gov.cn/nav/menu.html", "")]
