"""Benchmark: what a nightly re-crawl of an unchanged site costs, against the first crawl.

Generates a mirror of N sites × P listing pages × 20 reports (default 10 × 10 × 20 = 2,000 report
pages + 100 listing pages) from a demo report page, serves it on 127.0.0.x, crawls it twice with
`scrapy crawl reports` (polite concurrency: 2 per site, no delay), and prints bytes transferred
(Scrapy's downloader/response_bytes: headers + bodies) and wall time of both crawls, and the ratios.
Target: second crawl ≤ 5 % of the first's bytes and ≤ 1/5 of its time.

    .venv/bin/python bench/incremental.py [--sites 10] [--pages 10]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcrawl.demo.mirror import serve_mirror  # noqa: E402

TEMPLATE = ROOT / "data/demo/sites/luwan/zwgk/zfxxgk/zfxxgknb/202202/t20220218_3011245.htm"
PER_PAGE = 20
HEADER = "site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified\n"


def listing_page(site: int, page: int, pages: int) -> str:
    items = []
    for k in range(PER_PAGE):
        n = page * PER_PAGE + k
        items.append(f'<li><a href="./2022{(n % 12) + 1:02d}/t20220218_{n}.htm">'
                     f'第{site}号单位{2000 + n % 25}年政府信息公开工作年度报告</a><span>2022-02-18</span></li>')
    return (f'<html><head><meta charset="utf-8"><title>政府信息公开年报</title></head><body>'
            f'<ul class="list">{"".join(items)}</ul>'
            f'<script>createPageHTML({pages}, {page}, "index", "html");</script></body></html>')


def generate(root: Path, sites: int, pages: int) -> int:
    template = TEMPLATE.read_text(encoding="utf-8")
    count = 0
    for s in range(sites):
        base = root / f"site{s:02d}" / "zwgk" / "zfxxgknb"
        base.mkdir(parents=True)
        for p in range(pages):
            name = "index.html" if p == 0 else f"index_{p}.html"
            (base / name).write_text(listing_page(s, p, pages), encoding="utf-8")
            for k in range(PER_PAGE):
                n = p * PER_PAGE + k
                page = base / f"2022{(n % 12) + 1:02d}" / f"t20220218_{n}.htm"
                page.parent.mkdir(exist_ok=True)
                # one agency's report per page (as on a district's column of its departments' reports)
                body = template.replace("鹭湾区2021年度", f"第{s}号单位第{n}处2021年度")
                page.write_text(body.replace("</body>", f"<!-- site {s} report {n} --></body>"),
                                encoding="utf-8")
                count += 1
    return count


def crawl(registry: Path, work: Path, *settings: str) -> tuple[float, int, int]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sites={registry}",
           "-s", f"GOVCRAWL_DB={work / 'archive.db'}", "-s", f"GOVCRAWL_WARC_DIR={work / 'warc'}",
           "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
           "-s", "GOVCRAWL_MAX_LISTING_PAGES=200", "-s", "LOG_LEVEL=INFO"]
    for s in settings:
        cmd += ["-s", s]
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, GOVCRAWL_LOOPBACK_ONLY="1"))
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    stat = lambda name: int(re.search(rf"'{name}': (\d+)", result.stderr).group(1))  # noqa: E731
    return elapsed, stat("downloader/response_bytes"), stat("downloader/response_count")


def write_registry(mirror, path: Path) -> Path:
    rows = [f"bench-{d.replace('site', '')},第{d}号单位,district,5001{i + 1:02d},,"
            f"http://{host}/zwgk/zfxxgknb/index.html,{host.split(':')[0]},trs,1"
            for i, (d, host) in enumerate(sorted(mirror.hosts.items()))]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--pages", type=int, default=10, help="listing pages per site (20 reports each)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reports = generate(tmp / "mirror", args.sites, args.pages)
        with serve_mirror(tmp / "mirror", {}) as mirror:
            registry = write_registry(mirror, tmp / "sites.csv")
            first = crawl(registry, tmp)
            second = crawl(registry, tmp)
    pages = reports + args.sites * args.pages
    print(f"mirror: {args.sites} sites, {pages} pages ({reports} report pages)")
    print(f"first crawl:  {first[0]:7.1f} s  {first[1] / 1e6:8.2f} MB  {first[2]} responses")
    print(f"second crawl: {second[0]:7.1f} s  {second[1] / 1e6:8.2f} MB  {second[2]} responses")
    print(f"bytes ratio: {second[1] / first[1]:.3%} (target <= 5%)")
    print(f"time ratio:  {second[0] / first[0]:.3f} = 1/{first[0] / second[0]:.1f} (target <= 1/5)")


if __name__ == "__main__":
    main()
