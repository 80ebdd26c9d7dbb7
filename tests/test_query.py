"""`govcrawl query` only reads, and reading never fails or waits while the archive is written."""
from __future__ import annotations

import json
import threading
import time

import pytest

from govcrawl.cli import main
from govcrawl.research.query import ReadOnlyError, format_rows, run_query

from test_views import build_archive, capture, make_report


@pytest.fixture
def db(tmp_path):
    build_archive(tmp_path / "a.db").close()
    return tmp_path / "a.db"


def test_a_select_returns_columns_and_rows(db):
    columns, rows = run_query(db, "select site_id, new_total from t3_current where year = ? order by site_id", [2021])
    assert columns == ["site_id", "new_total"] and rows == [("cq-a", 5), ("cq-b", 9), ("sc-a", 11)]


@pytest.mark.parametrize("sql", [
    "delete from reports", "update reports set year = 1999", "insert into sites (site_id) values ('x')",
    "drop view t3_current", "create table x (a)", "attach database ':memory:' as m", "pragma query_only = 0",
    "pragma journal_mode = delete", "vacuum", "insert into sections_fts(sections_fts) values ('rebuild')",
])
def test_a_write_statement_is_refused(db, sql):
    with pytest.raises(ReadOnlyError, match="read-only"):
        run_query(db, sql)
    assert run_query(db, "select count(*) from reports")[1] == [(5,)]


def test_the_query_command_refuses_writes_with_a_message_and_nonzero_status(db, capsys):
    assert main(["query", "--db", str(db), "delete from reports"]) != 0
    assert "read-only" in capsys.readouterr().err
    assert main(["query", "--db", str(db), "select count(*) as n from reports"]) == 0


def test_the_query_command_prints_a_table_csv_or_json(db, capsys):
    sql = "select agency, year from current_reports where site_id = 'cq-a' order by year"
    main(["query", "--db", str(db), sql])
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["agency", "year"] and table[2].split() == ["重庆市某区民政局", "2020"]
    assert table[1].split()[0] == "-" * 16  # CJK characters count double width
    main(["query", "--db", str(db), "--format", "csv", sql])
    assert capsys.readouterr().out.splitlines() == ["agency,year", "重庆市某区民政局,2020", "重庆市某区民政局,2021"]
    main(["query", "--db", str(db), "--format", "json", sql])
    assert json.loads(capsys.readouterr().out)[0] == {"agency": "重庆市某区民政局", "year": 2020}


def test_table_format_handles_empty_results_and_nulls():
    assert format_rows(["a"], []).splitlines()[-1] == "(0 rows)"
    assert format_rows(["a", "b"], [(None, 1)]).splitlines()[2].split() == ["1"]


def test_readers_neither_fail_nor_wait_while_reports_are_written(tmp_path):
    archive = build_archive(tmp_path / "a.db")
    errors, reads, slowest = [], 0, 0.0
    done = threading.Event()

    def reader():
        nonlocal reads, slowest
        while not done.is_set():
            try:
                start = time.perf_counter()
                (n,), = run_query(tmp_path / "a.db", "select count(*) from t3_current")[1]
                run_query(tmp_path / "a.db", "select * from rollup_province_year")
                slowest = max(slowest, time.perf_counter() - start)
                assert n >= 4
                reads += 1
            except Exception as exc:  # noqa: BLE001 - any failure is the finding
                errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(150):
            archive.save_report(site_id="cq-a", url=f"http://127.0.0.1/a/x{i}.htm", capture=capture(f"x{i}"),
                                report=dict(make_report(2022, "2021", {"person": i}),
                                            agency=f"重庆市某区第{i}局"))  # 150 agencies' reports
    finally:
        done.set()
        for t in threads:
            t.join()
    assert errors == [] and reads > 10
    assert slowest < 2.0  # a reader never waited on the writer's busy timeout
    assert run_query(tmp_path / "a.db", "select count(*) from t3_current")[1] == [(154,)]
