"""Benchmark: what the national registry costs to crawl — measured on a generated mirror, projected.

Measures, at polite settings (the project's defaults: 2 connections per host, 1 s between requests
to a host with AutoThrottle, robots.txt with ``Crawl-delay: 1`` on every generated site), a first
crawl (night 1) and an unchanged re-crawl (a quiet night) of a mirror of N sites × P listing pages
× 20 report pages (bench/incremental.py's generator): per site the requests, bytes and seconds, and
for the whole crawl the CPU seconds, WARC and SQLite bytes. Extraction CPU per real document is
measured on ../shared/corpus (HTML and PDF) when it is there. From those it projects the national
registry (~3,200 sites, ~90,000 reports a year, ~1.5 M since 2008): one 2-core machine's quiet
night, the nodes a one-week backfill needs, and which resource binds. Assumptions are printed
beside the numbers.

    .venv/bin/python bench/national_cost.py [--sites 10] [--pages 5] [--delay 1.0]
"""
from __future__ import annotations

import argparse
import math
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcrawl.demo.mirror import serve_mirror  # noqa: E402


def _load_incremental():
    """bench/incremental.py, loaded by path: Twisted's dependency owns the module name `incremental`."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_incremental", ROOT / "bench" / "incremental.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_incremental = _load_incremental()
HEADER, PER_PAGE, generate = _incremental.HEADER, _incremental.PER_PAGE, _incremental.generate

CORPUS = ROOT.parent / "shared" / "corpus"

# --- the national registry (from the issue) and the assumptions about the real web ---------------
NATIONAL_SITES = 3_200
REPORTS_PER_YEAR = 90_000
REPORTS_SINCE_2008 = 1_500_000
ATTACHMENTS_PER_REPORT = 0.5  # share of reports published as (or with) a PDF/DOC attachment
PDF_SHARE = 0.5  # of the backfill's documents, the share that are PDFs (the rest HTML)
REPORTS_PER_LISTING_PAGE = 20  # TRS/Hanweb columns list 15–25 items a page
REAL_LATENCY_S = 1.0  # government portals: a typical response time, seconds
REAL_BYTES_PER_DOC = 400_000  # a real report: 50–150 KB HTML pages, 0.3–2 MB PDFs; a middle value
CONCURRENT_REQUESTS = 16  # Scrapy's global concurrency per crawl process (govcrawl/crawl/settings.py)
CORES = 2
WEEK_S = 7 * 86_400


def polite_registry(mirror, path: Path) -> None:
    rows = [f"bench-{d.replace('site', '')},第{d}号单位,district,5001{i + 1:02d},,"
            f"http://{host}/zwgk/zfxxgknb/index.html,{host.split(':')[0]},trs,1"
            for i, (d, host) in enumerate(sorted(mirror.hosts.items()))]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")


def crawl(registry: Path, work: Path, delay: float, *settings: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the crawl and its extraction workers) of one polite
    `scrapy crawl reports`."""
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sites={registry}",
           *(arg for s in settings for arg in ("-s", s)),
           "-s", f"GOVCRAWL_DB={work / 'archive.db'}", "-s", f"GOVCRAWL_WARC_DIR={work / 'warc'}",
           "-s", f"DOWNLOAD_DELAY={delay}", "-s", f"AUTOTHROTTLE_START_DELAY={max(delay, 0.01)}",
           "-s", "GOVCRAWL_MAX_LISTING_PAGES=200", "-s", "LOG_LEVEL=WARNING"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, GOVCRAWL_LOOPBACK_ONLY="1"))
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def per_site(mirror, db: Path, since: float) -> dict[str, dict]:
    """Requests and seconds per site from the mirror's own log; body bytes from the captures."""
    out = {}
    for site_dir in sorted(mirror.hosts):
        hits = [r for r in mirror.requests_for(site_dir) if r[4] >= since]
        times = [r[4] for r in hits]
        out[site_dir] = {"requests": len(hits), "seconds": (max(times) - min(times)) if times else 0.0,
                         "304": sum(1 for r in hits if r[3] == 304)}
    conn = sqlite3.connect(db)
    run = conn.execute("select run_id from runs order by started_at desc limit 1").fetchone()[0]
    for site_id, nbytes in conn.execute("select site_id, sum(length) from captures where run_id = ? "
                                        "group by site_id", [run]):
        out[f"site{site_id.split('-')[1]}"]["bytes"] = nbytes or 0
    conn.close()
    return out


def size_of(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def extraction_cpu() -> dict[str, float]:
    """Median CPU seconds to extract one real document, by kind (needs ../shared/corpus)."""
    from govcrawl.extract import extract

    kinds: dict[str, list[float]] = {"html": [], "pdf": []}
    for path in sorted(CORPUS.rglob("*")) if CORPUS.is_dir() else []:
        kind = "pdf" if path.suffix.lower() == ".pdf" else "html" if path.suffix.lower() in (".htm", ".html") else None
        if not kind:
            continue
        body = path.read_bytes()
        t = time.process_time()
        try:
            extract(body, url=f"http://example.invalid/{path.name}")
        except Exception:  # noqa: BLE001 - a document that fails still cost its time
            pass
        kinds[kind].append(time.process_time() - t)
    return {k: statistics.median(v) for k, v in kinds.items() if v}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=10)
    ap.add_argument("--pages", type=int, default=5, help="listing pages per site (20 reports each)")
    ap.add_argument("--delay", type=float, default=1.0, help="seconds between requests to one host")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        reports = generate(tmp / "mirror", args.sites, args.pages)
        for site in (tmp / "mirror").iterdir():
            (site / "robots.txt").write_text("User-agent: *\nCrawl-delay: 1\n", encoding="utf-8")
        with serve_mirror(tmp / "mirror", {}) as mirror:
            registry = tmp / "sites.csv"
            polite_registry(mirror, registry)
            t0 = time.time()
            # extraction in the crawl process (ingest thread), so the process's CPU time counts it:
            # forkserver workers are not this process's children
            inline = "GOVCRAWL_INGEST_WORKERS=0"
            wall1, cpu1 = crawl(registry, tmp, args.delay, inline)
            night1 = per_site(mirror, tmp / "archive.db", t0)
            warc1, db1 = size_of(tmp / "warc"), size_of(tmp / "archive.db")
            t1 = time.time()
            wall2, cpu2 = crawl(registry, tmp, args.delay, inline)
            night2 = per_site(mirror, tmp / "archive.db", t1)
            warc2, db2 = size_of(tmp / "warc"), size_of(tmp / "archive.db")
            # a cluster node's night 1: capture only, extraction left to the ingest machine
            mirror.reset()
            wall3, cpu3 = crawl(registry, tmp / "capture-only", args.delay, "GOVCRAWL_INGEST=off")
    extract_cpu = extraction_cpu()

    pages_per_site = args.pages * (PER_PAGE + 1)
    print(f"mirror: {args.sites} sites × {pages_per_site} pages ({reports} report pages); polite: "
          f"2 connections/host, DOWNLOAD_DELAY {args.delay} s + AutoThrottle, robots Crawl-delay 1 s\n")
    print(f"{'site':<8} {'night 1: req':>12} {'bytes':>10} {'s':>7}   {'quiet night: req':>16} {'304s':>5} "
          f"{'bytes':>8} {'s':>7}")
    for site in sorted(night1):
        a, b = night1[site], night2[site]
        print(f"{site:<8} {a['requests']:>12} {a.get('bytes', 0):>10,} {a['seconds']:>7.1f}   "
              f"{b['requests']:>16} {b['304']:>5} {b.get('bytes', 0):>8,} {b['seconds']:>7.1f}")
    req1 = sum(s["requests"] for s in night1.values())
    req2 = sum(s["requests"] for s in night2.values())
    secs1 = statistics.mean(s["seconds"] for s in night1.values())
    secs2 = statistics.mean(s["seconds"] for s in night2.values())
    print(f"\nwhole crawl   night 1: {wall1:6.1f} s wall, {cpu1:6.1f} s CPU, {req1} requests, "
          f"WARC {warc1 / 1e6:.1f} MB, SQLite {db1 / 1e6:.1f} MB")
    print(f"              quiet:   {wall2:6.1f} s wall, {cpu2:6.1f} s CPU, {req2} requests, "
          f"WARC +{(warc2 - warc1) / 1e6:.2f} MB, SQLite +{(db2 - db1) / 1e6:.2f} MB")
    s_per_req = statistics.mean(s["seconds"] / max(s["requests"] - 1, 1) for s in night2.values())
    cpu_req1, cpu_req2 = cpu1 / req1, cpu2 / req2
    print(f"measured: {s_per_req:.2f} s between requests to one host (politeness); CPU per request "
          f"{cpu_req1 * 1000:.1f} ms on night 1 (fetch + WARC + extraction of an HTML report), "
          f"{cpu_req2 * 1000:.1f} ms on a quiet night (304 + revisit record), "
          f"{cpu3 / req1 * 1000:.1f} ms on night 1 capturing only (a cluster node: {wall3:.0f} s wall)")
    if extract_cpu:
        print("measured on ../shared/corpus: extraction CPU per real document " +
              ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in extract_cpu.items()))
    print(f"per report stored: WARC {warc1 / reports / 1e3:.1f} KB (demo-sized pages), SQLite "
          f"{db1 / reports / 1e3:.1f} KB")

    # --- projection --------------------------------------------------------------------------------
    reports_per_site = REPORTS_SINCE_2008 / NATIONAL_SITES
    req_site = reports_per_site * (1 + ATTACHMENTS_PER_REPORT) + reports_per_site / REPORTS_PER_LISTING_PAGE
    total_req = NATIONAL_SITES * req_site
    print("\nprojection for the national registry — assumptions:")
    print(f"  {NATIONAL_SITES:,} sites; {REPORTS_SINCE_2008:,} reports since 2008 = {reports_per_site:.0f} per "
          f"site; {ATTACHMENTS_PER_REPORT} attachments per report; {REPORTS_PER_LISTING_PAGE} reports per "
          f"listing page → {req_site:.0f} requests per site, {total_req / 1e6:.2f} M in all")
    print(f"  every known report and attachment revalidated every night (If-None-Match → 304); "
          f"{s_per_req:.2f} s between requests to a host (measured above); real latency "
          f"{REAL_LATENCY_S} s; {CONCURRENT_REQUESTS} requests in flight per crawl process, one process per core "
          f"({CORES} cores); a real document {REAL_BYTES_PER_DOC / 1e3:.0f} KB, {PDF_SHARE:.0%} PDFs")

    # A quiet night on one machine: the slowest of three limits.
    def limits(total: float, cpu_each: float, in_flight: int) -> dict[str, float]:
        return {"politeness (one site's requests in sequence)": req_site * s_per_req,
                f"{in_flight} requests in flight × {REAL_LATENCY_S} s latency": total * REAL_LATENCY_S / in_flight,
                "CPU": total * cpu_each / CORES}

    docs = REPORTS_SINCE_2008 * (1 + ATTACHMENTS_PER_REPORT)
    pdf_cpu, html_cpu = extract_cpu.get("pdf", 1.0), extract_cpu.get("html", 0.1)
    doc_cpu = PDF_SHARE * pdf_cpu + (1 - PDF_SHARE) * html_cpu + cpu_req1
    rows = [("quiet night, settings as shipped", limits(total_req, cpu_req2, CONCURRENT_REQUESTS * CORES)),
            ("quiet night, CONCURRENT_REQUESTS=64", limits(total_req, cpu_req2, 64 * CORES)),
            ("backfill since 2008, as shipped", limits(total_req, doc_cpu * docs / total_req,
                                                       CONCURRENT_REQUESTS * CORES)),
            ("backfill, PDFs 3× slower than measured", limits(
                total_req, (PDF_SHARE * pdf_cpu * 3 + (1 - PDF_SHARE) * html_cpu + cpu_req1) * docs / total_req,
                CONCURRENT_REQUESTS * CORES))]
    print()
    print(f"{'one 2-core machine':<40} {'hours':>6}  {'nodes: 1 week':>13} {'nodes: 8 h':>10}  binding limit "
          "(the others)")
    for name, lim in rows:
        bound = max(lim, key=lim.get)
        hours = lim[bound] / 3600
        others = ", ".join(f"{k} {v / 3600:.1f} h" for k, v in lim.items() if k != bound)
        print(f"{name:<40} {hours:>6.1f}  {math.ceil(hours * 3600 / WEEK_S):>13} {math.ceil(hours / 8):>10}  "
              f"{bound} ({others})")
    print(f"\nCPU per document in the backfill: {PDF_SHARE:.0%} × {pdf_cpu * 1000:.0f} ms (PDF) + "
          f"{1 - PDF_SHARE:.0%} × {html_cpu * 1000:.0f} ms (HTML) extraction + {cpu_req1 * 1000:.0f} ms "
          "(night 1's CPU per request: fetch, WARC, store, and the demo page's own extraction)")
    # In the cluster the two costs separate: nodes capture, the ingest machine extracts.
    capture = cpu3 / req1
    node = limits(total_req, capture, CONCURRENT_REQUESTS * CORES)
    bound = max(node, key=node.get)
    print(f"cluster: a crawl node capturing the backfill: {node[bound] / 3600:.1f} h, bound by {bound} "
          f"(its CPU {node['CPU'] / 3600:.1f} h at {capture * 1000:.1f} ms a request) → "
          f"{math.ceil(node[bound] / WEEK_S)} node for a week, {math.ceil(node[bound] / 3600 / 8)} for 8 h")
    ingest_h = docs * (doc_cpu - capture) / 3600
    print(f"cluster: the ingest machine extracts and stores {docs:,.0f} documents: {ingest_h:.0f} CPU-hours "
          f"→ {math.ceil(ingest_h / (WEEK_S / 3600))} core(s) for a week, {math.ceil(ingest_h / 8)} cores for 8 h "
          "(one SQLite writer; extraction in worker processes)")
    print(f"disk: backfill {docs * REAL_BYTES_PER_DOC / 1e9:,.0f} GB of WARC (gzip records; real documents "
          f"{REAL_BYTES_PER_DOC / 1e3:.0f} KB), SQLite ~{REPORTS_SINCE_2008 * db1 / reports / 1e9:.0f} GB "
          f"({db1 / reports / 1e3:.0f} KB a report, measured); a year adds "
          f"{REPORTS_PER_YEAR * (1 + ATTACHMENTS_PER_REPORT) * REAL_BYTES_PER_DOC / 1e9:,.0f} GB; a quiet night "
          f"~{(warc2 - warc1) / req2 * total_req / 1e9:.1f} GB of revisit records")
    from govcrawl.cluster.shards import shard_of

    sizes = [0] * 64
    for i in range(NATIONAL_SITES):
        sizes[shard_of(f"site-{i:04d}", 64)] += 1
    print(f"shards: {NATIONAL_SITES:,} sites hashed into 64 shards hold {min(sizes)}–{max(sizes)} sites "
          f"(mean {NATIONAL_SITES / 64:.0f})")


if __name__ == "__main__":
    main()
