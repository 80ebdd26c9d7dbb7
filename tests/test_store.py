import sqlite3

from govcrawl.archive.store import Archive, numeric, split_cell_id


def report_dict(value=1):
    return {
        "kind": "report", "title": "重庆市某区民政局2020年政府信息公开工作年度报告", "agency": "重庆市某区民政局",
        "year": 2020, "template": "2019", "published": "2021-01-13", "parser_version": "test",
        "sections": {"s1": "总体情况……", "s6": "无"},
        "cells": {
            "t3.new.person": {"value": value, "raw": f"{value} ", "unit": "件", "null_reason": None,
                              "row_label": "一、本年新收政府信息公开申请数量", "col_label": "自然人"},
            "t2.a20_9.central_proc.proc_amount": {"value": "139.8", "raw": "139.8万元", "unit": "万元",
                                                  "null_reason": None},
            "t4.cases.rev_total": {"value": None, "raw": "/", "unit": None, "null_reason": "not_applicable"},
        },
        "checks": [{"id": "t3_balance_person", "kind": "printed", "status": "fail", "expr": "a == b",
                    "detail": "1 + 0 != 0 + 0"}],
        "warnings": [],
    }


def capture(sha):
    return {"capture_id": "c-" + sha, "payload_sha256": sha, "fetched_at": "2026-01-01T00:00:00+00:00",
            "warc_file": "x.warc.gz", "warc_offset": 0}


def test_new_archive_gets_every_table(tmp_path):
    archive = Archive(tmp_path / "a.db")
    names = set(archive.db.table_names()) | set(archive.db.view_names())
    assert {"sites", "runs", "captures", "reports", "cells", "checks", "sections", "attachments",
            "rejected", "errors"} <= names
    archive.close()
    Archive(tmp_path / "a.db").close()  # reopening applies no migration twice


def test_saving_the_same_report_twice_keeps_one_row(tmp_path):
    archive = Archive(tmp_path / "a.db")
    first = archive.save_report(site_id="s", url="http://127.0.0.1/r.htm", capture=capture("aa"), report=report_dict())
    again = archive.save_report(site_id="s", url="http://127.0.0.1/r.htm", capture=capture("aa"), report=report_dict())
    assert first.report_id == again.report_id and first.is_new and not again.is_new
    assert archive.db["reports"].count == 1
    assert archive.db["cells"].count == 3
    assert archive.db["checks"].count == 1


def test_changed_content_is_a_new_current_version_and_the_old_one_stays(tmp_path):
    archive = Archive(tmp_path / "a.db")
    old = archive.save_report(site_id="s", url="http://127.0.0.1/r.htm", capture=capture("aa"), report=report_dict(1))
    new = archive.save_report(site_id="s", url="http://127.0.0.1/r.htm", capture=capture("bb"), report=report_dict(2))
    rows = {r["report_id"]: r["is_current"] for r in archive.db["reports"].rows}
    assert rows == {old.report_id: 0, new.report_id: 1}


def test_cells_keep_exact_decimal_text_and_a_number_for_sql(tmp_path):
    archive = Archive(tmp_path / "a.db")
    stored = archive.save_report(site_id="s", url="u", capture=capture("aa"), report=report_dict())
    archive.close()
    conn = sqlite3.connect(tmp_path / "a.db")
    rows = dict(conn.execute("select cell_id, value_text from cells where report_id = ?", [stored.report_id]))
    assert rows["t2.a20_9.central_proc.proc_amount"] == "139.8"
    assert rows["t4.cases.rev_total"] is None
    assert conn.execute("select sum(value) from cells").fetchone()[0] == 140.8


def test_cell_ids_split_into_table_block_row_and_column():
    assert split_cell_id("t2.a20_1.rules.issued") == ("t2", "a20_1", "rules", "issued")
    assert split_cell_id("t3.deny_secret.person") == ("t3", "", "deny_secret", "person")
    assert split_cell_id("t4.cases.rev_total") == ("t4", "", "cases", "rev_total")


def test_numeric_values_keep_integers_and_signed_deltas():
    assert numeric(3) == (3, "3")
    assert numeric("-185") == (-185, "-185")
    assert numeric("24252.311082") == (24252.311082, "24252.311082")
    assert numeric(None) == (None, None)
