"""Report builders for benchmarks and tests of the worker pool: a document whose URL contains
``SLOW`` takes 30 s (``GOVCRAWL_BENCH_SLOW_SECONDS``); one whose URL contains ``CRASH`` kills its
worker process, as the kernel's OOM killer would."""
import os
import time

from govcrawl.archive.ingest import build_report


def build(page, attachments):
    if "SLOW" in page.url:
        time.sleep(float(os.environ.get("GOVCRAWL_BENCH_SLOW_SECONDS", "30")))
    if "CRASH" in page.url:
        os._exit(137)
    return build_report(page, attachments)
