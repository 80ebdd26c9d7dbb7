"""Compliance audit of every current report: the questions transparency evaluators score.

One finding per report and rule, each with a status (pass / fail / unknown / n/a), a severity and
the evidence (quoted text, dates or cell ids), stored in ``audit_findings`` by the store. The rules:

- ``on_time`` — 条例 (2019) 第49条: a government department's report by 31 January, a local
  government's own report by 31 March of the next year; 31 March for everyone under the 2007 条例
  (report years up to 2018). The date is the page's publication date, else the first capture —
  and a first capture after the deadline proves nothing, so that case is ``unknown``.
- ``sections`` — the six parts 一…六 present (the extractor only accepts them in ascending order);
  before 2019, the six items of 条例(2007)第32条 mentioned at all (there were no set headings).
- ``tables_complete`` — every cell of the template's tables 二/三/四 found.
- ``fee_statement`` — 2021 template: 信息处理费 reported in 六 (国办函〔2020〕109号).
- ``text_vs_tables`` — figures stated in 一、总体情况 equal the tables (``textfigures``).
- ``identities`` — the printed and structural identities (computed by ``checks`` at extraction).
- ``cross_year`` — the carry-over chain and table 二 stock identities against the previous year's
  report of the same agency.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from govcrawl import checks, templates
from govcrawl.research import textfigures
from govcrawl.research.agencies import agency_key, publisher_kind, same_agency
from govcrawl.research.query import connect_readonly


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: str  # of a failure: error | warning
    basis: str


RULES = {r.id: r for r in (
    Rule("on_time", "published on time", "error",
         "条例(2019)第49条: 政府部门 by 01-31, 地方政府本级 by 03-31 of the next year; 条例(2007)第31条: 03-31"),
    Rule("sections", "six sections present, in order", "error",
         "国办公开办函〔2019〕60号 / 〔2021〕30号: 一 总体情况 … 六 其他需要报告的事项; before 2019 条例(2007)第32条"),
    Rule("tables_complete", "template tables present and complete", "error",
         "the 2019/2021 template's tables 二, 三, 四: every cell"),
    Rule("fee_statement", "信息处理费 reported in 六 (2021 template)", "warning",
         "国办公开办函〔2021〕30号 六: 收取信息处理费情况在此处报告; 国办函〔2020〕109号"),
    Rule("text_vs_tables", "figures in the text agree with the tables", "warning",
         "一、总体情况 restates tables 三 and 四"),
    Rule("identities", "accounting identities hold", "error",
         "the template's printed (一+二=三（七）+四) and structural (总计) identities"),
    Rule("cross_year", "cross-year identities hold", "warning",
         "prev 四、结转下年度 = 二、上年结转; table 二 stocks (TEMPLATES.md §6.5)"),
)}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
SECTION_NAMES = {s.id: s.label for s in templates.SECTIONS}
_TABLE_SECTION = {"t2": "s2", "t3": "s3", "t4": "s4"}


@dataclass
class Report:
    """What the audit needs of one current report."""

    report_id: str
    report_no: int
    site_id: str
    year: int | None
    template: str
    level: str | None
    published: str | None
    first_capture: str | None
    agency: str | None = None  # as the report names itself (its title's agency)
    sections: dict[str, str] = field(default_factory=dict)
    cells: dict[str, tuple] = field(default_factory=dict)  # cell id -> (value, null_reason)
    checks: list[tuple] = field(default_factory=list)  # (check_id, kind, status, detail)
    _tables: set | None = field(default=None, repr=False)

    def value(self, cell_id: str):
        v = self.cells.get(cell_id)
        return None if v is None else v[0]


def finding(report: Report, rule: str, status: str, evidence: str, severity: str | None = None) -> dict:
    r = RULES[rule]
    return {"report_id": report.report_id, "site_id": report.site_id, "year": report.year, "rule": rule,
            "status": status, "severity": (severity or r.severity) if status == "fail" else None,
            "evidence": evidence, "basis": r.basis}


# --- the rules ----------------------------------------------------------------------------------

def deadline(year: int, kind: str) -> tuple[date, str]:
    """The publication deadline of a report year for a "department" or a "government", with its basis."""
    if year <= 2018:
        return date(year + 1, 3, 31), "条例(2007)第31条: 03-31"
    if kind == "department":
        return date(year + 1, 1, 31), "条例(2019)第49条: 政府部门 01-31"
    return date(year + 1, 3, 31), "条例(2019)第49条: 地方政府本级 03-31"


def rule_on_time(r: Report) -> dict:
    if r.year is None:
        return finding(r, "on_time", "unknown", "report year unknown")
    kind, why = publisher_kind(r.agency, r.level)
    due, basis = deadline(r.year, kind)
    if r.published:
        when, source = r.published[:10], "the page's publication date"
    elif r.first_capture:
        when, source = r.first_capture[:10], "first captured (the page shows no publication date)"
    else:
        return finding(r, "on_time", "unknown", "no publication date and no capture")
    try:
        on = date.fromisoformat(when)
    except ValueError:
        return finding(r, "on_time", "unknown", f"unreadable date {when!r} ({source})")
    evidence = f"{when} ({source}); deadline {due} ({basis}; {why})"
    if on <= due:
        return finding(r, "on_time", "pass", evidence)
    if r.published:
        return finding(r, "on_time", "fail", f"{(on - due).days} days late: {evidence}")
    return finding(r, "on_time", "unknown", f"first captured after the deadline, which proves nothing: {evidence}")


def _has_table(r: Report, tbl: str) -> bool:
    if r._tables is None:  # computed once per report: the rules ask several times
        r._tables = {cid.split(".", 1)[0] for cid, (_v, nr) in r.cells.items() if nr != "missing"}
    return tbl in r._tables


# 条例(2007)第32条: the six things a pre-2019 report must cover, by the words that name them.
ITEMS_2007 = (("（一）主动公开", ("主动公开",)), ("（二）依申请公开", ("依申请", "申请公开")),
              ("（三）收费及减免", ("收费", "减免")), ("（四）行政复议、行政诉讼", ("复议", "诉讼")),
              ("（五）问题及改进", ("问题", "改进", "不足")), ("（六）其他事项", ("其他",)))


def _items_2007(r: Report) -> dict:
    text = "".join(r.sections.values())
    missing = [item for item, words in ITEMS_2007 if not any(w in text for w in words)]
    if not text:
        return finding(r, "sections", "unknown", "no text extracted")
    if missing:
        return finding(r, "sections", "fail", "条例(2007)第32条 items not mentioned: " + "; ".join(missing),
                       "warning")
    return finding(r, "sections", "pass", "条例(2007)第32条: all six items mentioned (no headings were prescribed)")


def rule_sections(r: Report) -> dict:
    if r.template == "pre2019":
        return _items_2007(r)
    if r.template not in templates.VERSIONS:
        return finding(r, "sections", "n/a", f"template {r.template}: no required headings")
    present = {sid for sid in SECTION_NAMES if r.sections.get(sid, "").strip()}
    # A section that holds only its table keeps no text: its table shows that it is there.
    present |= {sec for tbl, sec in _TABLE_SECTION.items() if _has_table(r, tbl)}
    missing = [SECTION_NAMES[s] for s in SECTION_NAMES if s not in present]
    found = " ".join(SECTION_NAMES[s].split("、")[0] for s in SECTION_NAMES if s in present)
    if missing:
        return finding(r, "sections", "fail", f"missing: {'; '.join(missing)} (found in order: {found or 'none'})")
    return finding(r, "sections", "pass", f"found in order: {found}")


def rule_tables(r: Report) -> dict:
    if r.template not in templates.VERSIONS:
        return finding(r, "tables_complete", "n/a", f"template {r.template}: no national tables")
    wanted = templates.get(r.template).cell_ids()
    missing = [c for c in wanted if r.cells.get(c, (None, "missing"))[1] == "missing"]
    blank = [c for c in wanted if c not in missing and r.value(c) is None]
    tables_absent = [t for t in ("t2", "t3", "t4") if not _has_table(r, t)]
    # 2019 only: the notice allowed reports that could not yet use the format (VARIANTS.md §1).
    severity = "warning" if r.year == 2019 else "error"
    if missing:
        shown = ", ".join(missing[:8]) + (f" … (+{len(missing) - 8})" if len(missing) > 8 else "")
        absent = f"tables absent: {' '.join(tables_absent)}; " if tables_absent else ""
        return finding(r, "tables_complete", "fail",
                       f"{absent}{len(missing)} of {len(wanted)} template cells missing: {shown}", severity)
    note = f"; {len(blank)} printed blank (null, not 0): {', '.join(blank[:5])}" if blank else ""
    return finding(r, "tables_complete", "pass", f"all {len(wanted)} template cells found{note}")


FEE_WORDS = ("信息处理费", "处理费", "收费")


def rule_fee(r: Report) -> dict:
    if r.template != "2021":
        return finding(r, "fee_statement", "n/a", f"template {r.template}: no fee statement required")
    s6 = r.sections.get("s6", "")
    if not s6.strip():
        return finding(r, "fee_statement", "fail", "section 六 absent, so no 信息处理费 statement")
    for word in FEE_WORDS:
        i = s6.find(word)
        if i >= 0:
            return finding(r, "fee_statement", "pass", f"六: “{s6[max(0, i - 20):i + 20].strip()}”")
    return finding(r, "fee_statement", "fail", f"六 does not mention 信息处理费: “{s6[:60].strip()}”")


def rule_text(r: Report) -> dict:
    text = r.sections.get("s1", "")
    if not text:
        return finding(r, "text_vs_tables", "unknown", "no 一、总体情况 text")
    figures = textfigures.read_figures(text)
    by_key: dict[str, list] = {}
    for f in figures:
        by_key.setdefault(f.key, []).append(f)
    agree, disagree = [], []
    for key, stated in by_key.items():
        values = [r.value(c) for c in stated[0].cells if c in r.cells]
        if not values or all(v is None for v in values):
            continue
        table = sum(v for v in values if v is not None)
        cells = "+".join(c for c in stated[0].cells if c in r.cells)
        if any(f.value == table for f in stated):
            agree.append(f"{key} {table}")
        else:
            disagree.append(f"text “{stated[0].quote}” says {stated[0].value}, table {cells} = {table}")
    if disagree:
        return finding(r, "text_vs_tables", "fail", "; ".join(disagree))
    if agree:
        return finding(r, "text_vs_tables", "pass", "agree: " + ", ".join(agree))
    return finding(r, "text_vs_tables", "unknown", "the text states no figure found in the tables")


def rule_identities(r: Report) -> dict:
    mine = [c for c in r.checks if c[1] in ("printed", "structural", "soft")]
    if not mine:
        return finding(r, "identities", "n/a" if r.template not in templates.VERSIONS else "unknown",
                       "no identity evaluated")
    hard = [c for c in mine if c[2] == "fail" and c[1] in ("printed", "structural")]
    soft = [c for c in mine if c[2] == "fail" and c[1] == "soft"]
    passed = sum(1 for c in mine if c[2] == "pass")
    if hard or soft:
        shown = "; ".join(f"{c[0]}: {c[3]}" for c in (hard + soft)[:6])
        more = f" … (+{len(hard) + len(soft) - 6})" if len(hard) + len(soft) > 6 else ""
        return finding(r, "identities", "fail", shown + more, "error" if hard else "warning")
    unknown = len(mine) - passed
    return finding(r, "identities", "pass" if passed else "unknown",
                   f"{passed} pass" + (f", {unknown} unknown (null cells)" if unknown else ""))


def rule_cross_year(r: Report, prev: Report | None) -> dict:
    if r.template not in templates.VERSIONS:
        return finding(r, "cross_year", "n/a", f"template {r.template}")
    if prev is None:
        return finding(r, "cross_year", "unknown", f"no {r.year - 1 if r.year else 'previous'} report of this agency archived")
    prev_cells = {c: v[0] for c, v in prev.cells.items()}
    cells = {c: v[0] for c, v in r.cells.items()}
    results = checks.evaluate(r.template, cells, prev=prev_cells, kinds=["cross_year"])
    failed = [x for x in results if x["status"] == "fail"]
    passed = [x for x in results if x["status"] == "pass"]
    against = f"against {prev.year} report {prev.report_id}"
    if failed:
        return finding(r, "cross_year", "fail", f"{against}: " + "; ".join(f"{x['id']}: {x['detail']}" for x in failed))
    if passed:
        return finding(r, "cross_year", "pass", f"{against}: " + ", ".join(x["id"] for x in passed))
    return finding(r, "cross_year", "unknown", f"{against}: needed cells are null")


def audit_report(r: Report, prev: Report | None = None) -> list[dict]:
    """Every rule's finding for one report (``prev``: the agency's previous-year report)."""
    return [rule_on_time(r), rule_sections(r), rule_tables(r), rule_fee(r), rule_text(r),
            rule_identities(r), rule_cross_year(r, prev)]


# --- reading the archive ------------------------------------------------------------------------

@dataclass
class Selection:
    sites: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    division: str | None = None

    def where(self) -> tuple[str, list]:
        sql, params = ["r.is_current = 1", "r.kind = 'report'"], []
        if self.sites:
            sql.append(f"r.site_id in ({', '.join('?' * len(self.sites))})")
            params += self.sites
        if self.years:
            sql.append(f"r.year in ({', '.join('?' * len(self.years))})")
            params += self.years
        if self.division:
            sql.append("s.division_code like ? || '%'")
            params.append(self.division)
        return " and ".join(sql), params


def load_reports(conn: sqlite3.Connection, where: str = "r.is_current = 1 and r.kind = 'report'",
                 params: Iterable = ()) -> list[Report]:
    rows = conn.execute(f"""select r.report_id, r.report_no, r.site_id, r.year, r.template, s.level,
                            -- the earliest version's date: a later correction is not a late report
                            (select min(v.published) from reports v where v.site_id = r.site_id
                             and v.url = r.url), (select min(c.fetched_at) from captures c
                                          where c.url = r.url and c.status = 200), r.first_seen_at,
                            coalesce(r.agency, s.name)
                            from reports r left join sites s using (site_id) where {where}
                            order by r.site_id, r.year, r.url""", list(params)).fetchall()
    reports = {row[0]: Report(*row[:7], first_capture=row[7] or row[8], agency=row[9]) for row in rows}
    if not reports:
        return []
    by_no = {r.report_no: r for r in reports.values()}
    nos = ",".join(str(n) for n in by_no)
    for no, cell_id, value, null_reason in conn.execute(
            f"""select v.report_no, d.cell_id, v.value, v.null_reason from cell_values v
                join cell_defs d using (cell_no) where v.report_no in ({nos})"""):
        by_no[no].cells[cell_id] = (value, null_reason)
    for no, check_id, kind, status, detail in conn.execute(
            f"""select k.report_no, d.check_id, d.kind, k.status, k.detail from check_results k
                join check_defs d using (check_no) where k.report_no in ({nos})"""):
        by_no[no].checks.append((check_id, kind, status, detail))
    ids = ",".join("?" * len(reports))
    for report_id, section_id, text in conn.execute(
            f"select report_id, section_id, text from sections where report_id in ({ids})", list(reports)):
        reports[report_id].sections[section_id] = text or ""
    return list(reports.values())


def series_keys(reports: list) -> dict[str, str]:
    """{report_id: its series within the site}: "" on a site that lists one agency a year (a
    renamed agency stays one series), the agency's name where one site lists several agencies
    in the same year (a county portal's column of every department's report).

    ``reports`` are objects with ``report_id``, ``site_id``, ``year`` and ``agency``.
    """
    known: dict[str, list[str]] = {}
    key_of: dict[str, str] = {}
    per_year: dict[tuple, set] = {}
    for r in reports:
        names = known.setdefault(r.site_id, [])
        key = same_agency(names, agency_key(r.agency))
        if key not in names:
            names.append(key)
        key_of[r.report_id] = key
        per_year.setdefault((r.site_id, r.year), set()).add(key)
    multi = {site for (site, _y), keys in per_year.items() if len(keys) > 1}
    return {r.report_id: key_of[r.report_id] if r.site_id in multi else "" for r in reports}


def previous_of(reports: list[Report]) -> dict[str, Report]:
    """{report_id: the same agency's report of the year before} (the fullest one if several)."""
    series = series_keys(reports)
    best: dict[tuple, Report] = {}
    for c in reports:
        key = (c.site_id, series[c.report_id], c.year)
        if key not in best or len(c.cells) > len(best[key].cells):
            best[key] = c
    return {r.report_id: best[(r.site_id, series[r.report_id], r.year - 1)] for r in reports
            if r.year and (r.site_id, series[r.report_id], r.year - 1) in best}


def _site_batches(conn: sqlite3.Connection, selection: Selection, batch: int) -> list[list[str]]:
    """The selected sites in groups of about ``batch`` current reports: memory stays bounded."""
    where, params = selection.where()
    counts = conn.execute(f"""select r.site_id, count(*) from reports r left join sites s using (site_id)
                              where {where} group by r.site_id order by r.site_id""", params).fetchall()
    out, group, size = [], [], 0
    for site_id, n in counts:
        if group and size + n > batch:
            out.append(group)
            group, size = [], 0
        group.append(site_id)
        size += n
    return out + ([group] if group else [])


def run_audit(db_path: str | Path, selection: Selection | None = None, *, batch: int = 2000,
              progress=None) -> list[dict]:
    """Audit the selected current reports, store the findings, and return them.

    Works through the archive a few thousand reports at a time (all current reports of a group of
    agencies, so each report's previous year is at hand), writing each group as it goes.
    """
    from govcrawl.archive.store import Archive, save_audit

    selection = selection or Selection()
    Archive(db_path).close()  # apply pending migrations (m004 creates the audit tables)
    conn = connect_readonly(db_path)
    archive = Archive(db_path)
    findings: list[dict] = []
    try:
        where, params = selection.where()
        for sites in _site_batches(conn, selection, batch):
            marks = ", ".join("?" * len(sites))
            everything = load_reports(conn, f"r.is_current = 1 and r.kind = 'report' and r.site_id in ({marks})",
                                      sites)
            chosen = {row[0] for row in conn.execute(
                f"select r.report_id from reports r left join sites s using (site_id) "
                f"where {where} and r.site_id in ({marks})", [*params, *sites])}
            prev = previous_of(everything)
            done = [f for r in everything if r.report_id in chosen for f in audit_report(r, prev.get(r.report_id))]
            save_audit(archive.db, done, sorted(chosen))
            findings += done
            if progress:
                progress(len(findings) // len(RULES))
    finally:
        conn.close()
        archive.close()
    return findings


# --- the scorecard ------------------------------------------------------------------------------

def counts_by_rule(findings: list[dict]) -> dict[str, dict[str, int]]:
    out = {rule: {"pass": 0, "fail": 0, "unknown": 0, "n/a": 0} for rule in RULES}
    for f in findings:
        out[f["rule"]][f["status"]] += 1
    return out


def scorecard(findings: list[dict], names: dict[str, tuple[str, str]], *, every: bool = False) -> str:
    """Per agency: reports, score (passed of decided rules), then each failure (``every``: each
    finding, with its status); then the counts by rule."""
    lines = []
    by_site: dict[str, list[dict]] = {}
    for f in findings:
        by_site.setdefault(f["site_id"], []).append(f)
    for site_id in sorted(by_site):
        fs = by_site[site_id]
        name, code = names.get(site_id, ("?", "?"))
        decided = [f for f in fs if f["status"] in ("pass", "fail")]
        failed = sorted((f for f in fs if f["status"] == "fail"),
                        key=lambda f: (f["year"] or 0, SEVERITY_ORDER.get(f["severity"], 3), f["rule"]))
        years = sorted({f["year"] for f in fs if f["year"]})
        score = f"{100 * (len(decided) - len(failed)) / len(decided):.0f}%" if decided else "–"
        errors = sum(1 for f in failed if f["severity"] == "error")
        lines.append(f"{name} ({site_id}, {code})  reports {len(years)} ({', '.join(map(str, years))})  "
                     f"score {score}  {errors} error(s), {len(failed) - errors} warning(s)")
        shown = sorted(fs, key=lambda f: (f["year"] or 0, list(RULES).index(f["rule"]))) if every else failed
        for f in shown:
            lines.append(f"  {f['year']}  {f['rule']:<15} {f['severity'] or f['status']:<7} {f['evidence']}")
    lines.append("")
    lines.append(f"{'rule':<16} {'pass':>5} {'fail':>5} {'unknown':>8} {'n/a':>5}  meaning")
    for rule, c in counts_by_rule(findings).items():
        lines.append(f"{rule:<16} {c['pass']:>5} {c['fail']:>5} {c['unknown']:>8} {c['n/a']:>5}  {RULES[rule].title}")
    return "\n".join(lines)


def site_names(db_path: str | Path) -> dict[str, tuple[str, str]]:
    conn = connect_readonly(db_path)
    try:
        return {s: (n, c) for s, n, c in conn.execute("select site_id, name, division_code from sites")}
    finally:
        conn.close()
