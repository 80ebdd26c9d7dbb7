"""Test helpers: saved pages as Scrapy responses, and a crawl run on a temporary archive."""
from __future__ import annotations

import json
from pathlib import Path

from scrapy.http import HtmlResponse, Request, Response

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def file_response(name: str, url: str, *, meta: dict | None = None, content_type: str = "text/html; charset=utf-8") -> Response:
    """A response for a saved fixture page, as if fetched from ``url`` (City Scrapers' pattern)."""
    body = (FIXTURES / name).read_bytes()
    request = Request(url, meta=meta or {})
    cls = HtmlResponse if content_type.startswith("text/html") else Response
    kwargs = {"encoding": "utf-8"} if cls is HtmlResponse and "charset" in content_type else {}
    return cls(url=url, body=body, request=request, headers={"Content-Type": content_type}, **kwargs)


ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
# reports a robots-obeying crawl of the demo mirror archives (EXPECTED.json grows with the mirror)
DEMO_REPORTS = json.loads((DEMO / "EXPECTED.json").read_text(encoding="utf-8"))["counts"]["crawlable_reports"]


def crawl_command(registry: Path, db: Path, warc_dir: Path, *settings: str) -> list[str]:
    """`scrapy crawl reports` against a registry, fast settings for loopback test servers."""
    import sys

    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sites={registry}",
           "-s", f"GOVCRAWL_DB={db}", "-s", f"GOVCRAWL_WARC_DIR={warc_dir}",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01", "-s", "LOG_LEVEL=INFO"]
    for s in settings:
        cmd += ["-s", s]
    return cmd


def crawl_env() -> dict:
    import os

    return dict(os.environ, GOVCRAWL_LOOPBACK_ONLY="1")


def run_crawl(registry: Path, db: Path, warc_dir: Path, *settings: str, timeout: int = 300):
    """Run one crawl to completion in a subprocess; fail the test with its log if it fails."""
    import subprocess

    result = subprocess.run(crawl_command(registry, db, warc_dir, *settings), cwd=ROOT,
                            env=crawl_env(), capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-4000:]
    return result


def query(db: Path, sql: str, params=()) -> list[dict]:
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def assert_warcs_pass_warcio_check(directory: Path) -> None:
    """Every WARC file in ``directory`` passes `warcio check` (the archivists' own validator)."""
    import subprocess
    import sys

    files = sorted(Path(directory).glob("*.warc.gz"))
    assert files, f"no WARC files in {directory}"
    warcio = Path(sys.executable).parent / "warcio"
    for f in files:
        result = subprocess.run([str(warcio), "check", "-v", str(f)], capture_output=True, text=True)
        assert result.returncode == 0, (f, result.stdout + result.stderr)


def peak_rss_mb(pid: int) -> float | None:
    """The process's own peak resident memory (VmHWM), or None once it has gone.

    Not ``ru_maxrss``: Linux carries the forking process's high-water mark across fork and exec,
    so a crawl started from a 400 MB test process would report 400 MB whatever it used itself."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None
    return None
