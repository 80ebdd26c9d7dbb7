"""Run the report spider in this process and return the run's summary."""
from __future__ import annotations

import logging
import os
from pathlib import Path

from govcrawl.registry import load_sites, select_sites
from govcrawl.crawl.run import ArchiveLock


def crawl_settings(*, sites: str | Path, db: str | Path, warc_dir: str | Path | None = None,
                   site_ids: list[str] | tuple[str, ...] = (), delay: float | None = None,
                   max_runtime: float | None = None, log_file: str | Path | None = None,
                   overrides: dict | None = None):
    """Project settings with the CLI's choices applied (validated registry, paths, politeness)."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "govcrawl.crawl.settings")
    from scrapy.utils.project import get_project_settings

    loaded = load_sites(sites)  # fail early, with the registry's own message
    if site_ids:
        select_sites(loaded, list(site_ids))
    settings = get_project_settings()
    settings.set("GOVCRAWL_SITES", str(sites))
    settings.set("GOVCRAWL_SITE_IDS", " ".join(site_ids))
    settings.set("GOVCRAWL_DB", str(db))
    settings.set("GOVCRAWL_SUMMARY_PRINTED_BY_CLI", True)
    if warc_dir:
        settings.set("GOVCRAWL_WARC_DIR", str(warc_dir))
    if max_runtime:
        settings.set("CLOSESPIDER_TIMEOUT", max_runtime)
    if log_file:
        settings.set("LOG_FILE", str(log_file))
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay)
        settings.set("AUTOTHROTTLE_START_DELAY", max(delay, 0.01))
    for key, value in (overrides or {}).items():
        settings.set(key, value)
    return settings


def run_crawl(settings) -> dict | None:
    """Crawl every selected registry row once; returns ``RunSummary.to_dict()`` of the run.

    Raises ``ArchiveLocked`` before starting when another crawl writes the same archive.
    """
    from scrapy.crawler import CrawlerProcess

    ArchiveLock(settings.get("GOVCRAWL_DB")).acquire().release()  # fail fast, with a clear message
    if not settings.getbool("GOVCRAWL_SCRAPY_LOG"):
        # Scrapy's own INFO lines (banner, component lists, stats dumps) drown the per-site
        # progress: Scrapy logs warnings and errors only, govcrawl's own loggers keep INFO.
        _govcrawl_progress_log(settings)
        settings.set("LOG_LEVEL", "WARNING")
    _one_line_robots_errors()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("reports")
    process.crawl(crawler)
    process.start()
    return getattr(crawler, "govcrawl_summary", None)


def _govcrawl_progress_log(settings) -> None:
    logger = logging.getLogger("govcrawl")
    if not any(getattr(h, "govcrawl_progress", False) for h in logger.handlers):
        log_file = settings.get("LOG_FILE")
        handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler()
        handler.govcrawl_progress = True
        handler.setFormatter(logging.Formatter(settings.get("LOG_FORMAT"), settings.get("LOG_DATEFORMAT")))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class _NoTraceback(logging.Filter):
    """A robots.txt that cannot be fetched (dead host, refused connection) is one line for the
    operator, not a traceback: the site's failure is in the summary with its kind."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info:
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _one_line_robots_errors() -> None:
    logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, _NoTraceback) for f in logger.filters):
        logger.addFilter(_NoTraceback())
