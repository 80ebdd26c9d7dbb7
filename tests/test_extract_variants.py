"""The mutation suite: real corpus pages with one real-world variant applied at a time (and the
issue-9 variants all together) keep every cell of their hand-checked cells/*.json.

Pages are read from ../shared/corpus in place and never copied; the suite skips when it is absent.
The variants (tests/variants.py) come from VARIANTS.md §3–5 and issue 9's table, not from the
templates' own labels, and each must actually change the page.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import variants as V
from govcrawl.extract import extract, extract_file

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
PAGES = {  # page -> template it follows
    "pingtan/report_2023.html": "2021",
    "pingtan/report_2024.html": "2021",
    "pingtan/report_2019.html": "2019",
    "pingtan/report_2020.html": "2019",
}
needs_corpus = pytest.mark.skipif(not (CORPUS / "cells").is_dir(), reason="../shared/corpus absent")
_cache: dict = {}


def _page(name):
    if name not in _cache:
        html = (CORPUS / name).read_text(encoding="utf-8")
        cells = json.loads((CORPUS / "cells" / name.replace(".html", ".json")).read_text(encoding="utf-8"))
        _cache[name] = (html, cells)
    return _cache[name]


def _lost(rep, expected: dict) -> dict:
    """Cells whose extracted value differs from the expected one (missing cells included)."""
    out = {}
    for cid, want in expected.items():
        c = rep.cells.get(cid)
        got = None if c is None or c["null_reason"] == "missing" else c["value"]
        if c is None or c["null_reason"] == "missing" or (str(got) if got is not None else None) != \
                (str(want) if want is not None else None):
            out[cid] = (want, None if c is None else (c["value"], c["null_reason"]))
    return out


@needs_corpus
@pytest.mark.parametrize("page", sorted(PAGES))
def test_unchanged_page_matches_its_cells(page):
    html, cells = _page(page)
    rep = extract(html.encode("utf-8"))
    assert _lost(rep, cells) == {} and rep.coverage == 1.0 and rep.min_confidence >= 0.9


@needs_corpus
@pytest.mark.parametrize("name", sorted(V.VARIANTS))
@pytest.mark.parametrize("page", sorted(PAGES))
def test_each_variant_keeps_every_cell(page, name):
    html, cells = _page(page)
    mutated, changes = V.apply(html, [name])
    assert changes[name] > 0, f"variant {name} changed nothing on {page}"
    rep = extract(mutated.encode("utf-8"))
    assert rep.kind == "report" and rep.template == PAGES[page]
    assert _lost(rep, V.expected_after(name, cells)) == {}
    assert rep.coverage == 1.0


@needs_corpus
@pytest.mark.parametrize("page", sorted(PAGES))
def test_issue_variants_all_together_keep_every_cell(page):
    html, cells = _page(page)
    mutated, changes = V.apply(html, V.ISSUE_TABLE)
    assert all(changes.values()), changes
    rep = extract(mutated.encode("utf-8"))
    assert rep.template == PAGES[page]
    assert _lost(rep, cells) == {}


@needs_corpus
@pytest.mark.parametrize("page", sorted(PAGES))
def test_renumbered_rows_are_read_by_their_words_with_a_warning(page):
    html, _cells = _page(page)
    rep = extract(V.apply(html, ["t3_rows_renumbered"])[0].encode("utf-8"))
    assert "其他法律行政法规禁止公开" in rep.cells["t3.deny_law.total"]["row_label"]
    assert "三安全一稳定" in rep.cells["t3.deny_security.total"]["row_label"]
    renumbered = [w for w in rep.warnings if "is numbered" in w]
    assert len(renumbered) == 2 and "read by its words" in renumbered[0]


@needs_corpus
def test_blank_cells_stay_null_with_their_reason():
    html, cells = _page("pingtan/report_2023.html")
    rep = extract(V.apply(html, ["t3_blank_zeros"])[0].encode("utf-8"))
    blanks = [k for k, v in cells.items() if k.startswith("t3.") and v == 0]
    assert blanks and all(rep.cells[k]["value"] is None and rep.cells[k]["null_reason"] == "blank" for k in blanks)


@needs_corpus
@pytest.mark.parametrize("name, reason", [("t3_slash_for_zero", "not_applicable"), ("t4_dash_for_zero", "not_applicable")])
def test_slash_and_dash_are_null_not_zero(name, reason):
    html, cells = _page("pingtan/report_2024.html")
    rep = extract(V.apply(html, [name])[0].encode("utf-8"))
    table = name[:2] + "."
    zeros = [k for k, v in cells.items() if k.startswith(table) and v == 0]
    assert zeros and {(rep.cells[k]["value"], rep.cells[k]["null_reason"]) for k in zeros} == {(None, reason)}


@needs_corpus
@pytest.mark.parametrize("style", ["pipe", "spaces", "lines"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_as_text_without_table_structure_keeps_every_cell(page, style):
    html, cells = _page(page)
    rep = extract(V.as_text(html, style).encode("utf-8"), filename="report.txt")
    assert rep.format == "text" and rep.template == PAGES[page]
    assert _lost(rep, cells) == {}
    assert any("read from text" in w for w in rep.warnings)


@needs_corpus
def test_seed_text_gives_all_198_cells_and_passes_its_checks():
    expected = json.loads((CORPUS / "cells" / "000_559a03cdbb29f6b3.json").read_text(encoding="utf-8"))
    rep = extract_file(CORPUS / "000_559a03cdbb29f6b3.txt")
    assert rep.kind == "report" and rep.template == "2019" and len(expected) == 198
    assert _lost(rep, expected) == {}
    assert rep.coverage == 1.0 and rep.min_confidence is not None
    assert {c["status"] for c in rep.checks if c["kind"] != "cross_year"} == {"pass"}


@needs_corpus
def test_a_publishers_subtotal_column_is_checked_not_stored():
    html, cells = _page("pingtan/report_2023.html")
    mutated, _ = V.apply(html, ["t3_org_subtotal_column"])
    rep = extract(mutated.encode("utf-8"))
    assert _lost(rep, cells) == {} and not [w for w in rep.warnings if "小计" in w]
    wrong = mutated.replace("<td><p>1</p></td>", "<td><p>2</p></td>", 1)  # the first row's 小计: 1 -> 2
    rep = extract(wrong.encode("utf-8"))
    assert _lost(rep, cells) == {}
    assert [w for w in rep.warnings if "法人或其他组织小计 2 differs" in w]


STACKABLE = [n for n in V.VARIANTS if n not in
             ("t3_blank_zeros", "t3_slash_for_zero", "t4_dash_for_zero", "t4_as_text", "t4_transposed", "t4_split")]


@needs_corpus
@pytest.mark.parametrize("t4_shape", [None, "t4_transposed", "t4_split", "t4_as_text"])
@pytest.mark.parametrize("page", sorted(PAGES))
def test_every_wording_variant_stacked_keeps_every_cell(page, t4_shape):
    """One publisher can combine many of them: 其它 and 合计, units, paraphrases, traditional script,
    a lost table-二 header, a split table 三 … and table 四 in any of its shapes."""
    html, cells = _page(page)
    mutated, _changes = V.apply(html, STACKABLE + ([t4_shape] if t4_shape else []))
    rep = extract(mutated.encode("utf-8"))
    assert rep.template == PAGES[page]
    assert _lost(rep, cells) == {}


TEXT_VARIANTS = ("qita", "heji", "t3_header_units", "t3_paraphrased_rows", "t3_rows_renumbered", "numbering_dropped",
                 "traditional_script", "values_units_in_cells", "values_thousands", "t3_slash_for_zero",
                 "t4_dash_for_zero", "t3_row_labels_garbled", "t3_org_subtotal_column", "t4_transposed")


@needs_corpus
@pytest.mark.parametrize("style", ["pipe", "spaces", "lines"])
@pytest.mark.parametrize("name", TEXT_VARIANTS)
def test_variants_survive_in_text_without_table_structure(name, style):
    for page in ("pingtan/report_2023.html", "pingtan/report_2020.html"):
        html, cells = _page(page)
        text = V.as_text(V.apply(html, [name])[0], style)
        rep = extract(text.encode("utf-8"), filename="report.txt")
        assert _lost(rep, V.expected_after(name, cells)) == {}, page


@needs_corpus
@pytest.mark.parametrize("style", ["spaces", "lines"])
def test_blanks_lost_with_the_table_structure_are_named_never_zero(style):
    """Text without cell boundaries cannot say which figure a blank was: those rows are reported,
    and nothing is read into the wrong column."""
    html, cells = _page("pingtan/report_2023.html")
    expected = V.expected_after("t3_blank_zeros", cells)
    rep = extract(V.as_text(V.apply(html, ["t3_blank_zeros"])[0], style).encode("utf-8"))
    wrong = {k: v for k, v in _lost(rep, expected).items() if v[1] is not None and v[1][1] != "missing"}
    assert wrong == {}
    assert any("expected 7; not read" in w for w in rep.warnings)


@needs_corpus
def test_pipe_tables_keep_their_blank_cells():
    html, cells = _page("pingtan/report_2023.html")
    rep = extract(V.as_text(V.apply(html, ["t3_blank_zeros"])[0], "pipe").encode("utf-8"))
    assert _lost(rep, V.expected_after("t3_blank_zeros", cells)) == {}
    assert rep.cells["t3.carry_in.person"]["null_reason"] == "blank"
