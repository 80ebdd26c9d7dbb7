"""Our Python templates must derive exactly the cell ids and identities of the shared spec."""
from __future__ import annotations

import json

import pytest

from govcrawl import templates


@pytest.fixture
def spec(spec_dir):
    return json.loads((spec_dir / "templates.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("version", templates.VERSIONS)
def test_derived_cell_ids_equal_the_spec(spec, version):
    v = spec[version]
    expected = v["table2"]["cells"] + v["table3"]["cells"] + v["table4"]["cells"]
    assert templates.get(version).cell_ids() == expected


@pytest.mark.parametrize("version", templates.VERSIONS)
def test_derived_identities_equal_the_spec(spec, version):
    expected = [(i["id"], i["kind"], i["expr"]) for i in spec[version]["identities"]]
    got = [(i.id, i.kind, i.expr) for i in templates.get(version).identities()]
    assert got == expected


@pytest.mark.parametrize("version", templates.VERSIONS)
def test_table_labels_equal_the_spec(spec, version):
    t = templates.get(version)
    v = spec[version]
    for block, sblock in zip(t.table2, v["table2"]["blocks"], strict=True):
        assert block.caption == sblock["label"]
        assert [c.label for c in block.columns] == [c["label"] for c in sblock["columns"]]
        assert [r.label for r in block.rows] == [r["label"] for r in sblock["rows"]]
    spec_rows = {r["id"]: r["path"][-1] for r in v["table3"]["rows"] if r["kind"] == "data"}
    assert {r.id: r.label for r in t.t3_rows} == spec_rows
    assert [s.label for s in t.sections] == [s["label"] for s in v["sections"]]


def test_observed_aliases_are_known(spec):
    aliases = spec["observed_aliases"]
    t19, t21 = templates.get("2019"), templates.get("2021")
    assert "行政规范性文件" in t19.table2[0].rows[1].aliases
    assert "规范性文件" in t21.table2[0].rows[1].aliases
    partial = next(r for r in t21.t3_rows if r.id == "partial")
    assert set(aliases["table3"]["partial"]) <= {partial.label, *partial.aliases}
    fee = t21.table2[3].columns[0]
    assert set(aliases["table2"]["2021 a20_8.fee_amount"]) <= {fee.label, *fee.aliases}


def test_template_for_year_follows_the_notices():
    assert templates.template_for_year(2018) == "pre2019"
    assert templates.template_for_year(2019) == "2019"
    assert templates.template_for_year(2020) == "2019"
    assert templates.template_for_year(2021) == "2021"
    assert templates.template_for_year(None) == "unknown"
