"""The 年报 column is found from a portal's home page: scored links, a page budget, traps bounded."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from govcrawl.crawl.column import ColumnSearch, challenge_reason, link_score, moved_between
from govcrawl.demo import simweb
from govcrawl.registry import Site


def test_link_text_and_url_say_how_close_a_link_is_to_the_column():
    column = link_score("http://www.x.gov.cn/zwgk/zfxxgknb/", "政府信息公开年报")
    assert column > link_score("http://www.x.gov.cn/zwgk/zfxxgk/", "政府信息公开") > \
        link_score("http://www.x.gov.cn/zwgk/", "政务公开") > 0
    assert link_score("http://www.x.gov.cn/a/ndbg/", "工作报告") > 0  # the URL alone says it
    assert link_score("http://www.x.gov.cn/xw/1.html", "区长会见客商") == 0
    # a report, a notice about reports and an interpretation are not the column
    assert link_score("http://www.x.gov.cn/t1.html", "2023年政府信息公开工作年度报告") == 0
    assert link_score("http://www.x.gov.cn/t2.html", "关于报送2023年政府信息公开工作年度报告的通知") == 0
    assert link_score("http://www.x.gov.cn/zfxxgknb/t3.html", "一图读懂年度报告") == 0


def test_challenge_pages_are_told_from_content():
    assert challenge_reason(b'<script>document.cookie="__jsl_clearance=1|0";location.reload()</script>')
    assert challenge_reason("<html><head><title>安全验证</title></head></html>".encode())
    assert challenge_reason("<p>请开启JavaScript并刷新该页</p>".encode())
    assert challenge_reason("<html><title>政府信息公开年报</title><a href=x>2023年年报</a></html>".encode()) is None


def test_moves_are_other_hosts_or_paths_not_index_or_www_or_https():
    assert not moved_between("http://www.x.gov.cn/", "https://x.gov.cn/index.html")
    assert not moved_between("http://www.x.gov.cn/zwgk/", "http://www.x.gov.cn/zwgk/index.shtml")
    assert moved_between("http://www.x.gov.cn/", "http://www.y.gov.cn/")
    assert moved_between("http://www.x.gov.cn/", "http://www.x.gov.cn/2024gb/index.html")


@pytest.fixture(scope="module")
def world():
    """The simulated web, in process (no sockets): pages rendered straight from the portal plans."""
    portals = [simweb.Portal(f"s{i}", f"第{i}县人民政府", f"www.s{i}.gov.cn", f"s{i}.gov.cn", family,
                             depth, fate, 7 + i % 5, simweb._COLUMN_LABELS[i % 5], i, f"www.moved{i}.gov.cn")
               for i, (family, depth, fate) in enumerate(
                   [(f, d, "ok") for f in simweb.FAMILIES for d in (1, 2, 3, 4)]
                   + [("ilist", 2, "trap"), ("trs", 3, "moved_path")])]
    template = simweb._REPORT_TEMPLATE.read_text(encoding="utf-8")
    w = simweb.World(portals, 80)
    w.sites = {p.host: simweb.Site(p, 80, template) for p in portals}
    return w


def search_portal(world, portal, budget=30):
    site = Site(portal.site_id, portal.name, "county", "500101", None, (), (portal.domain,))
    search = ColumnSearch(f"http://{portal.host}:80/", site.allows, budget=budget)
    asked = []
    while not search.done:
        step = search.next_url()
        if step is None:
            break
        url = step[0]
        asked.append(url)
        for _ in range(5):  # follow redirects like the downloader
            parts = urlsplit(url)
            owner = world.sites.get(parts.hostname) or next(
                s for s in world.sites.values() if parts.hostname in (s.xxgk_host(), "jw." + s.p.domain))
            status, headers, body = owner.respond(parts.hostname, parts.path + ("?" + parts.query if parts.query else ""))
            if status in (301, 302):
                url = urljoin(url, headers["Location"])
                continue
            break
        if status == 200:
            search.feed(step[0], body, final_url=url)
        else:
            search.failed(step[0])
    return search, asked


def test_every_family_and_depth_is_found_within_the_budget(world):
    for portal in world.portals:
        search, asked = search_portal(world, portal)
        found = search.result()
        assert found is not None, (portal.family, portal.depth, portal.fate, asked)
        assert found.urls == [world.sites[portal.host].column_url()], (portal.family, portal.depth)
        assert found.platform == (portal.family if portal.family != "generic" else "generic")
        assert len(asked) <= 30
        assert all(urlsplit(u).hostname.endswith(portal.domain) for u in asked)
        proxy_only = portal.family == "hanweb" and portal.index % 2  # entries only via dataproxy.jsp
        assert (found.evidence["reports_listed"] == 0) == bool(proxy_only)
        assert found.evidence["link_text"]


def test_the_endless_calendar_is_followed_only_a_few_times(world):
    trap = next(p for p in world.portals if p.fate == "trap")
    search, asked = search_portal(world, trap)
    assert search.result() is not None
    assert sum("rili" in u for u in asked) <= 6  # then the shape is spent


def test_a_tiny_budget_is_never_exceeded_and_may_find_nothing(world):
    deep = next(p for p in world.portals if p.depth == 4 and p.family == "trs")
    search, asked = search_portal(world, deep, budget=2)
    assert len(asked) == 2 and search.result() is None


def test_departments_on_the_portals_department_page_are_proposed_not_followed(world):
    portal = world.portals[0]
    search, asked = search_portal(world, portal)
    names = {d["name"] for d in search.department_links()}
    assert {"区民政局", "区教育委员会", "区水利局"} <= names
    assert not any("/bm/mzj/" in u or "jw." in u for u in asked)  # noted, never fetched


def test_a_javascript_shell_home_leads_to_the_real_home_or_names_the_new_site():
    shell = b'<html><head><script>window.location.href="/index.shtml";</script></head><body></body></html>'
    home = '<html><body><a href="/zwgk/zfxxgknb/">政府信息公开年报</a></body></html>'.encode()
    column = '<html><body><a href="/zwgk/zfxxgknb/t1.html">某县2023年政府信息公开工作年度报告</a></body></html>'.encode()
    pages = {"http://www.x.gov.cn/": shell, "http://www.x.gov.cn/index.shtml": home,
             "http://www.x.gov.cn/zwgk/zfxxgknb/": column}
    search = ColumnSearch("http://www.x.gov.cn/", lambda u: urlsplit(u).hostname.endswith("x.gov.cn"))
    while (step := search.next_url()) is not None:
        search.feed(step[0], pages[step[0]])
    assert search.result().urls == ["http://www.x.gov.cn/zwgk/zfxxgknb/"] and search.moved_to is None
    away = ColumnSearch("http://www.x.gov.cn/", lambda u: urlsplit(u).hostname.endswith("x.gov.cn"))
    away.feed(away.next_url()[0], shell.replace(b"/index.shtml", b"http://www.y.gov.cn/"))
    assert away.done and away.result() is None and away.moved_to == "http://www.y.gov.cn/"
