"""A report builder for bench/ingest.py: one document (its URL contains ``SLOW``) takes 30 s."""
import os
import time

from govcrawl.archive.ingest import build_report


def build(page, attachments):
    if "SLOW" in page.url:
        time.sleep(float(os.environ.get("GOVCRAWL_BENCH_SLOW_SECONDS", "30")))
    return build_report(page, attachments)
