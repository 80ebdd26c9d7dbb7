import csv

from govcrawl.export import export_csv, neutralise
from govcrawl.store import Archive

from test_store import capture, report_dict


def test_formula_like_text_is_neutralised_but_numbers_are_not():
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("渝北区") == "渝北区"
    assert neutralise(-185) == -185


def test_export_writes_reports_cells_and_checks_in_utf8(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.save_report(site_id="s", url="u", capture=capture("aa"), report=report_dict())
    archive.close()
    counts = export_csv(tmp_path / "a.db", tmp_path / "out")
    assert counts == {"reports.csv": 1, "cells.csv": 3, "checks.csv": 1}
    with open(tmp_path / "out" / "reports.csv", encoding="utf-8") as f:
        (row,) = list(csv.DictReader(f))
    assert row["agency"] == "重庆市某区民政局" and row["year"] == "2020"
    export_csv(tmp_path / "a.db", tmp_path / "xl", excel=True)
    assert (tmp_path / "xl" / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
