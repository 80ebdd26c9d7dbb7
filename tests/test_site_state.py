"""The archive keeps each site's found column and nightly health (m006) and attributes reports by year."""
from __future__ import annotations

from govcrawl.archive.store import Archive
from govcrawl.registry import Site


def sites():
    return [
        Site("cq-yubei", "重庆市渝北区人民政府", "district", "500112", None, ("http://www.ybq.gov.cn/a/",),
             ("ybq.gov.cn",), valid_from=1997, valid_to=2024, extra={"successors": "500157"}),
        Site("cn-500157", "重庆市两江新区人民政府", "district", "500157", None, (), ("ljxq.gov.cn",),
             portal_url="https://www.ljxq.gov.cn/", valid_from=2025),
        Site("cq-yubei-mzj", "重庆市渝北区民政局", "department", "500112", "cq-yubei",
             ("http://www.ybq.gov.cn/bm/",), ("ybq.gov.cn",)),
    ]


def test_column_state_round_trips_and_health_history_names_changes(tmp_path):
    archive = Archive(tmp_path / "a.db")
    store = archive.site_states
    assert store.get("cn-500157") is None and store.changes() == []
    store.save_column("cn-500157", ["https://www.ljxq.gov.cn/zwgk/ndbg/"], "trs",
                      {"link_text": "政府信息公开年报"}, "2026-01-01T00:00:00Z", "run1")
    store.record_health("run1", {"cn-500157": ("ok", "3 listing pages", None)})
    state = store.get("cn-500157")
    assert state["column_urls"] == ["https://www.ljxq.gov.cn/zwgk/ndbg/"] and state["platform"] == "trs"
    assert state["evidence"] == {"link_text": "政府信息公开年报"} and state["health"] == "ok"
    store.record_health("run2", {"cn-500157": ("moved", "redirected", "https://new.ljxq.gov.cn/")})
    (change,) = store.changes()
    assert (change["site_id"], change["previous"], change["health"]) == ("cn-500157", "ok", "moved")
    assert store.get("cn-500157")["column_urls"] == ["https://www.ljxq.gov.cn/zwgk/ndbg/"]  # kept
    assert store.propose_departments("cn-500157", [{"name": "区民政局", "url": "https://www.ljxq.gov.cn/mzj/"}]) == 1
    assert store.propose_departments("cn-500157", [{"name": "区民政局", "url": "https://www.ljxq.gov.cn/mzj/"}]) == 0
    archive.close()


def test_reports_are_attributed_to_the_unit_of_their_year(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_sites(sites())
    for n, (site_id, year) in enumerate([("cq-yubei", 2024), ("cq-yubei", 2025), ("cq-yubei-mzj", 2025),
                                          ("cn-500157", 2025), ("cq-yubei", None)]):
        archive.db["reports"].insert({"report_id": f"r{n}", "site_id": site_id, "year": year, "url": f"u{n}"})
    units = {r["report_id"]: r["unit_division_code"] for r in archive.db.query("select * from report_units")}
    assert units == {"r0": "500112", "r1": "500157", "r2": "500112", "r3": "500157", "r4": "500112"}
    archive.close()


def test_health_verdicts_from_a_nights_counters():
    from govcrawl.crawl.health import verdict

    ok = {"listing_pages": 2, "report_links": 9, "errors": []}
    assert verdict(ok)[0] == "ok"
    dns = {"listing_pages": 0, "errors": [{"reason": "discover: CannotResolveHostError: DNS lookup failed", "status": None}]}
    assert verdict(dns, {"searched": True, "pages_read": 0})[0] == "dead"
    refused = {"listing_pages": 0, "errors": [{"reason": "listing: ConnectionRefusedError: refused", "status": None}]}
    assert verdict(refused)[0] == "dead"
    forbidden = {"listing_pages": 0, "errors": [{"reason": "discover: HTTP 403", "status": 403}]}
    assert verdict(forbidden, {"searched": True})[0] == "blocked"
    assert verdict({"listing_pages": 0, "robots_blocked": 1, "errors": []}, {"searched": True})[0] == "blocked"
    away = {"listing_pages": 0, "errors": [{"reason": "discover: outside the allowed domains of s1: http://www.new.gov.cn/", "status": None}]}
    assert verdict(away, {"searched": True}) == ("moved", "redirected to http://www.new.gov.cn/", "http://www.new.gov.cn/")
    assert verdict({"listing_pages": 0, "errors": []}, {"searched": True, "pages_read": 12, "budget": 30})[0] == "no column"
    assert verdict({"listing_pages": 0, "errors": []}, {"blocked": "blocked: challenge page"})[0] == "blocked"
