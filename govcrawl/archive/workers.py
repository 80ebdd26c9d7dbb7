"""Extraction in worker processes, with a time and a memory limit per document.

A PDF can take minutes and gigabytes; the crawl must never wait for it and the archive must
never lose the other reports because of it. Each report chain (page + attachments) is built by
``ingest.build_report`` in a pool process: an address-space limit (``RLIMIT_AS``) set once per
worker and an alarm per chain turn a runaway document into an "unreadable document" result with
its reason. A worker that dies (the kernel's OOM killer, a segfault in a C library) breaks the
pool; the caller gets ``WorkerDied`` for the chains in flight and a fresh pool for the rest.
"""
from __future__ import annotations

import os
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

DEFAULT_TIMEOUT = 120.0  # seconds per report chain
DEFAULT_MEMORY_MB = 2048  # address space per worker process


class WorkerDied(RuntimeError):
    pass


class ExtractionTimeout(Exception):
    pass


def _worker_init(memory_mb: int) -> None:
    """Per worker: lower CPU priority (the crawl's downloads come first; extraction catches up
    when they wait), and the address-space cap."""
    try:
        os.nice(10)
    except OSError:
        pass
    if memory_mb <= 0:
        return
    import resource

    limit = memory_mb * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a platform or container that refuses: run without the cap
        pass


def _on_alarm(signum, frame):
    raise ExtractionTimeout


def _builder(path: str | None):
    """``build_report``, or another function named "module:function" with its signature."""
    if not path:
        from govcrawl.archive.ingest import build_report

        return build_report
    import importlib

    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def build_limited(page, attachments, timeout: float, builder: str | None = None):
    """``build_report`` under an alarm; a timeout or MemoryError becomes an unreadable result."""
    from govcrawl.archive.ingest import Built

    build_report = _builder(builder)
    if timeout > 0:
        signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return build_report(page, attachments)
    except ExtractionTimeout:
        return Built(None, f"unreadable document: extraction took longer than {timeout:g} s "
                           "(GOVCRAWL_EXTRACT_TIMEOUT)", page.link_text)
    except MemoryError:
        return Built(None, "unreadable document: extraction needed more memory than the worker's "
                           "limit (GOVCRAWL_EXTRACT_MEMORY_MB)", page.link_text)
    finally:
        if timeout > 0:
            signal.setitimer(signal.ITIMER_REAL, 0)


class ExtractorPool:
    """``submit(page, attachments) -> Future[Built]``; ``workers=0`` builds in this process."""

    def __init__(self, workers: int | None = None, *, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB, builder: str | None = None):
        self.workers = min(2, os.cpu_count() or 1) if workers is None else workers
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.builder = builder or None  # "module:function" instead of ingest.build_report
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing

            # forkserver: a worker must not inherit the crawl's reactor, sockets or SQLite handles
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_worker_init,
                                             initargs=(self.memory_mb,))
        return self._pool

    def submit(self, page, attachments) -> Future:
        if self.workers <= 0:
            future: Future = Future()
            future.set_result(build_limited(page, attachments, 0, self.builder))
            return future
        try:
            return self._executor().submit(build_limited, page, attachments, self.timeout, self.builder)
        except BrokenProcessPool:
            self.restart()
            return self._executor().submit(build_limited, page, attachments, self.timeout, self.builder)

    def result(self, future: Future):
        try:
            return future.result()
        except BrokenProcessPool as exc:
            self.restart()
            raise WorkerDied("an extraction worker died (out of memory or crashed)") from exc

    def restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
