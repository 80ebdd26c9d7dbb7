"""A report is an agency's year: moves, corrections, re-issues and removals keep it one report."""
from __future__ import annotations

import csv
import hashlib

from sqlite_utils import Database

from govcrawl.archive.ingest import Fetched, ingest_report
from govcrawl.archive.store import Archive, migrations, report_id_for
from govcrawl.extract.meta import agency_key
from govcrawl.research.export import export

from helpers import FIXTURES
from test_views import SITES, Site, capture, make_report

SEED = (FIXTURES / "extract" / "seed_yubei_2020.html").read_bytes()
PAGE = ("<html><head><meta charset='utf-8'><title>重庆市渝北区民政局2020年政府信息公开工作年度报告</title></head>"
        "<body><div class='TRS_Editor'><p>一、总体情况</p><p>统计表格详见附件。</p><p>六、其他需要报告的事项</p>"
        "<p>无。</p></div></body></html>").encode()


def doc(body: bytes, url: str, run: str = "r1", at: str = "2026-01-01T00:00:00+00:00") -> Fetched:
    sha = hashlib.sha256(body).hexdigest()
    return Fetched(url=url, body=body, content_type="text/html",
                   capture={"capture_id": f"{run}-{url}", "payload_sha256": sha, "status": 200,
                            "fetched_at": at})


def current(archive: Archive) -> list[tuple]:
    return [tuple(r) for r in archive.db.execute(
        "select site_id, agency, year, url from reports where is_current = 1 order by year, url")]


def test_the_same_report_at_a_new_host_and_scheme_is_a_move_not_a_new_report(tmp_path):
    archive = Archive(tmp_path / "a.db")
    first = ingest_report(archive, site_id="s", run_id="r1", page=doc(SEED, "http://127.0.0.15/nb/2020.html"))
    assert first.new_report and first.is_new
    moved = ingest_report(archive, site_id="s", run_id="r2",
                          page=doc(SEED, "https://127.0.0.16:8443/new-cms/art_2020.html", "r2"))
    assert not moved.new_report and not moved.is_new and moved.report_id == first.report_id
    assert moved.moved_from == "http://127.0.0.15/nb/2020.html"
    assert archive.mark_removed("s", ["https://127.0.0.16:8443/new-cms/art_2020.html"], "r2") == 0
    assert archive.db["reports"].count == 1 and len(current(archive)) == 1
    urls = archive.db.execute("select url, moved_from from report_urls order by first_seen_at, url").fetchall()
    assert sorted(urls) == [("http://127.0.0.15/nb/2020.html", None),
                            ("https://127.0.0.16:8443/new-cms/art_2020.html", "http://127.0.0.15/nb/2020.html")]
    (ident,) = archive.db["report_identities"].rows
    assert ident["url"].startswith("https://") and ident["removed_at"] is None and ident["versions"] == 1


def test_a_corrected_attachment_is_a_new_version_and_the_old_figures_stay(tmp_path):
    archive = Archive(tmp_path / "a.db")
    url, pdf_url = "http://127.0.0.15/nb/2020.html", "http://127.0.0.15/nb/2020.htm"
    first = ingest_report(archive, site_id="s", run_id="r1", page=doc(PAGE, url), attachments=[doc(SEED, pdf_url)])
    corrected = SEED.replace("2020年".encode(), "2020年".encode(), 1).replace(b"</body>", b"<p>\xe6\x9b\xb4\xe6\xad\xa3</p></body>")
    assert corrected != SEED
    second = ingest_report(archive, site_id="s", run_id="r2", page=doc(PAGE, url, "r2"),
                           attachments=[doc(corrected, pdf_url, "r2")])
    assert second.is_new and not second.new_report and second.report_id != first.report_id
    versions = archive.db.execute("select report_id, version_no, is_current from reports order by version_no").fetchall()
    assert versions == [(first.report_id, 1, 0), (second.report_id, 2, 1)]
    for rid in (first.report_id, second.report_id):  # the old version keeps its cells
        n = archive.db.execute("select count(*) from cells where report_id = ? and value is not null", [rid]).fetchone()[0]
        assert n > 150


def test_two_different_documents_for_one_agency_year_stay_two_versions_with_a_warning(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_sites(SITES)
    original = make_report(2021, "2021", {"person": 5})
    reissue = dict(make_report(2021, "2021", {"person": 6}), published="2022-03-01",
                   title="重庆市某区民政局2021年政府信息公开工作年度报告（更正）")
    a = archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2021.htm", capture=capture("o"),
                            report=original, run_id="r1")
    b = archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2021-gz.htm", capture=capture("c"),
                            report=reissue, run_id="r1")
    assert a.report_key == b.report_key and a.report_id != b.report_id
    assert b.warning and "2 different documents" in b.warning and b.moved_from is None
    assert archive.db.execute("select count(*) from reports where report_key = ?", [a.report_key]).fetchone() == (2,)
    assert archive.db.execute("select new_total from t3_current").fetchall() == [(6,)]  # the later published
    (ident,) = archive.db["report_identities"].rows
    assert ident["warning"] == b.warning


def test_a_pdf_linked_directly_and_as_its_pages_attachment_is_one_report_without_a_warning(tmp_path):
    archive = Archive(tmp_path / "a.db")
    pdf = doc(SEED, "http://127.0.0.15/nb/P0202101.htm")
    direct = ingest_report(archive, site_id="s", run_id="r1", page=pdf)
    via_page = ingest_report(archive, site_id="s", run_id="r1", page=doc(PAGE, "http://127.0.0.15/nb/2020.html"),
                             attachments=[pdf])
    assert direct.kind == via_page.kind == "report" and not via_page.conflict
    assert archive.db.execute("select count(distinct report_key) from reports").fetchone() == (1,)
    assert [r[3] for r in current(archive)] == ["http://127.0.0.15/nb/2020.html"]
    # the next night both are unchanged and the page's version stays the current one
    ingest_report(archive, site_id="s", run_id="r2", page=doc(PAGE, "http://127.0.0.15/nb/2020.html", "r2"),
                  attachments=[doc(SEED, pdf.url, "r2")])
    again = ingest_report(archive, site_id="s", run_id="r2", page=doc(SEED, pdf.url, "r2"))
    assert not again.is_new and not again.conflict
    assert [r[3] for r in current(archive)] == ["http://127.0.0.15/nb/2020.html"]


def test_a_removed_report_leaves_the_current_views_and_comes_back_when_linked_again(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_sites(SITES)
    saved = archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2020.htm", capture=capture("a"),
                                report=make_report(2020, "2019", {"person": 3}), run_id="r1")
    assert archive.mark_removed("cq-a", [], "r2") == 1
    assert archive.db.execute("select count(*) from t3_current").fetchone() == (0,)
    assert archive.db.execute("select count(*) from current_reports").fetchone() == (0,)
    assert archive.db.execute("select removed_at is not null from report_identities").fetchone() == (1,)
    archive.touch_report(saved.report_id, "http://127.0.0.1/a/2020.htm", "r3")
    assert archive.db.execute("select count(*) from t3_current").fetchone() == (1,)
    assert archive.db.execute("select removed_at from report_identities").fetchone() == (None,)


def test_agency_names_printed_differently_are_one_agency():
    assert agency_key("鹭湾区", "澜州市鹭湾区人民政府") == agency_key("澜州市鹭湾区人民政府", "澜州市鹭湾区人民政府")
    assert agency_key(None, "澜州市鹭湾区人民政府") == agency_key("澜州市 鹭湾区", "澜州市鹭湾区人民政府")
    assert agency_key("重庆市渝北区民政局", "重庆市渝北区人民政府") != agency_key(None, "重庆市渝北区人民政府")
    assert agency_key("重庆市渝北区民政局", None) == "重庆市渝北区民政局"


def test_a_shorter_agency_name_in_a_later_year_joins_the_known_agency(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_sites([Site("cq-yb", "重庆市渝北区人民政府", "500112")])
    for year, agency in ((2020, "重庆市渝北区民政局"), (2021, "渝北区民政局")):
        archive.save_report(site_id="cq-yb", url=f"http://127.0.0.1/{year}.htm", capture=capture(str(year)),
                            report=dict(make_report(year, "2019" if year < 2021 else "2021", {}), agency=agency))
    keys = archive.db.execute("select distinct agency_key from reports").fetchall()
    assert keys == [("重庆市渝北区民政局",)]


def test_extraction_quality_fields_are_stored_and_exported_and_null_when_absent(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_sites(SITES)
    archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2020.htm", capture=capture("a"),
                        report=dict(make_report(2020, "2019", {}), coverage=0.97, min_confidence=0.8, reader="html"))
    archive.save_report(site_id="cq-b", url="http://127.0.0.1/b/2020.htm", capture=capture("b"),
                        report=make_report(2020, "2019", {}))
    archive.close()
    export(tmp_path / "a.db", tmp_path / "x")
    with open(tmp_path / "x" / "reports.csv", encoding="utf-8") as f:
        got = {r["site_id"]: (r["coverage"], r["min_confidence"], r["reader"], r["version_no"]) for r in csv.DictReader(f)}
    assert got == {"cq-a": ("0.97", "0.8", "html", "1"), "cq-b": ("", "", "", "1")}


def test_upgrading_an_archive_that_holds_an_agency_year_twice_keeps_one_current(tmp_path):
    db = Database(tmp_path / "a.db")
    migrations.apply(db, stop_before="m003_report_identity")
    db["sites"].insert({"site_id": "lz", "name": "澜州市鹭湾区人民政府"})
    for n, (url, fetched) in enumerate((("http://127.0.0.11:18391/nb/2020.htm", "2026-01-01T00:00:00+00:00"),
                                        ("http://127.0.0.11:40111/nb/2020.htm", "2026-01-02T00:00:00+00:00"))):
        db["reports"].insert({"report_id": report_id_for("lz", url, "aa"), "report_no": n + 1, "site_id": "lz",
                              "url": url, "agency": "鹭湾区", "year": 2020, "is_current": 1, "payload_sha256": "aa",
                              "fetched_at": fetched, "first_seen_at": fetched, "last_seen_at": fetched})
    db.close()
    archive = Archive(tmp_path / "a.db")
    assert current(archive) == [("lz", "鹭湾区", 2020, "http://127.0.0.11:40111/nb/2020.htm")]
    (ident,) = archive.db["report_identities"].rows
    assert ident["versions"] == 2 and ident["agency_key"] == "澜州市鹭湾区"
    assert archive.db["report_urls"].count == 2


def with_cells(report: dict, **values) -> dict:
    cells = {k: dict(v) for k, v in report["cells"].items()}
    for name, value in values.items():
        cells[name.replace("__", ".")]["value"] = value
    return dict(report, cells=cells)


def carry_chain(archive: Archive, year: int) -> tuple:
    return archive.db.execute("select status, detail from cross_year_checks where year = ? "
                              "and check_id = 't3_carry_chain'", [year]).fetchone()


def test_cross_year_checks_are_evaluated_when_both_years_are_in_and_again_when_either_changes(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.upsert_sites(SITES)
    archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2021.htm", capture=capture("21"),
                        report=with_cells(make_report(2021, "2021", {}), t3__carry_in__total=3))
    assert carry_chain(archive, 2021)[0] == "unknown"
    y2020 = archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2020.htm", capture=capture("20"),
                                report=with_cells(make_report(2020, "2019", {}), t3__carry_out__total=3))
    assert carry_chain(archive, 2021) == ("pass", f"3 == 3 (previous year: report {y2020.report_id})")
    corrected = archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2020.htm", capture=capture("20b"),
                                    report=with_cells(make_report(2020, "2019", {}), t3__carry_out__total=5))
    assert carry_chain(archive, 2021)[0] == "fail" and corrected.report_id in carry_chain(archive, 2021)[1]
    assert archive.db.execute("select checks_failed from reports where year = 2021").fetchone() == (1,)
    # 2021's stock identities read 现行有效件数, which a 2019-template year does not have: not applicable
    ids = {r[0] for r in archive.db.execute("select check_id from cross_year_checks where year = 2021")}
    assert ids == {"t3_carry_chain"}
    archive.mark_removed("cq-a", ["http://127.0.0.1/a/2021.htm"], "r9")
    assert carry_chain(archive, 2021)[0] == "unknown"


def test_a_chain_of_an_older_crawl_ingested_late_does_not_unseat_the_newer_version(tmp_path):
    archive = Archive(tmp_path / "a.db")
    url, pdf_url = "http://127.0.0.15/nb/2020.html", "http://127.0.0.15/nb/2020.htm"
    corrected = SEED.replace(b"</body>", "<p>更正</p></body>".encode())
    newer = ingest_report(archive, site_id="s", run_id="r2", page=doc(PAGE, url, "r2", "2026-02-01T01:00:00+00:00"),
                          attachments=[doc(corrected, pdf_url, "r2", "2026-02-01T01:00:01+00:00")])
    # the chain a crashed crawl left in January, ingested only now
    older = ingest_report(archive, site_id="s", run_id="r1", page=doc(PAGE, url, "r1", "2026-01-01T01:00:00+00:00"),
                          attachments=[doc(SEED, pdf_url, "r1", "2026-01-01T01:00:01+00:00")])
    assert older.is_new and older.report_id != newer.report_id
    assert archive.db.execute("select report_id from reports where is_current = 1").fetchall() == [(newer.report_id,)]
    (ident,) = archive.db["report_identities"].rows
    assert ident["last_run_id"] == "r2" and ident["current_report_id"] == newer.report_id
