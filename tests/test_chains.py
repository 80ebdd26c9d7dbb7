"""Every report chain ends: shared attachments answer every report that links them, and a report
found at a new address is a move, not a new report."""
from __future__ import annotations

import json

import pytest

from faultsite import FaultServer, Reply, listing
from govcrawl.crawl.chains import ChainTracker
from govcrawl.demo.mirror import serve_mirror
from helpers import DEMO, query, run_crawl

PDF = (DEMO / "sites/luwan/zwgk/zfxxgk/zfxxgknb/202102/P020210208563412871234.pdf").read_bytes()
SHARED, DIRECT, YEARS, HOME, NEWHOME = (f"127.0.0.{i}" for i in range(41, 46))


def page(title: str, pdf_href: str) -> bytes:
    """A report page whose tables are only in the attached PDF (详见附件), as many sites publish."""
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="TRS_Editor"><p>{title}</p><p>一、总体情况</p><p>统计表格详见附件。</p>'
            f'<p>附件：<a href="{pdf_href}">{title}.pdf</a></p></div></body></html>').encode("utf-8")


def pdf_reply() -> Reply:
    return Reply(body=PDF, content_type="application/pdf")


def registry(path, rows: list[tuple[str, str, str, str]]):
    lines = ["site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified"]
    lines += [f"{sid},{name},district,369902,,{url},{host},generic,0" for sid, name, url, host in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_chain_gets_answers_that_arrived_before_and_after_it_opened():
    tracker = ChainTracker()
    pdf = {"url": "http://h/a.pdf", "content_type": "application/pdf", "capture": {"capture_id": "c1"}}
    assert tracker.answer(["http://h/a.pdf"], pdf) == []
    (done,) = tracker.add("s", {"url": "http://h/1.html"}, ["http://h/a.pdf"])
    assert done.item()["attachments"][0]["url"] == "http://h/a.pdf"
    assert tracker.add("s", {"url": "http://h/2.html"}, ["http://h/a.pdf", "http://h/b.pdf"]) == []
    assert tracker.unanswered() == ["http://h/b.pdf"]
    (done,) = tracker.answer(["http://h/b.pdf"], "HTTP 404")
    assert done.item()["missing"] == {"http://h/b.pdf": "HTTP 404"}
    tracker.add("s", {"url": "http://h/3.html"}, ["http://h/c.pdf"])
    (left,) = tracker.close_all()
    assert left.item("the crawl ended")["missing"] == {"http://h/c.pdf": "the crawl ended"}


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shared")
    with FaultServer([SHARED, DIRECT, YEARS]) as srv:
        a = srv.host(SHARED)  # two agencies' report pages link one combined PDF
        a.route("/nb/index.html", Reply(body=listing([("/nb/mz.html", "澜州市甲局2020年政府信息公开工作年度报告"),
                                                      ("/nb/sw.html", "澜州市乙局2020年政府信息公开工作年度报告")])))
        a.route("/nb/mz.html", Reply(body=page("澜州市甲局2020年政府信息公开工作年度报告", "/files/all.pdf")))
        a.route("/nb/sw.html", Reply(body=page("澜州市乙局2020年政府信息公开工作年度报告", "/files/all.pdf")))
        a.route("/files/all.pdf", pdf_reply())
        d = srv.host(DIRECT)  # the listing links the PDF itself as well as the page that has it
        d.route("/nb/index.html", Reply(body=listing([("/nb/P2020.pdf", "鹭湾区2020年政府信息公开工作年度报告"),
                                                      ("/nb/2020.html", "鹭湾区2020年政府信息公开工作年度报告")])))
        d.route("/nb/2020.html", Reply(body=page("鹭湾区2020年政府信息公开工作年度报告", "/nb/P2020.pdf")))
        d.route("/nb/P2020.pdf", pdf_reply())
        y = srv.host(YEARS)  # one attachment under two years' reports (a re-posted file)
        y.route("/nb/index.html", Reply(body=listing([("/nb/2020.html", "澜州市丙局2020年政府信息公开工作年度报告"),
                                                      ("/nb/2021.html", "澜州市丙局2021年政府信息公开工作年度报告")])))
        for year in (2020, 2021):
            y.route(f"/nb/{year}.html", Reply(body=page(f"澜州市丙局{year}年政府信息公开工作年度报告", "/up/nb.pdf")))
        y.route("/up/nb.pdf", pdf_reply())
        reg = registry(tmp / "sites.csv", [
            ("shared", "澜州市人民政府", srv.url(SHARED, "/nb/index.html"), SHARED),
            ("direct", "澜州市鹭湾区人民政府", srv.url(DIRECT, "/nb/index.html"), DIRECT),
            ("years", "澜州市丙局", srv.url(YEARS, "/nb/index.html"), YEARS)])
        run_crawl(reg, tmp / "archive.db", tmp / "warc", "AUTOTHROTTLE_ENABLED=False")
        yield {"db": tmp / "archive.db", "srv": srv}


def reports_of(db, site_id):
    return query(db, "select r.url, r.agency, r.year, r.tables_from, r.cells_found, "
                     "(select count(*) from attachments a where a.report_id = r.report_id) as attachments "
                     "from reports r where site_id = ? and is_current = 1 order by year, url", [site_id])


def test_two_report_pages_sharing_one_pdf_are_both_stored_with_its_tables(shared):
    got = reports_of(shared["db"], "shared")
    assert [(r["agency"], r["year"]) for r in got] == [("澜州市甲局", 2020), ("澜州市乙局", 2020)]
    assert all(r["tables_from"].endswith("/files/all.pdf") and r["cells_found"] > 100 for r in got)
    assert len(shared["srv"].hits(SHARED, "/files/all.pdf")) == 1  # fetched once, used twice


def test_a_pdf_listed_directly_and_on_its_page_is_one_current_report(shared):
    (got,) = reports_of(shared["db"], "direct")
    assert got["url"].endswith("/nb/2020.html") and got["attachments"] == 1 and got["cells_found"] > 100
    assert query(shared["db"], "select warning from report_identities where site_id = 'direct'") == [{"warning": None}]


def test_one_attachment_under_two_years_reports_stores_both_years(shared):
    got = reports_of(shared["db"], "years")
    assert [r["year"] for r in got] == [2020, 2021]
    assert all(r["attachments"] == 1 for r in got)


def test_no_chain_was_left_open(shared):
    assert query(shared["db"], "select * from errors where reason like '%attachment(s)%'") == []


def test_one_site_moving_to_a_new_host_with_unchanged_pages_is_all_moves(tmp_path):
    with FaultServer([HOME, NEWHOME]) as srv:
        for ip in (HOME, NEWHOME):
            h = srv.host(ip)
            h.route("/nb/index.html", Reply(body=listing([(f"/nb/{y}.html", f"澜州市丁局{y}年政府信息公开工作年度报告")
                                                          for y in (2020, 2021)])))
            for y in (2020, 2021):
                h.route(f"/nb/{y}.html", Reply(body=page(f"澜州市丁局{y}年政府信息公开工作年度报告", f"/nb/{y}.pdf")))
                h.route(f"/nb/{y}.pdf", pdf_reply())
        db = tmp_path / "archive.db"
        run_crawl(registry(tmp_path / "a.csv", [("ding", "澜州市丁局", srv.url(HOME, "/nb/index.html"), HOME)]),
                  db, tmp_path / "warc", "AUTOTHROTTLE_ENABLED=False")
        before = query(db, "select report_key, report_id from reports order by report_key")
        run_crawl(registry(tmp_path / "b.csv", [("ding", "澜州市丁局", srv.url(NEWHOME, "/nb/index.html"), NEWHOME)]),
                  db, tmp_path / "warc", "AUTOTHROTTLE_ENABLED=False")
    assert query(db, "select report_key, report_id from reports order by report_key") == before
    (run,) = query(db, "select summary from runs order by started_at desc limit 1")
    totals = json.loads(run["summary"])["totals"]
    assert (totals["new_reports"], totals["changed"], totals["moved"], totals["removed"]) == (0, 0, 2, 0)
    moves = query(db, "select moved_from, url from report_urls where moved_from is not null")
    assert len(moves) == 2 and all(NEWHOME in m["url"] and HOME in m["moved_from"] for m in moves)
    assert query(db, "select count(*) as n from current_reports") == [{"n": 2}]


def test_the_demo_mirror_served_again_on_other_ports_is_the_same_reports_all_moved(tmp_path):
    quirks = json.loads((DEMO / "quirks.json").read_text(encoding="utf-8"))
    db = tmp_path / "archive.db"
    for night in ("a", "b"):  # two servings: every host:port differs, as after a move
        with serve_mirror(DEMO / "sites", quirks) as mirror:
            reg = tmp_path / f"{night}.csv"
            reg.write_text(mirror.render_registry(DEMO / "sites.csv.in"), encoding="utf-8")
            run_crawl(reg, db, tmp_path / "warc")
            if night == "a":
                first = query(db, "select count(*) as n from report_identities")[0]["n"]
    (run,) = query(db, "select summary from runs order by started_at desc limit 1")
    totals = json.loads(run["summary"])["totals"]
    assert totals["new_reports"] == 0 and totals["removed"] == 0
    assert totals["moved"] == totals["reports"] == first > 10
    assert query(db, "select count(*) as n from report_identities")[0]["n"] == first
    for view in ("current_reports", "t3_current", "t4_current"):
        twice = query(db, f"select site_id, agency, year, count(*) as n from {view} "
                          "group by site_id, agency, year having n > 1")
        assert twice == [], view
    assert query(db, "select count(*) as n from current_reports")[0]["n"] == first


def test_a_corrected_attachment_found_by_the_next_crawl_is_a_new_version_and_the_old_one_stays(tmp_path):
    corrected = PDF + b"\n% re-issued with a corrected table\n"
    with FaultServer([HOME]) as srv:
        h = srv.host(HOME)
        h.route("/nb/index.html", Reply(body=listing([("/nb/2020.html", "澜州市戊局2020年政府信息公开工作年度报告")])))
        h.route("/nb/2020.html", Reply(body=page("澜州市戊局2020年政府信息公开工作年度报告", "/nb/2020.pdf")))
        h.route("/nb/2020.pdf", lambda req: Reply(body=PDF if req.night == 1 else corrected,
                                                  content_type="application/pdf"))
        reg = registry(tmp_path / "s.csv", [("wu", "澜州市戊局", srv.url(HOME, "/nb/index.html"), HOME)])
        db = tmp_path / "archive.db"
        for night in (1, 2):
            srv.night = night
            run_crawl(reg, db, tmp_path / "warc", "AUTOTHROTTLE_ENABLED=False")
    versions = query(db, "select version_no, is_current, cells_found from reports order by version_no")
    assert [(v["version_no"], v["is_current"]) for v in versions] == [(1, 0), (2, 1)]
    assert all(v["cells_found"] > 100 for v in versions)  # the old version keeps its cells
    (run,) = query(db, "select summary from runs order by started_at desc limit 1")
    totals = json.loads(run["summary"])["totals"]
    assert (totals["new_reports"], totals["changed"], totals["unchanged"]) == (0, 1, 0)
