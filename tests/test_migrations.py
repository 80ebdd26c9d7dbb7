"""Archives are created and upgraded by versioned migrations; ids survive upgrades and rebuilds."""
from __future__ import annotations

import filecmp

from sqlite_utils import Database

from govcrawl.research.export import export
from govcrawl.archive.store import Archive, migrations, report_id_for

from test_views import REPORTS, build_archive


def test_an_empty_file_gets_every_migration_and_reopening_applies_none(tmp_path):
    archive = Archive(tmp_path / "a.db")
    applied = [m.name for m in migrations.applied(archive.db)]
    assert applied == [m.name for m in migrations._migrations]
    assert not migrations.pending(archive.db)
    names = set(archive.db.table_names()) | set(archive.db.view_names())
    assert {"reports", "cells", "checks", "sections", "cell_values", "check_results", "cell_defs",
            "sections_fts", "reports_fts", "t3_current", "rollup_province_year"} <= names
    archive.close()
    Archive(tmp_path / "a.db").close()


def _m001_archive(path):
    db = Database(path)
    migrations.apply(db, stop_before="m002_research_schema")
    assert "cells" in db.table_names() and "cell_values" not in db.table_names()
    rid = report_id_for("cq-a", "http://127.0.0.1/r.htm", "aa")
    db["reports"].insert({"report_id": rid, "site_id": "cq-a", "url": "http://127.0.0.1/r.htm", "year": 2020,
                          "title": "重庆市某区民政局2020年政府信息公开工作年度报告", "template": "2019",
                          "is_current": 1, "payload_sha256": "aa", "checks_failed": 1})
    db["cells"].insert_all([
        {"report_id": rid, "cell_id": "t3.new.total", "tbl": "t3", "block": "", "row_id": "new", "col_id": "total",
         "value": 7, "value_text": "7", "raw": "7", "unit": "件", "row_label": "一、本年新收政府信息公开申请数量",
         "col_label": "总计"},
        {"report_id": rid, "cell_id": "t2.a20_9.central_proc.proc_amount", "tbl": "t2", "block": "a20_9",
         "row_id": "central_proc", "col_id": "proc_amount", "value": 139.8, "value_text": "139.8",
         "raw": "139.8万元", "unit": "万元"}])
    db["checks"].insert({"report_id": rid, "check_id": "t3_balance_total", "kind": "printed", "status": "fail",
                         "expr": "t3.new.total + t3.carry_in.total == t3.handled_total.total + t3.carry_out.total",
                         "detail": "7 + 0 != 6 + 0 (7 vs 6)"})
    db["sections"].insert({"report_id": rid, "section_id": "s1", "text": "全年受理依申请公开7件。"})
    db.close()
    return rid


def test_upgrading_an_m001_archive_keeps_its_reports_cells_checks_and_text(tmp_path):
    rid = _m001_archive(tmp_path / "a.db")
    archive = Archive(tmp_path / "a.db")
    db = archive.db
    assert [(r["report_id"], r["year"]) for r in db.query("select * from reports")] == [(rid, 2020)]
    cells = {r["cell_id"]: (r["value_text"], r["raw"], r["row_label"])
             for r in db.query("select * from cells where report_id = ?", [rid])}
    assert cells == {"t3.new.total": ("7", "7", "一、本年新收政府信息公开申请数量"),
                     "t2.a20_9.central_proc.proc_amount": ("139.8", "139.8万元", None)}
    assert db.execute("select new_total from t3_current").fetchall() == [(7,)]
    assert db.execute("select failed_checks from reports_failing_checks").fetchall() == [("t3_balance_total",)]
    assert db.execute("select count(*) from sections_fts where sections_fts match '\"依申请公开\"'").fetchone() == (1,)
    assert db.execute("select count(*) from reports_fts where reports_fts match '\"民政局\"'").fetchone() == (1,)
    # the upgraded archive takes new reports like a new one
    site, url, sha, report = REPORTS[0]
    archive.save_report(site_id=site, url=url, capture={"payload_sha256": sha}, report=report)
    assert db.execute("select count(*) from t3_current").fetchone() == (2,)


def test_rebuilding_in_another_order_gives_the_same_ids_and_identical_exports(tmp_path):
    a = build_archive(tmp_path / "a.db")
    b = build_archive(tmp_path / "b.db", order=list(reversed(REPORTS)))
    ids = "select report_id, is_current from reports order by report_id"
    assert a.db.execute(ids).fetchall() == b.db.execute(ids).fetchall()
    a.close(), b.close()
    for wide in (False, True):
        counts = export(tmp_path / "a.db", tmp_path / f"xa{wide}", wide=wide)
        export(tmp_path / "b.db", tmp_path / f"xb{wide}", wide=wide)
        for name in [*counts, "codebook.csv", "datapackage.json"]:
            assert filecmp.cmp(tmp_path / f"xa{wide}" / name, tmp_path / f"xb{wide}" / name, shallow=False), name
