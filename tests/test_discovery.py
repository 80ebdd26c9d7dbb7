"""Link discovery: report titles vs look-alikes (spec VARIANTS.md §1–2), pagers, attachments, encodings."""
from __future__ import annotations

from pathlib import Path

import pytest

from govcrawl.crawl.discovery import (
    Link, attachment_links, classify_title, decode_html, extract_links, pagination_urls, report_year,
)

FIX = Path(__file__).resolve().parent / "fixtures" / "discovery"
YUBEI = "http://www.ybq.gov.cn/bm/qmzj/zwgk_70831/zfxxgknb_70842/"
PINGTAN = "https://www.pingtan.gov.cn/zwgk/zfxxgk/zfxxgknb/"


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def by_kind(links: list[Link], kind: str) -> list[Link]:
    return [link for link in links if link.kind == kind]


# --- titles -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, year", [
    ("2019年政府信息公开工作年度报告", 2019),
    ("平潭综合实验区2019年度政府信息公开工作年度报告", 2019),          # 年度 in front (§2)
    ("大同市2021年政府信息公开年度报告", 2021),                        # 工作 dropped
    ("定西市公共资源交易中心2020年政府信息公开工作的年度报告", 2020),    # …工作的年度报告
    ("舒兰市市场监督管理局2016年政务信息公开年度报告", 2016),          # 政务信息公开 (pre-2019)
    ("宿迁市2017年政府信息公开年报", 2017),
    ("重庆市渝北区民政局2020年政府信息公开工作年度报告", 2020),        # the seed
    ("平潭综合实验区地方税务局2013年信息公开年度报告", 2013),          # sub-agency, still a report title
    ("某区2015年度政府信息公开工作报告", 2015),                        # 年度 moved, 报告 without 年度
    ("二〇一九年政府信息公开工作年度报告", 2019),
    ("二零二零年度政府信息公开工作年度报告", 2020),
    ("二O二一年政府信息公开工作年度报告", 2021),                       # letter O typed for 〇
    ("２０２２年政府信息公开工作年度报告", 2022),                      # full-width digits
    ("2019 年度 政府信息公开\u3000工作年度报告", 2019),                # spaces and U+3000
    ("【2022年】某区政府信息公开工作年度报告", 2022),
    ("某县2023年政府信息公开工作年度报告.pdf", 2023),
    ("2018政府信息公开年报", 2018),                                    # no 年 after the digits
])
def test_report_titles_are_accepted_with_their_year(title, year):
    ok, reason = classify_title(title)
    assert ok, reason
    assert reason == f"report title with year {year}"
    assert report_year(title) == year


@pytest.mark.parametrize("title, why", [
    ("关于2014年政府信息公开工作要点落实情况的函", "工作要点"),         # VARIANTS §1
    ("关于做好2019年政府信息公开工作年度报告编制工作的通知", "通知"),
    ("关于报送2020年政府信息公开年报的通知", "通知"),
    ("重庆市人民政府办公厅关于做好政府信息公开工作年度报告有关工作的通知", "通知"),
    ("关于2019年度政府信息公开工作年度报告的公告", "公告"),
    ("2020年政务公开工作要点", "工作要点"),
    ("关于2019年政府信息公开工作年度报告有关问题的复函", "函"),
    ("2019年政府信息公开情况统计表", "统计表"),
    ("2019年政府信息公开工作年度报告统计表", "统计表"),
    ("2018年政府信息公开工作考核结果", "考核"),
    ("2019年政府信息公开工作社会评议结果", "评议"),
    ("一图读懂2022年政府信息公开工作年度报告", "一图读懂"),
    ("2022年政府信息公开工作年度报告解读", "解读"),
    ("中华人民共和国政府信息公开工作年度报告格式", "报告格式"),
    ("政府信息公开年报", "without a year"),                          # the column's own nav link
    ("政府信息公开指南", "no annual-report phrase"),
    ("2021年法治政府建设年度报告", "no annual-report phrase"),
    ("2020年政府工作报告", "no annual-report phrase"),
    ("", "empty"),
    ("   ", "empty"),
])
def test_look_alikes_are_rejected_with_a_reason(title, why):
    ok, reason = classify_title(title)
    assert not ok
    assert why in reason


def test_reason_for_a_notice_is_readable():
    assert classify_title("关于报送2020年政府信息公开年报的通知") == (False, "notice about reports: 通知")


def test_report_year_prefers_the_year_next_to_the_report_phrase():
    assert report_year("2021年3月发布：某区2020年政府信息公开工作年度报告") == 2020
    assert report_year("政府信息公开指南") is None
    assert report_year("") is None


# --- decoding -----------------------------------------------------------------------------------------

def test_gbk_bytes_are_decoded_by_their_meta_charset():
    assert "重庆市渝北区民政局2020年政府信息公开工作年度报告" in decode_html(fixture("trs_listing_gbk.html"))


def test_gbk_bytes_without_a_declaration_fall_back_to_gb18030():
    links = extract_links(fixture("gbk_no_meta.html"), "http://x.gov.cn/nb/")
    assert [(l.kind, l.text) for l in links] == [
        ("report", "某镇2019年政府信息公开工作年度报告"),      # unclosed <a> does not swallow the next item
        ("other", "关于印发2020年政务公开工作要点的通知"),
    ]


def test_wrong_declared_charset_still_decodes():
    data = '<meta charset="utf-8"><a href="a.html">2019年政府信息公开年报</a>'.encode("gbk")
    assert extract_links(data, "http://x.gov.cn/")[0].kind == "report"


@pytest.mark.parametrize("junk", [b"", b"   ", "", b"\x00\xff\xfe garbage <<<", "<a href=>", "<html><a>no href</a>"])
def test_empty_or_broken_input_never_raises(junk):
    assert extract_links(junk, "http://x.gov.cn/") == []
    assert pagination_urls(junk, "http://x.gov.cn/") == []
    assert attachment_links(junk, "http://x.gov.cn/") == []


# --- extract_links on our TRS fixture --------------------------------------------------------------------

def test_trs_listing_reports_are_found_by_text_or_title_attribute():
    reports = by_kind(extract_links(fixture("trs_listing_gbk.html"), YUBEI), "report")
    assert [(r.url, r.text) for r in reports] == [
        (YUBEI + "202101/t20210113_8832642.html", "重庆市渝北区民政局2020年政府信息公开工作年度报告"),
        # the visible text is truncated ("…公开..."): the title attribute names the report
        (YUBEI + "202001/t20200120_6287143.html", "重庆市渝北区民政局2019年政府信息公开工作年度报告"),
        (YUBEI + "201801/t20180123_4000003.html", "二〇一七年政府信息公开工作年度报告"),
    ]


def test_trs_listing_non_reports_are_not_reports():
    links = {l.text: l for l in extract_links(fixture("trs_listing_gbk.html"), YUBEI)}
    for text in ("关于做好2019年政府信息公开工作年度报告编制工作的通知",
                 "关于2014年政府信息公开工作要点落实情况的函",
                 "2018年政府信息公开情况统计表", "首页", "政府信息公开年报"):
        assert links[text].kind == "other", text


def test_links_are_absolute_and_javascript_or_fragment_links_dropped():
    links = extract_links(fixture("trs_listing_gbk.html"), YUBEI)
    assert all(l.url.startswith("http") and "#" not in l.url for l in links)
    assert not any("javascript" in l.url for l in links)
    assert len({l.url for l in links}) == len(links)


def test_sub_columns_below_the_listing_are_listings():
    links = {l.text: l for l in extract_links(fixture("trs_listing_gbk.html"), YUBEI)}
    assert links["区政府"] == Link(YUBEI + "qzfnb/", "区政府", "listing")
    assert links["部门"].kind == "listing"


def test_download_servlet_with_file_name_is_an_attachment():
    links = {l.text: l for l in extract_links(fixture("trs_listing_gbk.html"), YUBEI)}
    assert links["2013年统计附表.xls"].kind == "attachment"


def test_base_href_is_honoured():
    html = '<base href="http://www.x.gov.cn/a/b/"><a href="t1.html">2020年政府信息公开年报</a>'
    assert extract_links(html, "http://www.x.gov.cn/other/")[0].url == "http://www.x.gov.cn/a/b/t1.html"


def test_report_link_to_a_pdf_is_a_report():
    html = '<a href="/u/2021.pdf">某区2020年政府信息公开工作年度报告</a>'
    assert extract_links(html, "http://x.gov.cn/")[0].kind == "report"


# --- pagination ---------------------------------------------------------------------------------------

def test_trs_create_page_html_gives_index_1_to_count_minus_1():
    assert pagination_urls(fixture("trs_listing_gbk.html"), YUBEI) == [
        YUBEI + f"index_{n}.html" for n in range(1, 5)]


def test_trs_create_page_html_with_variables_from_a_later_page():
    base = "http://www.example.gov.cn/zwgk/nb/index_2.htm"
    assert pagination_urls(fixture("trs_listing_page3.htm"), base) == [
        "http://www.example.gov.cn/zwgk/nb/index.htm",
        "http://www.example.gov.cn/zwgk/nb/index_1.htm",
        "http://www.example.gov.cn/zwgk/nb/index_3.htm",
    ]


def test_trs_six_argument_create_page_html():
    html = "<script>createPageHTML('page_div', 3, 1, 'index', 'shtml', 45);</script>"
    assert pagination_urls(html, "http://x.gov.cn/nb/index_1.shtml") == [
        "http://x.gov.cn/nb/index.shtml", "http://x.gov.cn/nb/index_2.shtml"]


def test_single_page_listing_has_no_further_pages():
    assert pagination_urls('<script>createPageHTML(1, 0, "index", "html");</script>', YUBEI) == []


def test_max_pages_caps_the_result():
    html = '<script>createPageHTML(400, 0, "index", "html");</script>'
    assert len(pagination_urls(html, YUBEI)) == 50
    assert pagination_urls(html, YUBEI, max_pages=2) == [YUBEI + "index_1.html", YUBEI + "index_2.html"]
    assert pagination_urls(html, YUBEI, max_pages=0) == []


def test_hanweb_page_count_with_a_visible_url_template():
    base = "http://www.xx.gov.cn/col/col1229/list.jsp"
    assert pagination_urls(fixture("hanweb_listing.html"), base) == [
        f"http://www.xx.gov.cn/col/col1229/list.jsp?pageNo={n}&columnId=1229" for n in (2, 3, 4)]


def test_placeholder_template_with_page_count():
    html = '<script>var pageCount = 3; var tpl = "index_{page}.html";</script>'
    assert pagination_urls(html, "http://x.gov.cn/nb/") == [
        "http://x.gov.cn/nb/index_1.html", "http://x.gov.cn/nb/index_2.html"]


def test_unrelated_js_concatenation_is_not_a_pager():
    html = '<script>var pageCount = 3; var u = "detail.jsp?id=" + id; var v = "x_" + k;</script>'
    assert pagination_urls(html, "http://x.gov.cn/nb/") == []


def test_next_and_last_links_with_page_parameter_fill_the_range_and_stay_in_the_column():
    base = "http://www.xx.gov.cn/xxgk/list.php?cat=3"
    urls = pagination_urls(fixture("generic_listing.html"), base)
    assert urls == [f"http://www.xx.gov.cn/xxgk/list.php?cat=3&page={n}" for n in range(1, 8)]
    links = {l.url: l.kind for l in extract_links(fixture("generic_listing.html"), base)}
    assert links["http://www.xx.gov.cn/xxgk/list.php?cat=3&page=7"] == "listing"
    assert links["http://www.xx.gov.cn/other/list.php?cat=9&page=5"] == "other"


def test_next_page_link_to_a_static_index_file():
    html = '<a href="index_1.htm">下一页</a><a href="index_9.htm">尾页</a><a href="/x/index_2.htm">2</a>'
    urls = pagination_urls(html, "http://x.gov.cn/nb/")
    assert urls == [f"http://x.gov.cn/nb/index_{n}.htm" for n in range(1, 10)]


def test_article_names_that_look_numbered_are_not_pages():
    html = '<a href="content_12.html">x</a><a href="art_2021_1.html">y</a>'
    assert pagination_urls(html, "http://x.gov.cn/nb/") == []


def test_pager_never_returns_the_current_page():
    html = '<a href="./">首页</a><a href="index.html">1</a><a href="index_1.html">下一页</a>'
    assert pagination_urls(html, "http://x.gov.cn/nb/") == ["http://x.gov.cn/nb/index_1.html"]


# --- attachments --------------------------------------------------------------------------------------

def test_attachments_cover_extensions_servlets_titles_and_viewers():
    base = "http://www.xx.gov.cn/zfxxgknb/202103/t20210305_80595.htm"
    got = {l.url: l.text for l in attachment_links(fixture("report_page_attachments.html"), base)}
    assert got == {
        "http://www.xx.gov.cn/module/download/downfile.jsp?classid=0&filename=2103051133.pdf": "2020年年报全文",
        "http://www.xx.gov.cn/attach/0/年报统计表.docx": "统计表（Word）",
        "http://www.xx.gov.cn/servlet/Down?id=9": "附件2",                   # extension only in title
        "http://www.xx.gov.cn/upload/2021/03/report.WPS": "WPS版",
        "http://www.xx.gov.cn/module/download/down.jsp?i_ID=88&colID=12": "2020年年报.pdf",
        "http://www.xx.gov.cn/pdfjs/web/viewer.html?file=/upload/2021/03/full.pdf": "full.pdf",
    }


def test_html_pages_are_not_attachments():
    html = '<a href="t1.html">附件.pdf说明</a><a href="a.htm">2019年统计表</a>'
    assert attachment_links(html, "http://x.gov.cn/") == []


# --- the real Pingtan listing (TRS, read from ../shared/corpus) --------------------------------------

@pytest.fixture
def pingtan(corpus_dir) -> bytes:
    return (corpus_dir / "pingtan" / "listing_zfxxgknb_index.html").read_bytes()


def test_real_listing_all_ten_reports_found(pingtan):
    reports = by_kind(extract_links(pingtan, PINGTAN), "report")
    assert [report_year(r.text) for r in reports] == list(range(2025, 2015, -1))
    assert reports[0] == Link(PINGTAN + "202603/t20260313_105587.htm",
                              "平潭综合实验区2025年度政府信息公开工作年度报告", "report")
    assert all(r.url.startswith(PINGTAN) and r.url.endswith(".htm") for r in reports)


def test_real_listing_nothing_else_is_a_report(pingtan):
    links = extract_links(pingtan, PINGTAN)
    others = [l for l in links if l.kind != "report"]
    assert len(others) > 50
    assert not any(classify_title(l.text)[0] for l in others)
    nav = next(l for l in links if l.url.endswith("/zfxxgknb/nlist.htm"))
    assert nav.kind != "report"                 # the column's own "政府信息公开年报" menu link


def test_real_listing_page_two_is_index_1_htm(pingtan):
    # TRS "动静结合" list: recordCount 20, prepage 10, maxStaticIndex 1; the site publishes .htm.
    assert pagination_urls(pingtan, PINGTAN) == [PINGTAN + "index_1.htm"]
    assert pagination_urls(pingtan, PINGTAN + "index.htm") == [PINGTAN + "index_1.htm"]


def test_real_listing_has_no_attachments(pingtan):
    assert attachment_links(pingtan, PINGTAN) == []


# --- properties ---------------------------------------------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_pieces = st.sampled_from([
    "<a href='index_3.html'>", "<a href=\"?page=4\">下一页</a>", "</a>", "<p>", "<script>",
    "createPageHTML(7, 2, \"index\", \"htm\");", "var totalPage = 9;", "\"list_\" + i + \".html\"",
    "</script>", "2019年政府信息公开工作年度报告", "通知", "<a href='../up/x_1.html'>", "\x00", "\ufffd",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(_pieces | st.text(max_size=20), max_size=30), st.integers(min_value=0, max_value=12))
def test_pagination_stays_in_the_column_and_under_the_cap(parts, cap):
    html = "".join(parts)
    base = "http://x.gov.cn/zwgk/nb/index_2.html"
    for raw in (html, html.encode("utf-8", "replace"), html.encode("gb18030", "replace")):
        urls = pagination_urls(raw, base, max_pages=cap)
        assert len(urls) <= cap and len(set(urls)) == len(urls)
        assert all(u.startswith("http://x.gov.cn/zwgk/nb/") and u != base for u in urls)
        for link in extract_links(raw, base):
            assert link.kind in {"report", "listing", "attachment", "other"}
