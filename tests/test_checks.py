"""Identities are evaluated, never repaired: pass / fail / unknown with the figures shown."""
from __future__ import annotations

from decimal import Decimal

from govcrawl import checks, templates


def _zeros(version: str) -> dict:
    return {cid: 0 for cid in templates.get(version).cell_ids()}


def test_a_consistent_report_passes_every_single_report_identity():
    results = checks.evaluate("2021", _zeros("2021"))
    assert {r["status"] for r in results if r["kind"] != "cross_year"} == {"pass"}
    assert len(results) == len(templates.get("2021").identities())


def test_printed_totals_that_disagree_with_their_parts_fail_with_the_figures():
    cells = _zeros("2021") | {"t4.cases.rev_maintain": 10, "t4.cases.rev_correct": 1}
    [r] = [r for r in checks.evaluate("2021", cells) if r["id"] == "t4_rev_total"]
    assert r["status"] == "fail" and r["kind"] == "structural"
    assert r["detail"].startswith("0 != 10 + 1 + 0 + 0")
    assert cells["t4.cases.rev_total"] == 0  # flagged, not corrected


def test_a_null_cell_makes_the_identity_unknown_and_names_the_cell():
    cells = _zeros("2019") | {"t3.carry_out.person": None}
    [r] = [r for r in checks.evaluate("2019", cells) if r["id"] == "t3_balance_person"]
    assert r["status"] == "unknown" and "t3.carry_out.person" in r["detail"]


def test_cross_year_identities_are_unknown_without_the_previous_report():
    res = {r["id"]: r for r in checks.evaluate("2019", _zeros("2019"))}
    assert res["t3_carry_chain"]["status"] == "unknown"
    assert "previous year" in res["t3_carry_chain"]["detail"]


def test_cross_year_identities_evaluate_with_the_previous_report():
    prev = _zeros("2021") | {"t3.carry_out.total": 2}
    cur = _zeros("2021") | {"t3.carry_in.total": 2}
    res = {r["id"]: r["status"] for r in checks.evaluate("2021", cur, prev=prev)}
    assert res["t3_carry_chain"] == "pass"


def test_soft_inequality_and_decimal_and_cell_dicts_are_supported():
    cells = {k: {"value": v} for k, v in (_zeros("2019") | {"t2.a20_1.rules.published_new": 3,
                                                            "t2.a20_1.rules.public_total": 2}).items()}
    res = {r["id"]: r for r in checks.evaluate("2019", cells)}
    assert res["t2_a20_1_rules_le"]["status"] == "fail"
    assert res["t2_a20_1_normative_le"]["status"] == "pass"
    assert checks.parse("a + b - prev(c) == d")[0] == [(1, "a", False), (1, "b", False), (-1, "c", True)]
    assert checks._value({"x": "1.50"}, "x") == Decimal("1.50")


def test_unknown_templates_have_no_identities():
    assert checks.evaluate("pre2019", {}) == [] and checks.evaluate("unknown", {}) == []
