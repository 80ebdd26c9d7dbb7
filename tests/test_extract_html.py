"""Behaviour of HTML extraction on page shapes the corpus does not cover."""
from __future__ import annotations

import os
import random

import pytest

from govcrawl.extract import UnreadableDocument, extract, extract_file, sniff


def _page(body: str, title: str = "某某区人民政府2021年政府信息公开工作年度报告") -> bytes:
    return f"<html><head><title>{title}</title></head><body><div class='TRS_Editor'>{body}</div></body></html>".encode()


SECTIONS = "".join(f"<p>{h}</p><p>内容。</p>" for h in (
    "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"))


def test_image_only_report_is_a_report_with_a_warning_and_the_image_urls():
    body = SECTIONS.replace("<p>内容。</p>", "<p><img src='/u/t2.png'></p>", 3)
    rep = extract(_page(body), url="http://gov.example.cn/a/b.html")
    assert rep.kind == "report" and "tables_are_images" in rep.warnings
    assert "http://gov.example.cn/u/t2.png" in rep.images
    assert rep.template == "2021" and all(c["null_reason"] == "missing" for c in rep.cells.values())
    assert {c["status"] for c in rep.checks} == {"unknown"}


def test_a_letter_about_disclosure_work_is_not_a_report():
    rep = extract(_page("<p>各有关单位：</p><p>现将有关情况函告如下。</p>",
                        title="关于2014年政府信息公开工作要点落实情况的函"))
    assert rep.kind == "not_report" and "letter" in rep.reason


def test_a_page_without_report_content_is_not_a_report():
    rep = extract(_page("<p>今日天气晴。</p>", title="新闻"))
    assert rep.kind == "not_report" and rep.reason.startswith("no report content")


def test_headings_inside_tables_are_not_sections():
    body = SECTIONS.replace("<p>内容。</p>", "<table><tr><td>三、本年度办理结果</td><td>1</td></tr>"
                                             "<tr><td>四、结转下年度继续办理</td><td>0</td></tr></table>", 1)
    rep = extract(_page(body))
    assert rep.sections["s1"] == "" and rep.sections["s2"] == "内容。"


def test_section_heading_variants_are_recognised():
    body = ("<p>本报告由概述等部分组成。</p><p>一、概述</p><p>a</p><p>二、主动公开政府信息情况</p><p>b</p>"
            "<p>三、收到和处理政府信息公开申请情况</p><p>四、因政府信息公开申请行政复议、提起行政诉讼的情况</p>"
            "<p>五、政府信息公开工作存在的主要问题及改进情况</p><p>c</p><p>六、其他需要报告的事项</p><p>无</p>"
            "<p>某某区人民政府办公室</p><p>2022年1月20日</p>")
    rep = extract(_page(body))
    assert [k for k in rep.sections if k[1:].isdigit()] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert rep.sections["s6"] == "无" and rep.published == "2022-01-20"
    assert rep.sections["preamble"] == "本报告由概述等部分组成。"


def test_report_inside_layout_tables_is_found():
    inner = SECTIONS
    page = f"<html><body><table><tr><td>导航</td><td><table><tr><td>{inner}</td></tr></table></td></tr></table></body></html>"
    rep = extract(page.encode("gbk"), content_type="text/html; charset=gbk")
    assert rep.kind == "report" and rep.sections["s6"] == "内容。"


def test_sniffing_uses_the_bytes_not_the_extension(tmp_path):
    p = tmp_path / "report.pdf"
    p.write_bytes(_page(SECTIONS))
    rep = extract_file(p)
    assert rep.kind == "report" and any("extension" in w for w in rep.warnings)
    assert sniff(b"%PDF-1.7\n") == "pdf" and sniff(b"<html>") == "html" and sniff("一、总体情况".encode()) == "text"


_RANDOM_BLOBS = [random.Random(seed).randbytes(4096) for seed in (3, 15, 39, 43, 1000)]  # seeds whose bytes hold "<a"/"<p"


@pytest.mark.parametrize("data", [b"", b"  \n", *_RANDOM_BLOBS, b"\x00" * 50, b"PK\x03\x04junk", b"%PDF-1.4 junk"])
def test_unreadable_input_raises_only_unreadable_document_with_a_message(data):
    with pytest.raises(UnreadableDocument) as e:
        extract(data)
    assert str(e.value)


def test_a_huge_page_is_truncated_with_a_warning():
    data = _page("<p>年度报告正文 1234</p>" * 400_000)  # ~12 MB
    rep = extract(data)
    assert any(w.startswith("truncated") for w in rep.warnings)


def test_deeply_nested_tables_do_not_crash():
    depth = 3000
    data = ("<html><body>" + "<table><tr><td>" * depth + "年度报告" + "</td></tr></table>" * depth).encode()
    try:
        extract(data)
    except UnreadableDocument:
        pass


def test_truncated_html_gives_partial_content():
    rep = extract(_page(SECTIONS)[:-200])
    assert rep.kind == "report" and "s4" in rep.sections
