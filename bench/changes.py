"""Benchmark change detection: python bench/changes.py [--reports N] [--db PATH].

Night 1 stores N synthetic reports through ``Archive.save_report`` (the crawl's own write path:
every template cell, the checks, ~1,500 characters of section text). Night 2 sees them again:
5 % with one figure corrected, 5 % in new page markup only, 2 % at a new URL, 2 % gone, the rest
unchanged. It times what the end of a crawl adds — detecting and recording the changes, writing
the Atom/JSON feeds — and checks that the counts are exactly those.

Target: the end-of-crawl work stays a small fraction of a night. A polite nightly crawl of the
national registry (3,200 sites) takes hours, so a few seconds for a few thousand changed reports
is well inside it.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from archive import sections, synthetic_payload  # noqa: E402  (bench/archive.py)
from govcrawl.archive.changes import Versions, record_run_changes  # noqa: E402
from govcrawl.archive.store import Archive, utcnow  # noqa: E402
from govcrawl.research.changes import write_feeds  # noqa: E402


def capture(url: str, body: str) -> dict:
    sha = hashlib.sha256(body.encode()).hexdigest()
    return {"payload_sha256": sha, "capture_id": sha[:16], "fetched_at": utcnow(),
            "warc_file": "bench.warc.gz", "warc_offset": 0}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=1000)
    ap.add_argument("--db", type=Path, help="archive to create (default: a temporary file)")
    a = ap.parse_args()
    tmp = tempfile.TemporaryDirectory()
    db = a.db or Path(tmp.name) / "changes.db"
    rng = random.Random(15)
    archive = Archive(db)
    archive.db.execute("PRAGMA synchronous = OFF")
    n_sites = max(a.reports // 10, 1)
    archive.db["sites"].insert_all([{"site_id": f"s{i:04d}", "name": f"第{i}区人民政府",
                                     "division_code": f"{11 + i % 30:02d}0101"} for i in range(n_sites)])
    pool = [synthetic_payload(rng, "2019" if i % 2 else "2021") for i in range(40)]
    reports = []
    for i in range(a.reports):
        site = f"s{i % n_sites:04d}"
        year = 2019 + i // n_sites
        p = copy.deepcopy(pool[i % len(pool)])
        p.update(kind="report", title=f"第{i % n_sites}区{year}年政府信息公开工作年度报告",
                 agency=f"第{i % n_sites}区人民政府", year=year, parser_version="bench/1",
                 sections=sections(rng, "某区", year))
        reports.append({"site": site, "url": f"http://www.s{i % n_sites}.gov.cn/nb/{i}.html", "report": p,
                        "body": f"<html>{i}</html>"})

    def night(run_id: str, plan: dict[int, str]) -> float:
        archive.start_run(run_id, [f"s{i:04d}" for i in range(n_sites)])
        start = time.perf_counter()
        seen: dict[str, set[str]] = {}
        for i, r in enumerate(reports):
            what = plan.get(i, "same")
            if what == "removed":
                continue
            if what == "corrected":
                cell = r["report"]["cells"]["t3.new.total"]
                cell["value"] += 1
                r["body"] += " corrected"
            elif what == "markup":
                r["body"] = f"<div class='v2'>{r['body']}</div>"
            elif what == "moved":
                r["url"] = r["url"].replace("/nb/", "/xxgk/ndbg/")
            seen.setdefault(r["site"], set()).add(r["url"])
            archive.save_report(site_id=r["site"], url=r["url"], capture=capture(r["url"], r["body"]),
                                report=r["report"], run_id=run_id)
        for s in {r["site"] for r in reports}:
            archive.mark_removed(s, seen.get(s, set()), run_id)
        return time.perf_counter() - start

    t1 = night("night1", {})
    started, first_no = utcnow(), Versions(archive.db).first_new()
    idx = list(range(a.reports))
    rng.shuffle(idx)
    k5, k2 = a.reports * 5 // 100, a.reports * 2 // 100
    plan = {i: "corrected" for i in idx[:k5]} | {i: "markup" for i in idx[k5:2 * k5]} \
        | {i: "moved" for i in idx[2 * k5:2 * k5 + k2]} | {i: "removed" for i in idx[2 * k5 + k2:2 * k5 + 2 * k2]}
    t2 = night("night2", plan)
    t0 = time.perf_counter()
    changes = record_run_changes(archive, "night2", started, first_no)
    t_detect = time.perf_counter() - t0
    archive.close()
    t0 = time.perf_counter()
    paths = write_feeds(db, Path(tmp.name) / "feeds")
    t_feeds = time.perf_counter() - t0
    kinds = {k: sum(c["kind"] == k for c in changes) for k in ("changed", "markup-only", "moved", "removed", "new")}
    want = {"changed": k5, "markup-only": k5, "moved": k2, "removed": k2, "new": 0}
    print(f"{a.reports} reports on {n_sites} sites; night 1 stored in {t1:.1f} s, night 2 in {t2:.1f} s")
    print(f"night 2 changes: {kinds} (expected {want})")
    print(f"detect + record: {t_detect:.2f} s ({t_detect / max(len(changes), 1) * 1000:.1f} ms per change); "
          f"feeds ({len(paths)} files): {t_feeds:.2f} s; "
          f"end-of-crawl work = {(t_detect + t_feeds) / t2 * 100:.1f} % of the store time of night 2 alone")
    tmp.cleanup()
    return 0 if kinds == want else 1


if __name__ == "__main__":
    raise SystemExit(main())
