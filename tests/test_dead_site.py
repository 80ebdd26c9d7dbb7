"""What an operator sees when a site is dead: one line per failure, progress while retrying."""
from __future__ import annotations

import socket
import subprocess
import sys

from helpers import ROOT, crawl_env, query


def closed_port(ip: str) -> int:
    with socket.socket() as s:
        s.bind((ip, 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_a_dead_site_says_connection_refused_in_one_line_and_shows_its_retries(tmp_path):
    ip = "127.0.0.77"
    port = closed_port(ip)
    registry = tmp_path / "sites.csv"
    registry.write_text("site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified\n"
                        f"dead,澜州市停摆局,department,369900,,http://{ip}:{port}/nb/index.html,{ip},generic,0\n",
                        encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "govcrawl.cli", "crawl", "--sites", str(registry), "--db", str(tmp_path / "a.db"),
         "--warc-dir", str(tmp_path / "warc"), "-s", "RETRY_TIMES=2", "-s", "GOVCRAWL_RETRY_BACKOFF_BASE=0.1"],
        cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "connection refused; retry 1 of 2" in result.stderr
    assert "FAILED: down" in result.stdout and "dead" in result.stderr.splitlines()[-1]
    (run,) = query(tmp_path / "a.db", "select status from runs")
    assert run["status"] == "failed"
