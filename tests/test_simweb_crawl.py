"""A crawl of the simulated national web: columns found unaided, stored, revalidated, health named."""
from __future__ import annotations

import subprocess
import sys

import pytest

from govcrawl.demo import simweb
from govcrawl.registry import load_sites
from helpers import ROOT, crawl_command, crawl_env, query

PORTALS = 40  # every family, every fate (dead ×2, blocked ×2, moved ×2, the trap)


def night(world, tmp, hosts):
    cmd = crawl_command(tmp / "sites.csv", tmp / "archive.db", tmp / "warc", *simweb.crawl_settings(hosts))
    result = subprocess.run(cmd, cwd=ROOT, env=crawl_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stderr


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("simweb")
    sites = load_sites(ROOT / "data" / "sites.csv")
    with simweb.serve_world(sites, PORTALS) as world:
        (tmp / "sites.csv").write_text(world.registry_rows(sites), encoding="utf-8")
        hosts = tmp / "hosts.json"
        world.write_hosts(hosts)
        allows = {s.site_id: s.allows for s in load_sites(tmp / "sites.csv")}
        log1 = night(world, tmp, hosts)
        first = simweb.evaluate(world, tmp / "archive.db", allows)
        mark = len(world.requests)
        log2 = night(world, tmp, hosts)
        second = simweb.evaluate(world, tmp / "archive.db", allows)
        requests2 = world.requests[mark:]
        # The site rebuilds its 年报 column at a new path: the stored one answers 404.
        rebuilt = next(p for p in world.portals if p.family == "trs" and p.fate == "ok" and p.depth >= 2)
        site = world.sites[rebuilt.host]
        new_column = site.column_url().replace("/zfxxgknb/", "/ndbg/")
        site.steps[-1] = (new_column, site.steps[-1][1])
        log3 = night(world, tmp, hosts)
        # Another site moves its column and redirects the old address to the new one.
        relocated = next(p for p in world.portals if p.family == "generic" and p.fate == "ok")
        site = world.sites[relocated.host]
        old_column = site.column_url()
        moved_column = old_column.replace("/ndbg/", "/nb2025/")
        site.steps[-1] = (moved_column, site.steps[-1][1])
        site.redirects["/" + old_column.split("/", 3)[3]] = moved_column  # by path
        log4 = night(world, tmp, hosts)
        yield {"world": world, "tmp": tmp, "first": first, "second": second, "requests2": requests2,
               "logs": (log1, log2, log3, log4), "rebuilt": rebuilt, "new_column": new_column,
               "relocated": relocated, "moved_column": moved_column}


def test_columns_are_found_within_the_budget_and_every_report_on_them_archived(crawled):
    first = crawled["first"]
    assert first["findable"] >= 30
    assert first["columns_found"] == first["findable"], first["missed_columns"]
    assert first["reports_archived"] == first["reports_expected"] > 100


def test_no_request_leaves_a_sites_domains(crawled):
    assert crawled["first"]["requests_off_domain"] == 0, crawled["first"]["off_domain_examples"]
    assert crawled["second"]["requests_off_domain"] == 0


def test_every_dead_moved_and_blocked_site_is_named_as_such(crawled):
    first = crawled["first"]
    assert first["wrong_health"] == {}
    assert {e["health"] for e in crawled["world"].expected().values()} >= {"dead", "moved", "blocked"}
    moved = next(p for p in crawled["world"].portals if p.fate == "moved_host")
    (row,) = query(crawled["tmp"] / "archive.db", "select * from site_state where site_id = ?", [moved.site_id])
    assert row["health"] == "moved" and moved.new_host in row["new_url"]


def test_the_next_night_goes_straight_to_the_stored_column(crawled):
    world = crawled["world"]
    ok_hosts = {p.host for p in world.portals if p.fate == "ok"}
    homes = [(h, path) for h, path, _ in crawled["requests2"] if h in ok_hosts and path == "/"]
    assert homes == []
    for p in world.portals:  # sites without a column (dead, blocked, moved away) are searched again
        searched = f"[{p.site_id}] looking for the 年报 column" in crawled["logs"][1]
        assert searched == (p.fate not in ("ok", "trap", "moved_path")), p
    assert crawled["second"]["columns_found"] == crawled["first"]["columns_found"]


def test_a_column_that_stops_answering_is_found_again(crawled):
    rebuilt = crawled["rebuilt"]
    (row,) = query(crawled["tmp"] / "archive.db", "select * from site_state where site_id = ?", [rebuilt.site_id])
    assert row["column_urls"] == crawled["new_column"] and row["health"] == "ok"
    assert f"[{rebuilt.site_id}] looking for the 年报 column" in crawled["logs"][2]
    assert "the stored column failed: HTTP 404" in crawled["logs"][2]


def test_sites_health_shows_provinces_and_names_the_failing_sites(crawled):
    tmp = crawled["tmp"]
    out = subprocess.run([sys.executable, "-m", "govcrawl.cli", "sites", "--health", "--sites", str(tmp / "sites.csv"),
                          "--db", str(tmp / "archive.db"), "--departments", str(tmp / "departments.csv")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    for p in crawled["world"].portals:
        if p.expected_health in ("dead", "blocked"):
            assert f"{p.site_id} " in out.stdout and p.expected_health in out.stdout
    assert "total" in out.stdout and "北京市" in out.stdout or "省" in out.stdout
    rows = (tmp / "departments.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) > 1 and ",department," in rows[1] and "民政局" in "".join(rows)


def test_the_crawl_summary_has_a_health_line(crawled):
    assert "health: ok " in crawled["logs"][0]


def test_a_column_redirected_to_a_new_path_is_kept_and_the_site_named_moved(crawled):
    relocated = crawled["relocated"]
    (row,) = query(crawled["tmp"] / "archive.db", "select * from site_state where site_id = ?", [relocated.site_id])
    assert row["column_urls"] == crawled["moved_column"]
    assert row["health"] == "moved" and row["new_url"] == crawled["moved_column"]
    assert f"[{relocated.site_id}] looking for the 年报 column" not in crawled["logs"][3]
