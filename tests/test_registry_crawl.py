"""A national registry in a crawl: attribution-only rows are stored but never crawled or failed."""
from __future__ import annotations

from govcrawl.crawl.run import CrawlRun
from govcrawl.registry import load_sites


def test_rows_without_a_site_are_not_crawled_and_not_reported_failed(tmp_path):
    registry = tmp_path / "sites.csv"
    registry.write_text(
        "site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified,portal_url,valid_from,valid_to\n"
        "cn-110103,北京市崇文区人民政府,district,110103,,,,,0,,1981,2009\n"
        "cn-110101,北京市东城区人民政府,district,110101,,,bjdch.gov.cn,,0,https://www.bjdch.gov.cn/,1981,\n",
        encoding="utf-8")
    run = CrawlRun(db_path=tmp_path / "a.db", warc_dir=tmp_path / "warc", sites=load_sites(registry))
    try:
        assert set(run.summary.sites) == {"cn-110101"}
        assert run.site_for_url("https://xxgk.bjdch.gov.cn/a.html") == "cn-110101"
        assert run.site_for_url("https://bjdch.gov.cn.evil.com/") is None
        summary = run.close("finished", complete=True)
    finally:
        run.lock.release()
    assert summary["failed_sites"] == ["cn-110101"]  # nothing read tonight: a failure, and named
    assert set(summary["health"]["sites"]) == {"cn-110101"}
    assert summary["health"]["line"].startswith("health: no column 1")


def test_a_run_stopped_early_judges_only_the_sites_it_reached(tmp_path):
    registry = tmp_path / "sites.csv"
    registry.write_text(
        "site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified,portal_url\n"
        "cn-110101,北京市东城区人民政府,district,110101,,,bjdch.gov.cn,,0,https://www.bjdch.gov.cn/\n"
        "cn-110102,北京市西城区人民政府,district,110102,,,bjxch.gov.cn,,0,http://www.bjxch.gov.cn/\n",
        encoding="utf-8")
    run = CrawlRun(db_path=tmp_path / "a.db", warc_dir=tmp_path / "warc", sites=load_sites(registry))
    try:
        run.discovery["cn-110101"] = {"searched": True, "pages_read": 0, "budget": 30}
        run.record_failure("cn-110101", "https://www.bjdch.gov.cn/", "discover: HTTP 403", 403)
        summary = run.close("shutdown", complete=False)
    finally:
        run.lock.release()
    assert summary["health"]["sites"] == {"cn-110101": ["blocked", "discover: HTTP 403", None]}
