"""Every corpus document with a GROUND_TRUTH.tsv row extracts to exactly those figures.

The corpus lives in ../shared/corpus and is read in place (never copied into the project); the
tests skip when it is absent. PDF rows need the PDF reader (govcrawl.extract.pdf) as well.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from govcrawl.extract import extract_file

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

FIGURES = {  # GROUND_TRUTH.tsv column -> cell id
    "new_requests": "t3.new.total",
    "carried_over": "t3.carry_in.total",
    "granted": "t3.open.total",
    "partly_granted": "t3.partial.total",
    "total_handled": "t3.handled_total.total",
    "carried_forward": "t3.carry_out.total",
    "admin_review_total": "t4.cases.rev_total",
    "litigation_direct_total": "t4.cases.lit_direct_total",
    "litigation_after_review_total": "t4.cases.lit_after_review_total",
}
T2_COLUMNS = {"2019": ("made_new", "published_new", "public_total"), "2021": ("issued", "repealed", "in_force")}


def _rows() -> list[dict]:
    path = CORPUS / "GROUND_TRUTH.tsv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


ROWS = _rows()
_cache: dict[str, object] = {}


def _extract(corpus_dir: Path, name: str):
    if name not in _cache:
        _cache[name] = extract_file(corpus_dir / name)
    return _cache[name]


def _expected(text: str):
    return None if text == "null" else int(text)


@pytest.mark.parametrize("row", ROWS or [pytest.param(None, marks=pytest.mark.skip("corpus absent"))],
                         ids=[r["file"] for r in ROWS] or ["none"])
def test_ground_truth_figures_kind_template_year(corpus_dir, row):
    rep = _extract(corpus_dir, row["file"])
    assert rep.kind == row["expect_kind"], rep.reason
    if row["expect_kind"] != "report":
        assert rep.reason
        return
    assert rep.template == row["expect_template"]
    assert rep.year == int(row["expect_year"])
    assert rep.agency and (rep.agency in row["agency"] or row["agency"] in rep.agency)
    for column, cell_id in FIGURES.items():
        if row[column] != "?":
            assert rep.cells[cell_id]["value"] == _expected(row[column]), (column, rep.cells[cell_id])
    if row["t2_columns"]:
        cols = T2_COLUMNS[rep.template]
        for i, col in enumerate(cols, start=1):
            cell = rep.cells[f"t2.a20_1.normative.{col}"]
            assert cell["value"] == _expected(row[f"t2_normative_row_col{i}"]), (col, cell)
            assert cell["col_label"].startswith(row["t2_columns"].split("|")[i - 1])


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect_kind"] == "report"] or
                         [pytest.param(None, marks=pytest.mark.skip("corpus absent"))],
                         ids=[r["file"] for r in ROWS if r["expect_kind"] == "report"] or ["none"])
def test_known_inconsistencies_are_flagged_and_nothing_else_fails(corpus_dir, row):
    rep = _extract(corpus_dir, row["file"])
    failed = {c["id"] for c in rep.checks if c["status"] == "fail"}
    expected = {x for x in row["expect_fail"].split(",") if x}
    assert failed == expected


def _cell_files():
    d = CORPUS / "cells"
    return sorted(p.relative_to(d).as_posix() for p in d.rglob("*.json")) if d.is_dir() else []


@pytest.mark.parametrize("name", [n for n in _cell_files() if not n.startswith("000_")] or
                         [pytest.param(None, marks=pytest.mark.skip("corpus absent"))])
def test_every_hand_checked_cell_matches(corpus_dir, name):
    expected = json.loads((corpus_dir / "cells" / name).read_text(encoding="utf-8"))
    rep = _extract(corpus_dir, name.replace(".json", ".html"))
    got = rep.to_dict()["cells"]
    assert set(got) == set(expected)
    assert {k: got[k]["value"] for k in expected} == expected


def test_money_is_normalised_to_wan_yuan_keeping_the_written_unit(corpus_dir):
    cell = _extract(corpus_dir, "pingtan/report_2019.html").to_dict()["cells"]["t2.a20_9.central_proc.proc_amount"]
    assert cell["value"] == "7539.443252" and cell["unit"] == "万元" and cell["source_unit"] == "元"
    assert cell["raw"].strip() == "75394432.52元"


def test_negative_deltas_parse(corpus_dir):
    cells = _extract(corpus_dir, "pingtan/report_2020.html").cells
    assert cells["t2.a20_6.penalty.delta"]["value"] == -18
    assert cells["t2.a20_8.fees.delta"]["value"] == -15


def test_pre2019_report_keeps_its_statistics_table(corpus_dir):
    rep = _extract(corpus_dir, "pingtan/report_2017.html")
    assert rep.template == "pre2019" and rep.cells == {} and rep.checks == []
    [table] = rep.extra_tables
    assert table["header"] == [["指标名称", "计量单位", "2017年度", "历年累计"]]
    assert table["rows"][0] == ["主动公开文件数", "条", "2122", "10037"]
    assert len(table["rows"]) == 15
    assert {"s1", "s2", "s3", "s4", "s5"} <= set(rep.sections)


def test_sections_and_metadata_of_a_2021_report(corpus_dir):
    rep = _extract(corpus_dir, "pingtan/report_2023.html")
    assert rep.title == "平潭综合实验区2023年度政府信息公开工作年度报告"
    assert rep.published == "2024-03-08"
    assert [k for k in rep.sections if k.startswith("s")] == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert rep.sections["s6"].startswith("2023年，无收取信息处理费情况")
    assert "根据" in rep.sections["preamble"]


def test_listing_page_is_not_a_report(corpus_dir):
    rep = _extract(corpus_dir, "pingtan/listing_zfxxgknb_index.html")
    assert rep.kind == "not_report" and "listing" in rep.reason
    assert rep.cells == {} and rep.checks == []
