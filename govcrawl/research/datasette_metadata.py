"""Datasette metadata for the archive: titles, column descriptions with units, source, license and
canned queries. Built from the codebook, so the browser and the exports describe columns alike."""
from __future__ import annotations

import re

from govcrawl import templates
from govcrawl.research import codebook
from govcrawl.research.audit import RULES

# The vocabulary comes from the templates (the official wording), never typed again here.
_LATEST = templates.get(templates.VERSIONS[-1])
_DENY = [(r.id, re.sub(r"^\d+\.", "", r.label)) for r in _LATEST.t3_rows if r.parent == "g_deny"]
_T4 = [c.id for c in _LATEST.t4_columns]

QUERIES = {
    "applications_by_year": {
        "title": "Applications by year (表三 总计)",
        "description": "New and carried-in applications, results and carry-over, summed over current reports.",
        "sql": "select year, reports, reports_with_table3, new_total, carry_in_total, open_total, "
               "partial_total, deny_total, unable_total, reject_total, other_total, handled_total, "
               "carry_out_total from rollup_year order by year",
    },
    "denial_reasons": {
        "title": "Denial reasons by year (表三 （三）不予公开, 总计 column)",
        "sql": "select year, " + ", ".join(f"sum({r}_total) as \"{label}\"" for r, label in _DENY)
               + " from t3_current group by year order by year",
    },
    "litigation_outcomes": {
        "title": "Administrative review and litigation outcomes by year (表四)",
        "sql": "select year, count(*) as reports, " + ", ".join(f"sum({c}) as {c}" for c in _T4)
               + " from t4_current group by year order by year",
    },
    "reports_failing_checks": {
        "title": "Reports failing a printed check",
        "description": "Current reports where 一 + 二 ≠ 三（七）总计 + 四 in some column of table 三.",
        "sql": "select * from reports_failing_checks",
    },
    "search": {
        "title": "Full-text search of section text",
        "description": "A Chinese phrase, e.g. 依申请公开, 行政复议 or 收费. Phrases of three or more characters "
                       "use the trigram index; one- or two-character phrases (复议, 收费) are matched by a scan.",
        "sql": """select * from (
select r.report_id, r.year, r.agency, r.title, r.site_id, s.section_id,
       snippet(sections_fts, 0, '【', '】', '…', 20) as excerpt
from sections_fts join sections s on s.section_no = sections_fts.rowid
join reports r on r.report_id = s.report_id
where length(:phrase) >= 3 and sections_fts match '"' || replace(:phrase, '"', '""') || '"'
  and r.is_current = 1
union all
select r.report_id, r.year, r.agency, r.title, r.site_id, s.section_id,
       '…' || substr(s.text, max(1, instr(s.text, :phrase) - 20), min(20, instr(s.text, :phrase) - 1))
       || '【' || :phrase || '】' || substr(s.text, instr(s.text, :phrase) + length(:phrase), 20) || '…'
from sections s join reports r on r.report_id = s.report_id
where length(:phrase) between 1 and 2 and instr(s.text, :phrase) > 0 and r.is_current = 1
) order by site_id, year, section_id limit 200""",
    },
    "audit_scorecard": {
        "title": "Audit scorecard per agency and rule",
        "description": "From `govcrawl audit`: " + "; ".join(f"{k}: {v.title}" for k, v in RULES.items()),
        "sql": "select * from audit_scorecard",
    },
    "audit_failures": {
        "title": "Audit failures with their evidence",
        "description": "Every failed audit finding of a current report: rule, severity, evidence, legal basis.",
        "sql": "select * from audit_failures",
    },
    "agency_timeline": {
        "title": "Agency timelines: key figures per year, missing years and series breaks",
        "sql": "select * from agency_timeline",
    },
}


def _cells(tbl: str) -> dict[str, str]:
    return {d.wide_name: f"{d.meaning}; 单位 {d.unit}; templates {d.templates}"
            for d in codebook.cell_defs() if d.tbl == tbl}


def build_metadata(db_name: str = "archive") -> dict:
    report_cols = {c: m for c, (_t, m) in codebook.REPORT_COLUMNS.items()}
    long_cols = {c: m for c, (_t, m) in codebook.LONG_COLUMNS.items()}
    wide_meta = {**report_cols, "province_code": "First 2 digits of division_code",
                 "city_code": "First 4 digits of division_code"}
    tables = {
        "reports": {"description": "One row per report version; is_current marks the newest of a URL.",
                    "columns": {**report_cols, "is_current": "1 for the newest version of the URL",
                                "report_no": "Internal integer key (not stable across rebuilds; use report_id)"}},
        "cells": {"description": "Long format: one row per template cell of a report (a view).",
                  "columns": long_cols},
        "checks": {"description": "Accounting identities evaluated per report (a view).",
                   "columns": long_cols},
        "t3_current": {"description": "表三 wide: one row per current report, <row>_<column>, 件.",
                       "columns": {**wide_meta, **_cells("t3")}},
        "t4_current": {"description": "表四 wide: one row per current report, 件.",
                       "columns": {**wide_meta, **_cells("t4")}},
        "t2_2019_current": {"description": "表二 (2019 template) wide.", "columns": {**wide_meta, **_cells("t2")}},
        "t2_2021_current": {"description": "表二 (2021 template) wide.", "columns": {**wide_meta, **_cells("t2")}},
        "rollup_year": {"description": "Table 三/四 totals summed over current reports, by year."},
        "rollup_province_year": {"description": "Totals by province (division code prefix, 2 digits) and year."},
        "rollup_city_year": {"description": "Totals by city (division code prefix, 4 digits) and year."},
        "reports_failing_checks": {"description": "Current reports with a failed printed identity."},
        "audit_findings": {"description": "One row per current report and audit rule (`govcrawl audit`).",
                           "columns": {c: m for c, (_t, m) in codebook.AUDIT_COLUMNS.items()}},
        "agency_years": {"description": "One row per agency and year: archived, not_found, not_published or "
                                        "not_crawled, with series breaks (`govcrawl audit` refreshes it)."},
        "agency_timeline": {"description": "agency_years with the year's key figures.",
                            "columns": {c: m for c, (_t, m) in codebook.TIMELINE_COLUMNS.items()}},
        "audit_scorecard": {"description": "Pass / fail / unknown / n/a counts per agency and rule."},
        "audit_failures": {"description": "Failed findings with evidence, per agency and year."},
    }
    return {
        "title": "govcrawl: 政府信息公开工作年度报告 archive",
        "description": "Government information-disclosure annual reports, their tables as template "
                       "cells, and the template's accounting identities. Read-only.",
        "license": "Public government information (政府信息公开条例); govcrawl code MIT",
        "source": "Agency websites in the govcrawl site registry; every response kept as WARC",
        "databases": {db_name: {"tables": tables, "queries": QUERIES}},
    }
