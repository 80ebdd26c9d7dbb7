"""The text reader and the vocabulary, on the real shapes VARIANTS.md records: digit runs that lost
their separators (平潭 page.txt), figures glued to labels in PDF text layers, unit suffixes and
other words for one label."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcrawl import templates, vocabulary
from govcrawl.extract import UnreadableDocument, extract
from govcrawl.extract import labels as L
from govcrawl.extract.text import _rowsum_ok, resolve_figures, tokens


def _t4_ok(vals):
    return all(sum(vals[i:i + 4]) == vals[i + 4] for i in range(0, 15, 5))


def test_flattened_table_four_digits_split_as_the_totals_allow():
    # 平潭 2020 page.txt: "10203120001200000" = 1,0,2,0,3 | 12,0,0,0,12 | 0,0,0,0,0
    got, confirmed = resolve_figures(["10203120001200000"], 15, _t4_ok)
    assert confirmed and got == ["1", "0", "2", "0", "3", "12", "0", "0", "0", "12"] + ["0"] * 5


def test_flattened_row_digits_split_by_the_row_sum():
    # 平潭 2021 page.txt: "（七）总计20 0 00 0 121"
    got, confirmed = resolve_figures(["20", "0", "00", "0", "121"], 7, _rowsum_ok)
    assert confirmed and got == ["20", "0", "0", "0", "0", "1", "21"]


def test_a_split_the_identities_cannot_decide_is_not_guessed():
    assert resolve_figures(["1111"], 7, _rowsum_ok) == (None, False)  # too few digits for 7 figures
    got, confirmed = resolve_figures(["11", "0", "0", "0", "0", "0", "2"], 7, _rowsum_ok)
    assert got == ["11", "0", "0", "0", "0", "0", "2"] and not confirmed  # read, but named uncertain


@pytest.mark.parametrize("text, want", [
    ("0年2.其他法律行政法规禁止公开0", [("0", True), ("年", False), ("2.其他法律行政法规禁止公开", False), ("0", True)]),
    ("258理5.属于三类内部事务信息", [("258", True), ("理", False), ("5.属于三类内部事务信息", False)]),
    ("行政复议：结果维持1件，结果纠正0件", [("行政复议：结果维持", False), ("1件", True), ("，结果纠正", False),
                                    ("0件", True)]),
    ("| 规章 | 0 | 0 | 3 |", [("规章", False), ("0", True), ("0", True), ("3", True)]),
    ("2021年政府信息公开", [("2021年政府信息公开", False)]),
])
def test_tokens_separate_figures_from_labels(text, want):
    assert [(t.text, t.value) for t in tokens(text)] == want


def test_markdown_rule_lines_are_not_null_figures():
    assert tokens("|---|---|---|") == []


def test_units_and_same_words_are_one_label():
    assert L.key("自然人（件）") == L.key("自然人") == L.key("自然人(单位：件)")
    assert L.key("其它") == L.key("其他") and L.key("（七）合计") == L.key("（七）总计")
    assert L.key("本年收费金额（单位：万元）") == L.key("本年收费金额(万元)")
    assert L.gist("一、本年新收到政府信息公开申请数") == L.gist("一、本年新收政府信息公开申请数量")
    assert L.gist("二、上年结转申请数") == L.gist("二、上年结转政府信息公开申请数量")


@pytest.mark.parametrize("version", templates.VERSIONS)
def test_paraphrase_gists_keep_every_row_distinct(version):
    rows = templates.get(version).t3_rows
    gists = [L.gist(r.label) for r in rows]
    assert len(set(gists)) == len(gists)
    for rid, variants in vocabulary.T3_ROW_VARIANTS.items():
        owner = {r.id for r in rows if L.gist(r.label) in {L.gist(v) for v in variants}}
        assert owner <= {rid}, (rid, owner)


def test_ocr_text_of_a_2021_report_reads_against_the_template():
    """OCR output: one row per line, single spaces, a unit after each figure, 其它 and 合计."""
    t = templates.get("2021")
    lines = ["某某市某某局2022年政府信息公开工作年度报告", "一、总体情况", "本年度依法办理申请。",
             "三、收到和处理政府信息公开申请情况", "申请人情况 自然人 商业企业 科研机构 社会公益组织 法律服务机构 其它 合计"]
    values = {}
    for r in t.t3_rows:
        row = [0] * 6
        if r.id in ("open", "unable_not_held"):
            row = [3, 1, 0, 0, 0, 1]
        values[r.id] = row + [sum(row)]
    leaves = [r.id for r in t.t3_rows if r.id not in ("new", "carry_in", "handled_total", "carry_out")]
    values["handled_total"] = [sum(values[r][i] for r in leaves) for i in range(7)]
    values["carry_in"] = [0] * 7
    values["carry_out"] = [1, 0, 0, 0, 0, 0, 1]
    values["new"] = [a + b for a, b in zip(values["handled_total"], values["carry_out"])]
    for r in t.t3_rows:
        if r.parent and r.parent != "g_results" and r == next(x for x in t.t3_rows if x.parent == r.parent):
            lines.append(t.t3_groups[r.parent][0])
        label = r.label.replace("其他", "其它").replace("总计", "合计")
        lines.append(label + " " + " ".join(f"{v}件" for v in values[r.id]))
    lines += ["四、政府信息公开行政复议、行政诉讼情况", "行政复议 行政诉讼", "0 0 0 0 0 0 0 0 0 0 0 0 0 0 0",
              "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。"]
    rep = extract("\n".join(lines).encode("utf-8"))
    assert rep.template == "2021"
    got = {k: c["value"] for k, c in rep.cells.items() if k.startswith("t3.")}
    assert got == {f"t3.{r}.{c.id}": values[r][i] for r in values for i, c in enumerate(t.t3_columns)}
    assert not [c for c in rep.checks if c["status"] == "fail"]


def test_long_digit_runs_cost_bounded_work_and_are_not_guessed():
    assert resolve_figures(["1" * 60], 7, _rowsum_ok) == (None, False)  # a phone number, not figures
    # 24 digits into 15 figures: more splits than the budget allows; given up, not guessed
    assert resolve_figures(["10" * 12], 15, _t4_ok) == (None, False)


LABELS = [r.label for r in templates.get("2021").t3_rows] + [
    "三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况", "行政复议", "结果维持", "总计",
    "|", "|---|", "—", "/", "其它", "第二十条第（一）项", "规章", "\t", "\n"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(LABELS), st.integers(0, 10 ** 18).map(str),
                          st.integers(1, 40).map(lambda n: "0" * n)), max_size=300))
def test_any_mix_of_labels_and_figures_extracts_or_is_unreadable(parts):
    try:
        rep = extract(" ".join(parts).encode("utf-8") or b" ")
    except UnreadableDocument:
        return
    assert 0.0 <= rep.coverage <= 1.0
    for c in rep.cells.values():  # whatever was read is a count, a null with a reason, never junk
        assert c["value"] is None or isinstance(c["value"], int) or c["unit"] == "万元"
