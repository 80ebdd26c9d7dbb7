"""All Scrapy and govcrawl defaults in one place (the ``scrapy.cfg`` settings module).

Polite by default: robots.txt obeyed, AutoThrottle on, at most 2 concurrent requests per domain,
a User-Agent that names govcrawl with a contact URL, timeouts, bounded retries and body sizes.
Every GOVCRAWL_* setting can be overridden with ``-s NAME=value`` or by the CLI's options.
"""
import os

from govcrawl import __version__, netguard

netguard.install_if_requested()

BOT_NAME = "govcrawl"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- govcrawl ------------------------------------------------------------------------------------
GOVCRAWL_SITES = os.environ.get("GOVCRAWL_SITES", "data/sites.csv")
GOVCRAWL_SITE_IDS = ""  # space/comma separated registry ids; empty = every row
GOVCRAWL_DB = os.environ.get("GOVCRAWL_DB", "data/archive.db")
GOVCRAWL_WARC_DIR = os.environ.get("GOVCRAWL_WARC_DIR", "data/warc")
GOVCRAWL_WARC_MAX_BYTES = 512 * 1024 * 1024
GOVCRAWL_CONTACT_URL = os.environ.get("GOVCRAWL_CONTACT_URL", "https://example.org/govcrawl-contact")
GOVCRAWL_LISTING_DEPTH = 3  # listing → sub-listing → … hops allowed per site
GOVCRAWL_MAX_LISTING_PAGES = 50  # pagination budget per listing
GOVCRAWL_MAX_ATTACHMENTS = 10  # attachments fetched per report page
GOVCRAWL_INGEST = os.environ.get("GOVCRAWL_INGEST", "alongside")  # or "off": capture only, `govcrawl ingest` later
GOVCRAWL_INGEST_WORKERS = 2  # extraction processes beside the crawl (0 = in the ingest thread)
GOVCRAWL_EXTRACT_TIMEOUT = 120  # seconds per report chain before it is recorded as unreadable
GOVCRAWL_EXTRACT_MEMORY_MB = 2048  # address space per extraction process
GOVCRAWL_EXTRACT_BUILDER = ""  # "module:function" to build reports instead of ingest.build_report
GOVCRAWL_FEED_DIR = os.environ.get("GOVCRAWL_FEED_DIR", "")  # Atom + JSON feeds of changes; "" = <archive dir>/feeds
GOVCRAWL_FEED_BASE_URL = os.environ.get("GOVCRAWL_FEED_BASE_URL", "http://127.0.0.1:8001")  # entries link <base>/<db>/reports/<id>
GOVCRAWL_COLUMN_BUDGET = 30  # pages a site may cost while its 年报 column is looked for (column.py)
GOVCRAWL_SCRAPY_LOG = False  # `govcrawl crawl` hides Scrapy's own INFO lines unless this is on

# --- politeness ------------------------------------------------------------------------------------
USER_AGENT = (f"govcrawl/{__version__} (archival crawler of government information-disclosure "
              f"annual reports; +{GOVCRAWL_CONTACT_URL})")
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
DEPTH_LIMIT = 12
REDIRECT_MAX_TIMES = 5
# govcrawl/crawl/politeness.py: when to retry (backoff, Retry-After), robots.txt Crawl-delay, and a cap on
# requests per registry site and run so traps (endless calendars, redirect mazes) end with a reason.
GOVCRAWL_RETRY_BACKOFF_BASE = 1.0  # seconds before the 1st retry; doubles each retry
GOVCRAWL_RETRY_BACKOFF_MAX = 60.0
GOVCRAWL_RETRY_AFTER_MAX = 120.0  # a longer Retry-After is not waited for (recorded as blocked)
GOVCRAWL_HONOUR_CRAWL_DELAY = True
GOVCRAWL_CRAWL_DELAY_MAX = 60.0
GOVCRAWL_SITE_PAGE_BUDGET = 3000  # requests per site and run (0 = unlimited)
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DATEFORMAT = "%H:%M:%S"

# --- components ------------------------------------------------------------------------------------
EXTENSIONS = {"govcrawl.crawl.extensions.CaptureExtension": 100}
DOWNLOADER_MIDDLEWARES = {
    "govcrawl.crawl.middlewares.SiteScopeMiddleware": 50,
    "govcrawl.crawl.middlewares.RevalidationMiddleware": 60,
    "govcrawl.crawl.politeness.PolitenessMiddleware": 560,  # after robots.txt: counts requests really sent
}
ITEM_PIPELINES = {"govcrawl.crawl.pipelines.ArchivePipeline": 300}
