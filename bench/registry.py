"""Registry targets on the simulated national web (govcrawl/demo/simweb.py).

    .venv/bin/python bench/registry.py [--portals 320] [--per-host 2] [--keep DIR]

Serves ≥ 300 synthetic portals at the registry's own host names on loopback, crawls them twice
(night 1: discovery from the portal home; night 2: revalidation straight from the stored column),
and prints the targets: columns found within the budget, reports archived on found columns,
requests outside a site's domains, every dead/moved/blocked site named, and sites per hour for
each night with the projection for the whole registry. Exit status 1 when a target is missed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from govcrawl.demo import simweb  # noqa: E402
from govcrawl.registry import load_sites  # noqa: E402


def crawl(registry: Path, db: Path, warc: Path, hosts: Path, per_host: int, delay: float,
          concurrency: int) -> float:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "reports", "-a", f"sites={registry}",
           "-s", f"GOVCRAWL_DB={db}", "-s", f"GOVCRAWL_WARC_DIR={warc}"]
    for s in simweb.crawl_settings(hosts, per_host=per_host) + [
            f"DOWNLOAD_DELAY={delay}", f"CONCURRENT_REQUESTS={concurrency}"]:
        cmd += ["-s", s]
    env = dict(__import__("os").environ, GOVCRAWL_LOOPBACK_ONLY="1")
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"crawl failed with status {result.returncode}")
    (db.parent / f"crawl-{int(start)}.log").write_text(result.stderr, encoding="utf-8")
    return elapsed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--portals", type=int, default=320)
    p.add_argument("--per-host", type=int, default=2, help="connections per host (1 or 2)")
    p.add_argument("--delay", type=float, default=0.0,
                   help="seconds between requests to one host (production: 1.0)")
    p.add_argument("--concurrency", type=int, default=64, help="requests in flight overall")
    p.add_argument("--keep", type=Path, help="keep the archive and logs here")
    args = p.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="govcrawl-registry-"))
    tmp.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    sites = load_sites(ROOT / "data" / "sites.csv")
    load_seconds = time.perf_counter() - start
    crawlable = sum(1 for s in sites if s.crawlable)
    with simweb.serve_world(sites, args.portals) as world:
        registry, hosts, db = tmp / "sites.csv", tmp / "hosts.json", tmp / "archive.db"
        registry.write_text(world.registry_rows(sites), encoding="utf-8")
        world.write_hosts(hosts)
        allows = {s.site_id: s.allows for s in load_sites(registry)}
        night1 = crawl(registry, db, tmp / "warc", hosts, args.per_host, args.delay, args.concurrency)
        first = simweb.evaluate(world, db, allows)
        requests1 = len(world.requests)
        night2 = crawl(registry, db, tmp / "warc", hosts, args.per_host, args.delay, args.concurrency)
        second = simweb.evaluate(world, db, allows)
        requests2 = len(world.requests) - requests1
    n = first["portals"]
    out = {
        "registry": {"rows": len(sites), "crawlable": crawlable, "load_seconds": round(load_seconds, 3)},
        "settings": {"per_host": args.per_host, "delay": args.delay, "concurrency": args.concurrency},
        "portals": n, "families": {f: sum(1 for p in world.portals if p.family == f) for f in simweb.FAMILIES},
        "night1_discovery": {**{k: v for k, v in first.items() if k != "wrong_health"},
                             "seconds": round(night1, 1), "requests": requests1,
                             "sites_per_hour": round(n / night1 * 3600)},
        "night2_revalidation": {"seconds": round(night2, 1), "requests": requests2,
                                "sites_per_hour": round(n / night2 * 3600),
                                "columns_found_pct": second["columns_found_pct"],
                                "reports_pct": second["reports_pct"],
                                "requests_off_domain": second["requests_off_domain"]},
        "wrong_health": first["wrong_health"],
        "projection_for_registry": {
            "crawlable_rows": crawlable,
            "discovery_hours_at_this_rate": round(crawlable / (n / night1) / 3600, 2),
            "revalidation_hours_at_this_rate": round(crawlable / (n / night2) / 3600, 2),
        },
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    missed = []
    if first["columns_found_pct"] < 98:
        missed.append("columns found < 98 %")
    if first["reports_pct"] < 100 or second["reports_pct"] < 100:
        missed.append("reports on found columns < 100 %")
    if first["requests_off_domain"] or second["requests_off_domain"]:
        missed.append("requests outside a site's domains")
    if first["failing_named_correctly"] < first["failing_sites"]:
        missed.append("a dead/moved/blocked site not named as such")
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    print(f"archive and logs in {tmp}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
