"""The report spider's decisions on saved pages: what it follows, what it emits, what it refuses."""
from scrapy import Request
from scrapy.utils.test import get_crawler

from govcrawl.registry import Site
from govcrawl.crawl.run import CrawlRun
from spiders.reports import ReportsSpider

from helpers import file_response

LISTING = "http://127.0.0.21:8000/zwgk/zfxxgknb/index.html"


def make_spider(tmp_path):
    site = Site(site_id="demo-sfq", name="示范区人民政府", level="district", division_code="500199",
                parent_id="", listing_urls=(LISTING,), allowed_domains=("127.0.0.21",),
                platform="trs", verified=False)
    crawler = get_crawler(ReportsSpider)
    crawler.govcrawl_run = CrawlRun(db_path=tmp_path / "a.db", warc_dir=tmp_path / "warc", sites=[site])
    spider = ReportsSpider.from_crawler(crawler)
    return spider


def test_listing_yields_report_pages_and_further_listing_pages_but_no_off_site_links(tmp_path):
    spider = make_spider(tmp_path)
    response = file_response("spider/listing.html", LISTING, meta={"site_id": "demo-sfq"})
    requests = [r for r in spider.parse_listing(response) if isinstance(r, Request)]
    reports = sorted(r.url for r in requests if r.meta["role"] == "report")
    listings = [r.url for r in requests if r.meta["role"] == "listing"]
    assert reports == ["http://127.0.0.21:8000/zwgk/zfxxgknb/202001/t20200120_901.htm",
                       "http://127.0.0.21:8000/zwgk/zfxxgknb/202101/t20210115_1001.htm"]
    assert listings == ["http://127.0.0.21:8000/zwgk/zfxxgknb/index_1.html"]
    assert spider.run.summary.site("demo-sfq").listing_pages == 1


def test_report_page_with_an_attachment_fetches_it_before_emitting_one_item(tmp_path):
    spider = make_spider(tmp_path)
    url = "http://127.0.0.21:8000/zwgk/zfxxgknb/202101/t20210115_1001.htm"
    response = file_response("spider/report_with_attachment.html", url,
                             meta={"site_id": "demo-sfq", "link_text": "年报"})
    (request,) = list(spider.parse_report(response))
    assert request.url == "http://127.0.0.21:8000/zwgk/zfxxgknb/202101/P020210115123456.pdf"
    pdf = file_response("spider/report_with_attachment.html", request.url, meta=request.meta,
                        content_type="application/pdf")
    (item,) = list(spider.parse_attachment(pdf))
    assert item["page"]["url"] == url
    assert [a["url"] for a in item["attachments"]] == [request.url]
