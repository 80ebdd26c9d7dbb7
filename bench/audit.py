"""Audit, timelines and the report page on a synthetic archive: time and memory per report.

Builds the archive with bench/archive.py's generator (random but template-consistent reports),
then runs what `govcrawl audit` and `govcrawl report` run. Target: the whole audit of 100,000
reports in minutes, memory bounded by the batch size (not by the archive).

    .venv/bin/python bench/audit.py [--reports 20000] [--db PATH]
"""
from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive import build  # noqa: E402  (bench/archive.py)

from govcrawl.research import audit, report, timelines  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=20_000)
    ap.add_argument("--db", help="where to build the archive (default: a temporary folder)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db or Path(tmp) / "archive.db")
        if not db.exists():
            print(f"building {args.reports} reports: {build(db, args.reports):.1f} s")
        t = time.perf_counter()
        findings = audit.run_audit(db)
        dt = time.perf_counter() - t
        n = len(findings) // len(audit.RULES)
        print(f"audit: {n} reports, {len(findings)} findings in {dt:.1f} s ({1000 * dt / max(n, 1):.2f} ms/report)")
        t = time.perf_counter()
        rows = timelines.refresh(db)
        print(f"timelines: {len(rows)} agency-years in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        files = report.build_pages(db, Path(tmp) / "page", agencies=False)
        print(f"report page: {files[0].stat().st_size // 1024} KiB in {time.perf_counter() - t:.1f} s")
        print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB")
        counts = audit.counts_by_rule(findings)
        print("fails by rule: " + ", ".join(f"{k} {v['fail']}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
