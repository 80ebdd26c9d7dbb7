"""The audit's rules, one at a time, on reports built to break them; storage and re-runs."""
from __future__ import annotations

import pytest

from govcrawl import templates
from govcrawl.research import audit, textfigures
from govcrawl.research.audit import Report
from test_views import build_archive, capture, make_report, rows


def report(**kw) -> Report:
    t = templates.get(kw.pop("template", "2021"))
    r = Report(report_id="r1", report_no=1, site_id="s", year=kw.pop("year", 2022), template=t.version,
               level=kw.pop("level", "department"), published=kw.pop("published", "2023-01-20"),
               first_capture=kw.pop("first_capture", None))
    r.cells = {cid: (kw.get("value", 0), None) for cid in t.cell_ids()}
    r.sections = {s.id: f"{s.label}正文。" for s in templates.SECTIONS}
    r.sections["s6"] = "本年度未收取信息处理费。"
    return r


@pytest.mark.parametrize("level, published, status", [
    ("department", "2023-01-31", "pass"),
    ("department", "2023-02-01", "fail"),   # 条例 第49条: departments by 31 January
    ("district", "2023-03-31", "pass"),     # a local government's own report by 31 March
    ("county", "2023-04-01", "fail"),
])
def test_deadline_depends_on_who_publishes(level, published, status):
    f = audit.rule_on_time(report(level=level, published=published))
    assert f["status"] == status
    assert "the page's publication date" in f["evidence"]
    if status == "fail":
        assert f["severity"] == "error" and "1 days late" in f["evidence"]


def test_before_2019_everyone_had_until_31_march():
    f = audit.rule_on_time(report(year=2017, template="2019", level="department", published="2018-03-30"))
    assert f["status"] == "pass" and "条例(2007)第31条" in f["evidence"]


def test_without_a_page_date_the_first_capture_decides_only_when_it_is_early():
    early = audit.rule_on_time(report(published=None, first_capture="2023-01-10T08:00:00+00:00"))
    assert early["status"] == "pass" and "first captured" in early["evidence"]
    late = audit.rule_on_time(report(published=None, first_capture="2026-12-01T08:00:00+00:00"))
    assert late["status"] == "unknown" and "proves nothing" in late["evidence"]


def test_a_missing_section_is_named_and_table_sections_count_by_their_tables():
    r = report()
    for sid in ("s2", "s3", "s4"):
        del r.sections[sid]  # a section holding only its table keeps no text
    assert audit.rule_sections(r)["status"] == "pass"
    del r.sections["s5"]
    f = audit.rule_sections(r)
    assert f["status"] == "fail" and "五、存在的主要问题及改进情况" in f["evidence"]
    assert "一 二 三 四 六" in f["evidence"]


def test_missing_template_cells_are_listed_by_id():
    r = report()
    r.cells["t3.deny_query.total"] = (None, "missing")
    r.cells["t4.cases.rev_total"] = (None, "blank")
    f = audit.rule_tables(r)
    assert f["status"] == "fail" and "t3.deny_query.total" in f["evidence"] and "1 of 200" in f["evidence"]
    del r.cells["t3.deny_query.total"]  # absent altogether counts as missing too
    assert audit.rule_tables(r)["status"] == "fail"


def test_2021_reports_must_state_the_fee_in_section_six():
    r = report()
    assert audit.rule_fee(r)["status"] == "pass"
    r.sections["s6"] = "无。"
    f = audit.rule_fee(r)
    assert f["status"] == "fail" and f["severity"] == "warning"
    assert audit.rule_fee(report(template="2019"))["status"] == "n/a"


def test_text_figures_are_read_from_prose_and_compared_with_the_tables():
    r = report()
    r.cells["t3.new.total"] = (95, None)
    r.cells["t4.cases.rev_total"] = (2, None)
    r.sections["s1"] = "区政府办代表区政府受理政府信息公开申请17件，均已答复。被申请行政复议2件。"
    f = audit.rule_text(r)
    assert f["status"] == "fail"
    assert "受理政府信息公开申请17件" in f["evidence"] and "t3.new.total = 95" in f["evidence"]
    r.sections["s1"] = "全年共收到政府信息公开申请95件，其中予以公开及部分公开0件。未发生行政复议。"
    r.cells["t4.cases.rev_total"] = (0, None)
    assert audit.rule_text(r)["status"] == "pass"


def test_figures_in_words_and_absent_figures():
    figs = {f.key: f.value for f in textfigures.read_figures(
        "收到申请十二件，办结一百零五件；未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。")}
    assert figs == {"t3.new": 12, "t3.handled": 105, "t4.rev": 0, "t4.lit": 0}
    assert textfigures.read_figures("2020 年主动公开信息  条。") == []
    figs = {f.key: f.value for f in textfigures.read_figures(
        "办理人大代表建议9件、政协委员提案6件。全年办理政府信息公开申请218件。全年制发规范性文件3件。")}
    assert figs == {"t3.handled": 218, "t2.normative_issued": 3}  # 建议 and 提案 are not applications


def test_hongze_2024_text_says_17_requests_where_table_three_says_95(corpus_dir):
    """A real case: the body speaks for the 区政府办 alone, table 三 for the whole district."""
    from govcrawl.extract import extract_file

    path = corpus_dir / "jiangsu" / "hongze_district_2024.pdf"
    if not path.exists():
        pytest.skip("corpus file absent")
    x = extract_file(path)
    r = Report("hz", 1, "hz", x.year, x.template, "district", x.published, None,
               sections=dict(x.sections), cells={k: (c["value"], c["null_reason"]) for k, c in x.cells.items()})
    f = audit.rule_text(r)
    assert f["status"] == "fail"
    assert "17" in f["evidence"] and "t3.new.total = 95" in f["evidence"]
    assert audit.rule_fee(r)["status"] == "pass"  # 全年收取政府信息公开信息处理费0元


def test_audit_is_stored_once_per_report_and_rule_and_rerun_replaces_it(tmp_path):
    db = tmp_path / "archive.db"
    archive = build_archive(db)
    # a 2022 report of cq-a whose 上年结转 disagrees with 2021's 结转下年度 (0): cross-year fails
    r = make_report(2022, "2021", {"person": 2})
    r["cells"]["t3.carry_in.total"]["value"] = 5
    archive.save_report(site_id="cq-a", url="http://127.0.0.1/a/2022.htm", capture=capture("a22"), report=r)
    archive.close()
    findings = audit.run_audit(db)
    assert len(findings) == 5 * len(audit.RULES)
    again = audit.run_audit(db)
    archive = build_archive(db)  # reopen (the fixture's sites and reports are upserts)
    assert rows(archive, "select count(*) from audit_findings") == [(len(again),)]
    cross = rows(archive, "select status, evidence from audit_findings a join reports r using (report_id) "
                          "where r.url like '%/a/2022.htm' and rule = 'cross_year'")
    assert cross[0][0] == "fail" and "t3_carry_chain" in cross[0][1]
    failing = rows(archive, "select site_id, year, rule from audit_failures where rule = 'identities'")
    assert failing == [("cq-b", 2021, "identities")]
    scored = rows(archive, "select passed, failed from audit_scorecard where site_id = 'cq-b' and rule = 'identities'")
    assert scored == [(0, 1)]
    only = audit.run_audit(db, audit.Selection(sites=["sc-a"]))
    assert {f["site_id"] for f in only} == {"sc-a"}
    assert rows(archive, "select count(*) from audit_findings") == [(len(again),)]  # others kept
    archive.close()


def test_pingtan_2023_text_says_393_normative_documents_in_force_where_table_two_says_470(corpus_dir):
    """The corpus' other real text-vs-table mismatch (GROUND_TRUTH notes), found in table 二."""
    from govcrawl.extract import extract_file

    path = corpus_dir / "pingtan" / "report_2023.html"
    if not path.exists():
        pytest.skip("corpus file absent")
    x = extract_file(path)
    r = Report("pt", 1, "pt", x.year, x.template, "district", x.published, None,
               sections=dict(x.sections), cells={k: (c["value"], c["null_reason"]) for k, c in x.cells.items()})
    f = audit.rule_text(r)
    assert f["status"] == "fail"
    assert "现行有效行政规范性文件393件" in f["evidence"] and "t2.a20_1.normative.in_force = 470" in f["evidence"]
    assert "申请" not in f["evidence"]  # its request figures (81 received, 42 公开及部分公开 …) agree


@pytest.mark.parametrize("agency, level, kind", [
    ("重庆市渝北区民政局", "district", "department"),   # a department's report on a district portal
    ("鹭湾区", "department", "government"),            # a place name: the government's own report
    ("淮安市洪泽区人民政府", None, "government"),
    ("澜州市鹭湾区人民政府办公室", "district", "department"),
    ("平潭综合实验区", "city", "government"),
    (None, "department", "department"),                  # no name: the registry level decides
])
def test_who_publishes_comes_from_the_reports_own_agency_name(agency, level, kind):
    from govcrawl.research.agencies import publisher_kind

    assert publisher_kind(agency, level)[0] == kind


def test_previous_year_is_the_same_agencys_even_on_a_portal_of_many():
    def rep(rid, agency, year):
        r = report(year=year)
        r.report_id, r.agency = rid, agency
        return r

    reports = [rep("a21", "某区民政局", 2021), rep("b21", "某区财政局", 2021), rep("a22", "重庆市某区民政局", 2022),
               rep("b22", "某区财政局", 2022)]
    prev = audit.previous_of(reports)
    assert prev["a22"].report_id == "a21" and prev["b22"].report_id == "b21"
    renamed = [rep("x21", "某区环境保护局", 2021), rep("x22", "某区生态环境局", 2022)]
    assert audit.previous_of(renamed)["x22"].report_id == "x21"  # one agency a year: renamed, same series


def test_before_2019_the_six_items_of_article_32_must_be_mentioned():
    r = report(year=2017, template="2019")
    r.template, r.cells = "pre2019", {}
    r.sections = {"s1": "一、概述。主动公开政府信息1200条。受理依申请公开12件。",
                  "s5": "五、因政府信息公开申请行政复议、提起行政诉讼情况：无。存在问题及改进措施。其他事项：无。"}
    f = audit.rule_sections(r)
    assert f["status"] == "fail" and f["severity"] == "warning" and "（三）收费及减免" in f["evidence"]
    r.sections["s1"] += "未收取任何费用，无减免。"
    assert audit.rule_sections(r)["status"] == "pass"


def test_a_corrected_version_published_later_does_not_make_the_report_late(tmp_path):
    from govcrawl.archive.store import Archive

    db = tmp_path / "archive.db"
    archive = Archive(db)
    first = make_report(2022, "2021", {"person": 1})  # published 2023-01-20 by the fixture
    fixed = make_report(2022, "2021", {"person": 2})
    fixed["published"] = "2023-05-06"  # the page was re-issued with a correction in May
    url = "http://127.0.0.1/x/2022.htm"
    archive.save_report(site_id="x", url=url, capture=capture("v1"), report=first)
    archive.save_report(site_id="x", url=url, capture=capture("v2"), report=fixed)
    archive.close()
    (on_time,) = [f for f in audit.run_audit(db) if f["rule"] == "on_time"]
    assert on_time["status"] == "pass" and on_time["evidence"].startswith("2023-01-20")
