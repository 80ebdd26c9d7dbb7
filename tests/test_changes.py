"""Crawl the demo mirror, switch it to its second state, crawl again: the archive says what changed.

State 2 (data/demo/state2, EXPECTED.json ``state2``) corrects a figure in one report, removes one,
moves one to a new URL and re-templates one. The second crawl must record exactly those, the
re-templated one as markup only (not a content change), and write feeds a feed reader accepts.
"""
from __future__ import annotations

import json

import feedparser
import pytest

from govcrawl import cli
from govcrawl.demo.mirror import serve_mirror
from govcrawl.demo.states import materialise
from govcrawl.research.datasette_metadata import build_metadata
from helpers import DEMO, query, run_crawl


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("changes")
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    expected = json.loads((DEMO / "EXPECTED.json").read_text(encoding="utf-8"))
    db = tmp / "archive.db"
    with serve_mirror(DEMO / "sites", quirks) as mirror:
        registry = tmp / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        first = run_crawl(registry, db, tmp / "warc")
        first_run = query(db, "select run_id from runs order by started_at desc limit 1")[0]["run_id"]
        mirror.switch_root(materialise(DEMO, 2, tmp))
        mirror.reset()
        second = run_crawl(registry, db, tmp / "warc")
        second_run = query(db, "select run_id from runs order by started_at desc limit 1")[0]["run_id"]
        site_of = {v: k for k, v in mirror.hosts.items()}
    sites = {r["site_id"]: r for r in query(db, "select site_id, listing_urls from sites")}
    site_dir = {sid: site_of[row["listing_urls"].split("/")[2]] for sid, row in sites.items()}
    yield {"db": db, "tmp": tmp, "expected": expected, "state2": expected["state2"], "first": first,
           "second": second, "first_run": first_run, "second_run": second_run, "site_dir": site_dir}


def path_of(url: str | None) -> str | None:
    return None if url is None else "/" + url.split("/", 3)[3]


def changes_of(crawled, run_id: str) -> list[dict]:
    return query(crawled["db"], "select * from changes where run_id = ? order by kind, site_id", [run_id])


def run_cli(capsys, *args) -> tuple[int, str]:
    code = cli.main(list(args))
    return code, capsys.readouterr().out


def test_the_first_crawl_records_every_report_as_new(crawled):
    rows = changes_of(crawled, crawled["first_run"])
    crawlable = [r for r in crawled["expected"]["reports"] if r["crawlable"]]
    assert {r["kind"] for r in rows} == {"new"}
    assert len(rows) == len(crawlable)


def test_the_second_crawl_records_exactly_the_corrected_removed_moved_and_retemplated_reports(crawled):
    rows = changes_of(crawled, crawled["second_run"])
    have = sorted((r["kind"], crawled["site_dir"][r["site_id"]], path_of(r["to_url"] or r["from_url"]))
                  for r in rows)
    want = sorted((c["kind"], c["site_dir"], c["path"]) for c in crawled["state2"]["changes"])
    assert have == want
    moved = next(r for r in rows if r["kind"] == "moved")
    want_moved = next(c for c in crawled["state2"]["changes"] if c["kind"] == "moved")
    assert path_of(moved["from_url"]) == want_moved["from"]
    assert "same content" in moved["summary"]


def test_the_corrected_report_counts_its_changed_cell_and_flipped_checks(crawled):
    (row,) = [r for r in changes_of(crawled, crawled["second_run"]) if r["kind"] == "changed"]
    want = next(c for c in crawled["state2"]["changes"] if c["kind"] == "changed")
    assert row["cells_changed"] == len(want["cells"])
    assert row["checks_flipped"] == len(want["checks_flipped"])
    for cell_id, (old, new) in want["cells"].items():
        assert f"{cell_id} {old} → {new}" in row["summary"]


def test_changes_lists_corrected_removed_and_moved_most_significant_first_not_the_retemplated(crawled, capsys):
    code, out = run_cli(capsys, "changes", "--db", str(crawled["db"]))
    assert code == 0
    lines = [x for x in out.splitlines() if x.startswith("20")]
    kinds = [x.split()[1] for x in lines]
    assert kinds == ["changed", "removed", "moved"]
    retemplated = next(c for c in crawled["state2"]["changes"] if c["kind"] == "markup-only")
    title = next(r["title"] for r in crawled["expected"]["reports"] if r["id"] == retemplated["report"])
    assert title not in out
    assert "1 markup-only not listed" in out
    code, out = run_cli(capsys, "changes", "--db", str(crawled["db"]), "--markup")
    assert any(x.split()[1] == "markup-only" and title in x for x in out.splitlines() if x.startswith("20"))


def test_changes_filters_by_site_division_and_date_and_exports_csv(crawled, capsys):
    _, out = run_cli(capsys, "changes", "--db", str(crawled["db"]), "--site", "lz-luwan")
    assert [x.split()[1] for x in out.splitlines() if x.startswith("20")] == ["changed"]
    _, out = run_cli(capsys, "changes", "--db", str(crawled["db"]), "--division", "5001")
    assert [x.split()[1] for x in out.splitlines() if x.startswith("20")] == ["removed"]
    _, out = run_cli(capsys, "changes", "--db", str(crawled["db"]), "--since", "2000-01-01")
    listed = [x for x in out.splitlines() if x.startswith("20")]
    assert len(listed) == len(changes_of(crawled, crawled["first_run"])) + 3
    assert listed[0].split()[1] == "changed"  # most significant first, whatever the crawl
    out_file = crawled["tmp"] / "changes.csv"
    code, _ = run_cli(capsys, "changes", "--db", str(crawled["db"]), "--all", "--markup", "--format", "csv",
                      "--out", str(out_file))
    header, *rows = out_file.read_text(encoding="utf-8").splitlines()
    assert code == 0 and header.startswith("change_id,detected_at,kind,site_id")
    assert len(rows) == len(query(crawled["db"], "select * from changes"))


def test_diff_of_the_corrected_report_shows_the_cells_old_and_new_value(crawled, capsys):
    want = next(c for c in crawled["state2"]["changes"] if c["kind"] == "changed")
    (row,) = [r for r in changes_of(crawled, crawled["second_run"]) if r["kind"] == "changed"]
    code, out = run_cli(capsys, "diff", row["to_version"], "--db", str(crawled["db"]))
    assert code == 0
    for cell_id, (old, new) in want["cells"].items():
        assert any(cell_id in x and f"{old} → {new}" in x for x in out.splitlines()), out
    for check_id in want["checks_flipped"]:
        assert f"{check_id}: fail → pass" in out
    assert "一、总体情况" in out and "<p" not in out
    # the same diff asked for by URL and by version numbers
    _, by_url = run_cli(capsys, "diff", row["to_url"], "--from", "1", "--to", "2", "--db", str(crawled["db"]))
    assert by_url == out


def test_diff_of_the_moved_report_follows_it_to_its_old_url(crawled, capsys):
    (row,) = [r for r in changes_of(crawled, crawled["second_run"]) if r["kind"] == "moved"]
    code, out = run_cli(capsys, "diff", row["to_url"], "--db", str(crawled["db"]))
    assert code == 0
    assert f"{row['to_url']}" in out and f"(moved from {row['from_url']})" in out


def test_diff_names_a_report_it_cannot_find(crawled, capsys):
    assert cli.main(["diff", "no-such-report", "--db", str(crawled["db"])]) == 1
    assert "no report version" in capsys.readouterr().err


def test_the_feed_parses_as_atom_with_one_entry_per_change(crawled):
    feed = feedparser.parse((crawled["tmp"] / "feeds" / "changes.atom").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id and feed.feed.title and feed.feed.updated and feed.feed.author  # RFC 4287 §4.1.1
    assert all(e.id and e.title and e.updated and e.link for e in feed.entries)  # §4.1.2
    changes = query(crawled["db"], "select * from changes where kind != 'markup-only'")
    assert sorted(e.id for e in feed.entries) == sorted(f"tag:govcrawl,2026:change/{c['change_id']}"
                                                        for c in changes)
    second = {c["change_id"]: c for c in changes_of(crawled, crawled["second_run"])}
    for e in feed.entries:
        change_id = e.id.rsplit("/", 1)[1]
        if change_id in second:
            c = second[change_id]
            version = c["to_version"] or c["from_version"]
            assert e.link == f"http://127.0.0.1:8001/archive/reports/{version}"
            assert e.updated and e.title and c["kind"] in [t.term for t in e.tags]
            if c["kind"] == "changed":  # a feed reader shows the old and new figure
                want = next(x for x in crawled["state2"]["changes"] if x["kind"] == "changed")
                for cell_id, (old, new) in want["cells"].items():
                    assert cell_id in e.content[0].value and f"{old} → {new}" in e.content[0].value


def test_site_feeds_and_the_json_feed_hold_the_same_entries(crawled):
    feeds = crawled["tmp"] / "feeds"
    luwan = feedparser.parse((feeds / "site" / "lz-luwan.atom").read_bytes())
    assert luwan.bozo == 0 and luwan.entries
    assert all("lz-luwan" in [t.term for t in e.tags] for e in luwan.entries)
    doc = json.loads((feeds / "changes.json").read_text(encoding="utf-8"))
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    atom_ids = {e.id for e in feedparser.parse((feeds / "changes.atom").read_bytes()).entries}
    assert {i["id"] for i in doc["items"]} == atom_ids
    assert all(i["url"].startswith("http://127.0.0.1:8001/archive/reports/") for i in doc["items"])


def test_the_nightly_summary_counts_the_changes_and_names_the_changed_report(crawled):
    log = crawled["second"].stderr
    assert "Changes: 0 new, 1 changed, 1 moved, 1 removed (1 re-marked-up only" in log
    assert "changed: lz-luwan 2022" in log
    summary = json.loads(query(crawled["db"], "select summary from runs where run_id = ?",
                               [crawled["second_run"]])[0]["summary"])
    assert {k: summary["changes"][k] for k in ("new", "changed", "moved", "removed", "markup-only")} == {
        "new": 0, "changed": 1, "moved": 1, "removed": 1, "markup-only": 1}


def test_views_show_the_latest_run_and_the_canned_query_reads_them(crawled):
    latest = query(crawled["db"], "select kind from changes_latest_run")
    assert sorted(r["kind"] for r in latest) == ["changed", "markup-only", "moved", "removed"]
    recent = query(crawled["db"], "select kind from changes_last_30_days")
    assert "markup-only" not in {r["kind"] for r in recent} and len(recent) >= 3
    canned = build_metadata()["databases"]["archive"]["queries"]["recent_changes"]
    rows = query(crawled["db"], canned["sql"].replace(":since", "'2000-01-01'"))
    assert {r["kind"] for r in rows} >= {"changed", "removed", "moved"}


def test_govcrawl_export_writes_the_changes_with_their_codebook(crawled):
    import csv

    from govcrawl.research.export import Filters, export

    out = crawled["tmp"] / "export"
    counts = export(crawled["db"], out, filters=Filters(sites=["lz-luwan"]))
    with open(out / "changes.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert counts["changes.csv"] == len(rows) == len(query(
        crawled["db"], "select 1 from changes where site_id = 'lz-luwan'"))
    assert {r["kind"] for r in rows} == {"new", "changed"}
    with open(out / "codebook.csv", encoding="utf-8") as f:
        described = {r["column"] for r in csv.DictReader(f) if r["file"] == "changes.csv"}
    assert {"kind", "cells_changed", "summary", "from_version", "to_version"} <= described


def test_a_site_that_reverts_to_its_first_state_is_a_change_too(tmp_path):
    """State 1, 2, then 1 again: the figure goes back, the removed report returns, the moved one
    returns to its old URL — each recorded, though every version was already in the archive."""
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    db = tmp_path / "archive.db"
    with serve_mirror(DEMO / "sites", quirks) as mirror:
        registry = tmp_path / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        run_crawl(registry, db, tmp_path / "warc")
        mirror.switch_root(materialise(DEMO, 2, tmp_path))
        run_crawl(registry, db, tmp_path / "warc")
        mirror.switch_root(DEMO / "sites")
        mirror.reset()
        run_crawl(registry, db, tmp_path / "warc")
    run_id = query(db, "select run_id from runs order by started_at desc limit 1")[0]["run_id"]
    rows = {r["site_id"]: r for r in query(db, "select * from changes where run_id = ?", [run_id])}
    assert {k: r["kind"] for k, r in rows.items()} == {
        "lz-luwan": "changed", "cq-yubei-mzj": "new", "lz-slj": "moved", "lz-sthjj": "markup-only"}
    assert "t3.new.total 55 → 57" in rows["lz-luwan"]["summary"]
    assert "linked again" in rows["cq-yubei-mzj"]["summary"]
    assert rows["lz-slj"]["to_url"].endswith("/202301/t20230129_3171920.html")


def test_a_separate_ingest_records_the_changes_of_the_captures_it_builds(tmp_path, capsys, monkeypatch):
    """`govcrawl crawl` with ingest off captures only; `govcrawl ingest` later finds the changes."""
    monkeypatch.chdir(tmp_path)  # `govcrawl ingest` reads the crawl's WARCs from ./data/warc
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    db = tmp_path / "archive.db"
    with serve_mirror(DEMO / "sites", quirks) as mirror:
        registry = tmp_path / "sites.csv"
        registry.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
        run_crawl(registry, db, tmp_path / "data" / "warc")
        mirror.switch_root(materialise(DEMO, 2, tmp_path))
        run_crawl(registry, db, tmp_path / "data" / "warc", "GOVCRAWL_INGEST=off")
    assert not query(db, "select 1 from changes where kind != 'new'")
    assert cli.main(["ingest", "--db", str(db)]) == 0
    err_out = capsys.readouterr()
    kinds = sorted(r["kind"] for r in query(db, "select kind from changes where kind != 'new'"))
    # removals need a complete crawl with its ingest (identity's rule), so none is recorded here
    assert kinds == ["changed", "markup-only", "moved"]
    assert "Changes: 0 new, 1 changed, 1 moved" in err_out.out
    feed = feedparser.parse((tmp_path / "feeds" / "changes.atom").read_bytes())
    assert feed.bozo == 0 and len(feed.entries) == len(query(db, "select 1 from changes where kind != 'markup-only'"))


def test_the_second_state_is_up_to_date_with_the_first():
    """State 2 is derived from state 1; a mirror page changed since must be carried into it."""
    import sys

    sys.path.insert(0, str(DEMO))
    try:
        import build_state2
    finally:
        sys.path.remove(str(DEMO))
    stale = [p for p, data in build_state2.overlay().items()
             if not (DEMO / "state2" / "sites" / p).is_file()
             or (DEMO / "state2" / "sites" / p).read_bytes() != data]
    assert not stale, f"data/demo/state2 is stale ({stale}): run .venv/bin/python data/demo/build_sites.py"
    on_disk = {str(p.relative_to(DEMO / "state2" / "sites")) for p in (DEMO / "state2" / "sites").rglob("*")
               if p.is_file()}
    assert on_disk == set(build_state2.overlay())
    gone = json.loads((DEMO / "state2" / "state.json").read_text(encoding="utf-8"))["gone"]
    assert all((DEMO / "sites" / g).is_file() for g in gone)
