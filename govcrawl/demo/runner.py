"""The offline demo: serve the bundled mirror on loopback, crawl it like any registry, export CSV.

The crawl code gets nothing special: the demo only renders ``data/demo/sites.csv.in`` with the
mirror's addresses into an ordinary registry file and runs the normal crawl on it.
"""
from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from govcrawl import netguard
from govcrawl.crawl.runner import crawl_settings, run_crawl
from govcrawl.research.audit import run_audit
from govcrawl.research.export import export_csv
from govcrawl.research.timelines import refresh as refresh_timelines
from govcrawl.demo.mirror import serve_mirror
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


def missing_reports(db: Path, demo_root: Path = DEMO_ROOT) -> list[dict]:
    """Expected reports (EXPECTED.json) the archive holds no current report of, with that year."""
    with sqlite3.connect(db) as conn:
        held = conn.execute("select url, year from reports where is_current = 1").fetchall()
    paths = {(_path(url), year) for url, year in held}
    return [r for r in expected_reports(demo_root) if (r["path"], r["year"]) not in paths]


def _path(url: str) -> str:
    u = urlsplit(url)
    return u.path + (f"?{u.query}" if u.query else "")


def run_demo(*, db: Path, out: Path, warc_dir: Path, demo_root: Path = DEMO_ROOT,
             delay: float = 0.05, port: int = DEMO_PORT) -> int:
    netguard.install()  # the demo talks to its own mirror only: anything else would be a bug
    quirks = json.loads((demo_root / "quirks.json").read_text(encoding="utf-8"))
    with serve_mirror(demo_root / "sites", quirks, port=port) as mirror, \
            tempfile.TemporaryDirectory() as tmp:
        registry = Path(tmp) / "demo_sites.csv"
        registry.write_text(mirror.render_registry(demo_root / "sites.csv.in"), encoding="utf-8")
        print("demo mirror serving:", ", ".join(f"{k}=http://{v}/" for k, v in sorted(mirror.hosts.items())))
        settings = crawl_settings(sites=registry, db=db, warc_dir=warc_dir, delay=delay)
        summary = run_crawl(settings)
    if summary is None:
        print("the crawl did not finish; see the log above")
        return 1
    findings = run_audit(db)
    refresh_timelines(db)
    counts = export_csv(db, out, excel=True)  # with a BOM: Excel shows the Chinese text
    print()
    print(format_summary(summary))
    print()
    print("exports:", ", ".join(f"{out / name} ({n} rows)" for name, n in counts.items()))
    failed = sum(1 for f in findings if f["status"] == "fail")
    print(f"audit: {failed} findings of {len(findings)} failed; `govcrawl audit` shows them per agency")
    want = expected_reports(demo_root)
    missing = missing_reports(db, demo_root)
    print(f"reports the mirror holds for a robots-obeying crawl: {len(want)}; in the archive: "
          f"{len(want) - len(missing)}")
    if missing:
        for r in missing:
            print(f"  missing: {r['site_dir']} {r['year']} {r['path']} ({r['title']})")
        print("govcrawl demo: the archive does not hold every report of the mirror (see above)")
        return 1
    return 0
