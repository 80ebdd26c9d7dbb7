"""One title/year classifier: listing links and extracted pages read report titles the same way."""
from __future__ import annotations

import pytest

from govcrawl.crawl import discovery
from govcrawl.extract import meta, titles

TITLES = [
    ("重庆市渝北区民政局2020年政府信息公开工作年度报告", 2020),
    ("鹭湾区2021年度政府信息公开工作年度报告", 2021),
    ("二〇一九年政府信息公开工作年度报告", 2019),
    ("二O二二年度政府信息公开年报", 2022),  # the 二O typo
    ("2019年度石岭县政府信息公开工作报告", 2019),
    ("澜州市水务局2023年政务公开工作年度报告", 2023),
    ("2021年3月发布：某区2020年政府信息公开年报", 2020),
]


@pytest.mark.parametrize("title,year", TITLES)
def test_listing_links_and_extracted_pages_agree_on_the_year_of_a_report_title(title, year):
    assert discovery.classify_title(title)[0]
    assert discovery.report_year(title) == titles.report_year(title) == year
    assert meta.looks_like_report_title(title)
    assert meta.report_year(title, "") == year


def test_the_title_year_wins_over_a_period_sentence_for_another_year_in_the_body():
    body = "本报告统计期限自2021年1月1日起至2021年12月31日止。"
    assert meta.report_year("某局2022年政府信息公开工作年度报告", body) == 2022
    assert meta.report_year("某局信息公开专栏", body) == 2021


def test_notices_about_reports_are_not_reports_for_either():
    title = "关于报送2020年政府信息公开工作年度报告的通知"
    assert discovery.classify_title(title) == (False, "notice about reports: 通知")
    assert meta.looks_like_report_title(title)  # the page's content decides for an extracted page
