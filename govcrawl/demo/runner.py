"""The offline demo: serve the bundled mirror on loopback, crawl it like any registry, export CSV.

The crawl code gets nothing special: the demo only renders ``data/demo/sites.csv.in`` with the
mirror's addresses into an ordinary registry file and runs the normal crawl on it.
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

from govcrawl import netguard
from govcrawl.crawl.runner import crawl_settings, run_crawl
from govcrawl.research.export import export_csv
from govcrawl.demo.mirror import serve_mirror
from govcrawl.demo.states import materialise
from govcrawl.crawl.summary import format_summary

REPO_ROOT = Path(__file__).resolve().parents[2]
DEMO_ROOT = REPO_ROOT / "data" / "demo"
# A fixed port keeps the demo's URLs (and so its report ids) the same from one run to the next,
# so running the demo again revalidates the same archive instead of adding a copy of it.
DEMO_PORT = 18391


def expected_reports(demo_root: Path = DEMO_ROOT) -> list[dict]:
    """Reports of the mirror that a robots-obeying crawl should archive (from EXPECTED.json)."""
    expected = json.loads((demo_root / "EXPECTED.json").read_text(encoding="utf-8"))
    return [r for r in expected["reports"] if r.get("crawlable", True)]


def run_demo(*, db: Path, out: Path, warc_dir: Path, demo_root: Path = DEMO_ROOT,
             delay: float = 0.05, state: int = 1) -> int:
    """Crawl the mirror in ``state`` 1 (as built) or 2 (weeks later: see ``govcrawl.demo.states``)."""
    netguard.install()  # the demo talks to its own mirror only: anything else would be a bug
    quirks = json.loads((demo_root / "quirks.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp, \
            serve_mirror(materialise(demo_root, state, Path(tmp)), quirks, port=DEMO_PORT) as mirror:
        if state != 1:
            print(f"demo mirror in state {state}: some reports corrected, moved, removed or re-templated "
                  "(data/demo/EXPECTED.json, state2)")
        registry = Path(tmp) / "demo_sites.csv"
        registry.write_text(mirror.render_registry(demo_root / "sites.csv.in"), encoding="utf-8")
        print("demo mirror serving:", ", ".join(f"{k}=http://{v}/" for k, v in sorted(mirror.hosts.items())))
        settings = crawl_settings(sites=registry, db=db, warc_dir=warc_dir, delay=delay)
        summary = run_crawl(settings)
    if summary is None:
        print("the crawl did not finish; see the log above")
        return 1
    counts = export_csv(db, out)
    print()
    print(format_summary(summary))
    print()
    print("exports:", ", ".join(f"{out / name} ({n} rows)" for name, n in counts.items()))
    want = expected_reports(demo_root)
    if state == 2:  # the report removed in state 2 is no longer on the mirror
        gone = json.loads((demo_root / "EXPECTED.json").read_text(encoding="utf-8"))["state2"]["changes"]
        want = [r for r in want if r["id"] not in {c["report"] for c in gone if c["kind"] == "removed"}]
    with sqlite3.connect(db) as conn:
        have = conn.execute("select count(*) from reports where is_current = 1").fetchone()[0]
    print(f"reports in the archive: {have}; reports the mirror holds for a robots-obeying crawl: {len(want)}")
    return 0
