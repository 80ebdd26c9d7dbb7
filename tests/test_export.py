import csv
import json

import pytest

from govcrawl.cli import main
from govcrawl.research.export import Filters, export, export_csv, neutralise
from govcrawl.archive.store import Archive

from test_store import capture, report_dict
from test_views import build_archive


def read_csv(path, encoding="utf-8"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_formula_like_text_is_neutralised_but_numbers_are_not():
    assert neutralise("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("+86 23 6789") == "'+86 23 6789"
    assert neutralise("渝北区") == "渝北区"
    assert neutralise(-185) == -185
    assert neutralise("-185") == "-185" and neutralise("-0.5") == "-0.5"


def test_export_writes_reports_cells_and_checks_in_utf8(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.save_report(site_id="s", url="u", capture=capture("aa"), report=report_dict())
    archive.close()
    counts = export_csv(tmp_path / "a.db", tmp_path / "out")
    # audit.csv and timelines.csv hold what `govcrawl audit` last computed: nothing yet
    assert counts == {"reports.csv": 1, "cells.csv": 3, "checks.csv": 1, "audit.csv": 0, "timelines.csv": 0}
    (row,) = read_csv(tmp_path / "out" / "reports.csv")
    assert row["agency"] == "重庆市某区民政局" and row["year"] == "2020"
    export_csv(tmp_path / "a.db", tmp_path / "xl", excel=True)
    assert (tmp_path / "xl" / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (tmp_path / "out" / "reports.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_formula_text_in_an_export_file_is_neutralised_and_signed_numbers_are_kept(tmp_path):
    archive = Archive(tmp_path / "a.db")
    report = report_dict()
    report["title"] = "=cmd|' /C calc'!A0"
    report["cells"]["t2.a20_5.license.delta"] = {"value": "-185", "raw": "-185", "unit": "项"}
    archive.save_report(site_id="s", url="u", capture=capture("aa"), report=report)
    archive.close()
    export(tmp_path / "a.db", tmp_path / "out")
    (row,) = read_csv(tmp_path / "out" / "reports.csv")
    assert row["title"] == "'=cmd|' /C calc'!A0"
    delta = [c for c in read_csv(tmp_path / "out" / "cells.csv") if c["cell_id"] == "t2.a20_5.license.delta"]
    assert delta[0]["value"] == "-185" and delta[0]["raw"] == "-185"
    export(tmp_path / "a.db", tmp_path / "js", fmt="jsonl")
    line = json.loads((tmp_path / "js" / "reports.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert line["title"] == "=cmd|' /C calc'!A0"  # JSON Lines keeps text exactly


@pytest.mark.parametrize("filters, expected", [
    (Filters(), [("cq-a", "2020"), ("cq-a", "2021"), ("cq-b", "2021"), ("sc-a", "2021")]),
    (Filters(years=[2021]), [("cq-a", "2021"), ("cq-b", "2021"), ("sc-a", "2021")]),
    (Filters(division="51"), [("sc-a", "2021")]),
    (Filters(division="500102"), [("cq-b", "2021")]),
    (Filters(template="2019"), [("cq-a", "2020")]),
    (Filters(sites=["cq-b", "sc-a"]), [("cq-b", "2021"), ("sc-a", "2021")]),
    (Filters(only_consistent=True), [("cq-a", "2020"), ("cq-a", "2021"), ("sc-a", "2021")]),
])
def test_filters_select_current_reports_in_a_stable_order(tmp_path, filters, expected):
    build_archive(tmp_path / "a.db").close()
    export(tmp_path / "a.db", tmp_path / "out", filters=filters)
    got = [(r["site_id"], r["year"]) for r in read_csv(tmp_path / "out" / "reports.csv")]
    assert got == expected
    cells = read_csv(tmp_path / "out" / "cells.csv")
    assert {(c["site_id"], c["year"]) for c in cells} == set(expected)
    assert [c["cell_id"] for c in cells[:3]] == sorted(c["cell_id"] for c in cells[:3])


def test_wide_export_has_a_column_per_cell_of_the_chosen_template(tmp_path):
    build_archive(tmp_path / "a.db").close()
    counts = export(tmp_path / "a.db", tmp_path / "out", wide=True, filters=Filters(template="2021"))
    assert counts == {"reports_wide.csv": 3, "audit.csv": 0, "timelines.csv": 0}
    rows = read_csv(tmp_path / "out" / "reports_wide.csv")
    assert [(r["site_id"], r["t3.new.total"], r["t3.other_misc.total"]) for r in rows] == [
        ("cq-a", "5", "0"), ("cq-b", "9", "0"), ("sc-a", "11", "0")]
    assert "t3.other.total" not in rows[0] and "t2.a20_9.central_proc.proc_amount" not in rows[0]
    export(tmp_path / "a.db", tmp_path / "all", wide=True)
    assert "t3.other.total" in read_csv(tmp_path / "all" / "reports_wide.csv")[0]


def test_every_export_has_a_codebook_and_a_frictionless_datapackage(tmp_path):
    build_archive(tmp_path / "a.db").close()
    export(tmp_path / "a.db", tmp_path / "out", wide=True)
    book = {r["column"]: r for r in read_csv(tmp_path / "out" / "codebook.csv")}
    new_person = book["t3.new.person"]
    assert new_person["unit"] == "件" and new_person["templates"] == "2019 2021"
    assert "一、本年新收政府信息公开申请数量" in new_person["label_zh"] and "自然人" in new_person["label_zh"]
    assert book["t2.a20_8.fees.fee_amount"]["unit"] == "万元" and book["t2.a20_8.fees.fee_amount"]["templates"] == "2021"
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    resource, audit, timelines = package["resources"]
    assert resource["path"] == "reports_wide.csv" and resource["profile"] == "tabular-data-resource"
    assert (audit["path"], timelines["path"]) == ("audit.csv", "timelines.csv")
    header = next(csv.reader(open(tmp_path / "out" / "reports_wide.csv", encoding="utf-8")))
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert set(book) == set(header) | {f["name"] for r in (audit, timelines) for f in r["schema"]["fields"]}
    assert "pass, fail" in book["status"]["meaning"] or "archived" in book["status"]["meaning"]


def test_jsonl_export_writes_one_object_per_line(tmp_path):
    build_archive(tmp_path / "a.db").close()
    counts = export(tmp_path / "a.db", tmp_path / "out", fmt="jsonl", filters=Filters(years=[2020]))
    assert counts == {"reports.jsonl": 1, "cells.jsonl": 198, "checks.jsonl": 48, "audit.jsonl": 0, "timelines.jsonl": 0}
    cells = [json.loads(line) for line in open(tmp_path / "out" / "cells.jsonl", encoding="utf-8")]
    assert {c["cell_id"]: c["value"] for c in cells}["t3.new.total"] == 4


def test_export_command_takes_filters_and_formats(tmp_path, capsys):
    build_archive(tmp_path / "a.db").close()
    status = main(["export", "--db", str(tmp_path / "a.db"), "--out", str(tmp_path / "out"), "--wide",
                   "--format", "jsonl", "--year", "2021", "--division", "50", "--excel"])
    assert status == 0
    assert "reports_wide.jsonl: 2 rows" in capsys.readouterr().out
    assert main(["export", "--db", str(tmp_path / "missing.db")]) == 2
