"""`govcrawl report`: a static HTML page of charts that opens offline, for a division or an agency.

Why hand-written inline SVG and not matplotlib or Vega-Lite: the page must open from a file with
no network and no script, and its labels are Chinese. Matplotlib draws text with its own fonts
(DejaVu has no CJK glyphs, and a CJK font cannot be assumed on the machine that writes the page);
Vega-Lite needs its scripts bundled and a browser to test. An SVG written here keeps its text as
text, which the reader's browser renders with the fonts it has, costs no dependency, and its bytes
are deterministic. Every chart carries its numbers three times: as ``data-value`` attributes on
the marks, in a table beside the chart, and as the SQL (with parameters) they came from — which
the tests re-run on the same archive.
"""
from __future__ import annotations

import html
import math
import re
import unicodedata
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from govcrawl import templates
from govcrawl.research.audit import RULES
from govcrawl.research.query import connect_readonly

# GB/T 2260 province-level codes: the first two digits of a division code.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}
PALETTE = ("#2b6cb0", "#68a0d8", "#d69e2e", "#c05621", "#9b2c2c", "#718096", "#38a169")

# Which rows of table 三 make up each outcome, and the outcomes' names: both from the templates.
_NUMBERING = re.compile(r"^（[一二三四五六七]）")


def _short(label: str) -> str:
    """（三）不予公开 → 不予公开; （二）部分公开（区分处理的…） → 部分公开."""
    return re.sub(r"（.*$", "", _NUMBERING.sub("", label))


def outcome_rows() -> dict[str, list[str]]:
    """{outcome label: t3_current column names}, over both template versions."""
    out: dict[str, list[str]] = {}
    for version in templates.VERSIONS:
        t = templates.get(version)
        groups = {g: _short(label) for g, (label, _aliases) in t.t3_groups.items() if g != "g_results"}
        for row in t.t3_rows:
            if row.parent == "g_results" and row.id != "handled_total":
                label = _short(row.label)  # （一）予以公开, （二）部分公开, 2019's （六）其他处理
            elif row.parent in groups:
                label = groups[row.parent]
            else:
                continue
            if f"{row.id}_total" not in out.setdefault(label, []):
                out[label].append(f"{row.id}_total")
    return out  # template order: 予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理


def scope(division: str = "division_code", site: str = "site_id") -> str:
    """The selection every chart's SQL shares: a division code prefix and, optionally, one agency."""
    return f"{division} like :division || '%' and (:site is null or {site} = :site)"


_SCOPE = scope()


def _outcome_sql() -> str:
    sums = ",\n       ".join(
        f"sum({' + '.join(f'ifnull({c}, 0)' for c in cols)}) as \"{label}\""
        for label, cols in outcome_rows().items())
    return f"select year,\n       {sums}\nfrom t3_current where {_SCOPE}\ngroup by year order by year"


CHARTS = {
    "requests": dict(
        title="Requests received per year · 本年新收政府信息公开申请（表三 一、总计）", kind="bars",
        sql=f"""select year, count(*) as reports, sum(new_total) as requests
from t3_current where {_SCOPE}
group by year order by year""", series=["requests"]),
    "outcomes": dict(
        title="Outcome shares per year · 办理结果（表三 三、总计列）", kind="shares",
        sql=_outcome_sql(), series=list(outcome_rows())),
    "review_litigation": dict(
        title="Review and litigation per 100 requests · 行政复议、行政诉讼（表四 / 表三）", kind="bars",
        sql=f"""select t3.year, sum(t3.new_total) as requests, sum(t4.rev_total) as reviews,
       sum(ifnull(t4.lit_direct_total, 0) + ifnull(t4.lit_after_review_total, 0)) as lawsuits,
       round(100.0 * sum(t4.rev_total) / nullif(sum(t3.new_total), 0), 1) as reviews_per_100,
       round(100.0 * sum(ifnull(t4.lit_direct_total, 0) + ifnull(t4.lit_after_review_total, 0))
             / nullif(sum(t3.new_total), 0), 1) as lawsuits_per_100
from t3_current t3 join t4_current t4 using (report_id)
where {scope("t3.division_code", "t3.site_id")}
group by t3.year order by t3.year""", series=["reviews_per_100", "lawsuits_per_100"]),
    "compliance": dict(
        title="Compliance by province and year · 合规：无 error 级审计问题的报告占比", kind="grid",
        sql=f"""select substr(s.division_code, 1, 2) as province_code, r.year,
       count(distinct r.report_id) as reports,
       count(distinct case when a.status = 'fail' and a.severity = 'error' then r.report_id end)
         as reports_with_errors,
       round(100.0 * (count(distinct r.report_id) - count(distinct case when a.status = 'fail'
         and a.severity = 'error' then r.report_id end)) / count(distinct r.report_id), 0) as compliant_pct
from audit_findings a join reports r using (report_id) join sites s on s.site_id = r.site_id
where r.is_current = 1 and {scope("s.division_code", "r.site_id")}
group by province_code, r.year order by province_code, r.year""", series=["compliant_pct"]),
    "rules": dict(
        title="Audit rules by year · 审计规则逐年通过率（pass / (pass + fail)）", kind="grid",
        sql=f"""select a.rule, r.year, count(*) as reports, sum(a.status = 'pass') as passed,
       sum(a.status = 'fail') as failed,
       round(100.0 * sum(a.status = 'pass') / nullif(sum(a.status in ('pass', 'fail')), 0), 0) as passed_pct
from audit_findings a join reports r using (report_id) join sites s on s.site_id = r.site_id
where r.is_current = 1 and {scope("s.division_code", "r.site_id")}
group by a.rule, r.year order by a.rule, r.year""", series=["passed_pct"]),
    "failing_checks": dict(
        title="Reports failing checks per year · 勾稽关系不成立的报告（printed / structural）", kind="bars",
        sql=f"""select r.year, count(*) as reports,
       sum(exists (select 1 from check_results k join check_defs d using (check_no)
                   where k.report_no = r.report_no and k.status = 'fail'
                   and d.kind in ('printed', 'structural'))) as failing_checks
from reports r join sites s using (site_id)
where r.is_current = 1 and r.kind = 'report' and {scope("s.division_code", "r.site_id")}
group by r.year order by r.year""", series=["reports", "failing_checks"]),
}

FAILING_SQL = f"""select r.year, r.site_id, s.name as site_name, a.rule, a.severity, a.evidence
from audit_findings a join reports r using (report_id) join sites s on s.site_id = r.site_id
where r.is_current = 1 and a.status = 'fail' and {scope("s.division_code", "r.site_id")}
order by case a.severity when 'error' then 0 else 1 end, r.year, r.site_id, a.rule"""

FAILING_BY_RULE_SQL = f"""select a.rule, r.year, count(*) as reports_failing,
       sum(a.severity = 'error') as errors, sum(a.severity = 'warning') as warnings
from audit_findings a join reports r using (report_id) join sites s on s.site_id = r.site_id
where r.is_current = 1 and a.status = 'fail' and {scope("s.division_code", "r.site_id")}
group by a.rule, r.year order by a.rule, r.year"""
FAILURES_SHOWN = 200

TIMELINE_SQL = """select year, status, agency, series_break, new_total, handled_total, rev_total,
       lit_total, audit_failed, evidence
from agency_timeline where site_id = :site order by year"""


@dataclass
class ChartData:
    id: str
    title: str
    kind: str
    sql: str
    params: dict
    columns: list[str]
    rows: list[tuple]
    series: list[str] = field(default_factory=list)


def chart_data(conn: sqlite3.Connection, chart_id: str, division: str = "", site: str | None = None) -> ChartData:
    spec = CHARTS[chart_id]
    params = {"division": division or "", "site": site}
    cur = conn.execute(spec["sql"], params)
    return ChartData(chart_id, spec["title"], spec["kind"], spec["sql"], params,
                     [d[0] for d in cur.description], cur.fetchall(), list(spec["series"]))


# --- SVG -----------------------------------------------------------------------------------------

def _e(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def _num(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.1f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def nice_max(v: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``v``: round axis ticks."""
    if v <= 0:
        return 1
    k = 10 ** math.floor(math.log10(v))
    return next(m * k for m in (1, 2, 2.5, 5, 10) if m * k >= v)


def _text_width(text: str, size: int = 11) -> float:
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def _legend(names: list[str], width: int, left: int) -> tuple[list[str], int]:
    """Legend marks that wrap onto more lines when they do not fit; returns (svg parts, height)."""
    out, x, y = [], left, 4
    for si, s in enumerate(names):
        w = 18 + _text_width(s) + 12
        if x + w > width and x > left:
            x, y = left, y + 16
        out.append(f'<rect x="{x:.0f}" y="{y}" width="10" height="10" fill="{PALETTE[si % len(PALETTE)]}"/>'
                   f'<text x="{x + 14:.0f}" y="{y + 9}">{_e(s)}</text>')
        x += w
    return out, y + 16


def svg_bars(categories: list, series: dict[str, list], *, shares: bool = False,
             width: int = 600, height: int = 260) -> str:
    """Grouped bars (or 100% stacked shares) with each value on its mark as ``data-value``."""
    names = list(series)
    legend, legend_h = _legend(names, width - 8, 44)
    left, bottom, top = 44, 28, legend_h + 14
    plot_w, plot_h = width - left - 8, height - bottom - top
    slot = plot_w / max(len(categories), 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">', *legend]
    vmax = 100.0 if shares else nice_max(max([v for vals in series.values() for v in vals if v is not None] + [0]))
    for i in range(5):
        y = top + plot_h - plot_h * i / 4
        out.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e2e8f0"/>')
        out.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#4a5568">'
                   f'{round(vmax * i / 4, 2):g}{"%" if shares else ""}</text>')
    for ci, cat in enumerate(categories):
        x0 = left + ci * slot
        out.append(f'<text x="{x0 + slot / 2:.1f}" y="{height - 10}" text-anchor="middle">{_e(cat)}</text>')
        if shares:
            total = sum(series[s][ci] or 0 for s in names)
            y = top + plot_h
            for si, s in enumerate(names):
                v = series[s][ci] or 0
                h = plot_h * v / total if total else 0
                y -= h
                out.append(f'<rect x="{x0 + slot * 0.2:.1f}" y="{y:.1f}" width="{slot * 0.6:.1f}" height="{h:.1f}" '
                           f'fill="{PALETTE[si % len(PALETTE)]}" data-series="{_e(s)}" data-category="{_e(cat)}" '
                           f'data-value="{_num(series[s][ci])}"><title>{_e(cat)} {_e(s)}: {_num(v)} '
                           f'({100 * v / total if total else 0:.1f}%)</title></rect>')
            continue
        bw = slot * 0.8 / len(names)
        for si, s in enumerate(names):
            v = series[s][ci]
            h = plot_h * (v or 0) / vmax
            x = x0 + slot * 0.1 + si * bw
            out.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bw * 0.92:.1f}" height="{h:.1f}" '
                       f'fill="{PALETTE[si % len(PALETTE)]}" data-series="{_e(s)}" data-category="{_e(cat)}" '
                       f'data-value="{_num(v)}"><title>{_e(cat)} {_e(s)}: {_num(v)}</title></rect>')
            if len(categories) * len(names) <= 24:
                out.append(f'<text x="{x + bw * 0.46:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                           f'font-size="10">{_num(v)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def svg_grid(rows: list[str], cols: list, values: dict[tuple, float | None], *, cell: int = 46) -> str:
    """A heat grid (rows × columns) of percentages, each cell with ``data-value``."""
    left, top = 120, 22
    width, height = left + cell * max(len(cols), 1) + 8, top + 26 * max(len(rows), 1) + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="11">']
    for ci, c in enumerate(cols):
        out.append(f'<text x="{left + ci * cell + cell / 2}" y="14" text-anchor="middle">{_e(c)}</text>')
    for ri, r in enumerate(rows):
        y = top + ri * 26
        out.append(f'<text x="{left - 6}" y="{y + 17}" text-anchor="end">{_e(r)}</text>')
        for ci, c in enumerate(cols):
            v = values.get((r, c))
            fill = "#edf2f7" if v is None else f"hsl({int(1.2 * v)}, 60%, {70 - v * 0.2:.0f}%)"
            out.append(f'<rect x="{left + ci * cell}" y="{y}" width="{cell - 2}" height="24" fill="{fill}" '
                       f'data-series="{_e(r)}" data-category="{_e(c)}" data-value="{_num(v)}"/>'
                       f'<text x="{left + ci * cell + cell / 2 - 1}" y="{y + 16}" text-anchor="middle">'
                       f'{"" if v is None else _num(v) + "%"}</text>')
    out.append("</svg>")
    return "\n".join(out)


def render_chart(d: ChartData) -> str:
    if not d.rows:
        return '<p class="empty">No data in the archive for this selection.</p>'
    idx = {c: i for i, c in enumerate(d.columns)}
    if d.kind == "grid":
        rows = sorted({r[0] for r in d.rows})
        cols = sorted({r[1] for r in d.rows})
        vals = {(r[0], r[1]): r[idx[d.series[0]]] for r in d.rows}
        label = {p: f"{p} {PROVINCES.get(p, '')}".strip() if d.id == "compliance" else p for p in rows}
        return svg_grid([label[p] for p in rows], cols, {(label[k[0]], k[1]): v for k, v in vals.items()})
    cats = [r[0] for r in d.rows]
    series = {s: [r[idx[s]] for r in d.rows] for s in d.series}
    return svg_bars(cats, series, shares=d.kind == "shares")


def render_table(columns: list[str], rows: list[tuple], *, shares_of: list[str] | None = None) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for r in rows:
        cells = []
        total = sum(r[columns.index(s)] or 0 for s in shares_of) if shares_of else 0
        for c, v in zip(columns, r):
            share = (f' <small>({100 * (v or 0) / total:.1f}%)</small>'
                     if shares_of and c in shares_of and total else "")
            cls = ' class="n"' if isinstance(v, (int, float)) else ""
            cells.append(f"<td{cls}>{_e(_num(v) if isinstance(v, (int, float)) or v is None else v)}{share}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="numbers"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def render_section(d: ChartData) -> str:
    params = ", ".join(f":{k} = {'NULL' if v is None else repr(v)}" for k, v in d.params.items())
    table = render_table(d.columns, d.rows, shares_of=d.series if d.kind == "shares" else None)
    return (f'<section class="chart" id="{d.id}" data-chart="{d.id}"><h2>{_e(d.title)}</h2>\n'
            f'<div class="pair"><div class="svg">{render_chart(d)}</div><div>{table}</div></div>\n'
            f'<details><summary>SQL ({_e(params)})</summary><pre class="sql">{_e(d.sql)}</pre></details>'
            f'</section>')


CSS = """body{font-family:system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
margin:2em auto;max-width:1180px;color:#1a202c;padding:0 1em}h1{font-size:1.5em}h2{font-size:1.1em;margin-top:2em}
.pair{display:flex;gap:1.5em;flex-wrap:wrap;align-items:flex-start}table{border-collapse:collapse;font-size:.85em}
td,th{border:1px solid #cbd5e0;padding:2px 6px}td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#edf2f7}pre{background:#f7fafc;padding:.6em;overflow:auto;font-size:.8em}
.meta{color:#4a5568}.empty{color:#a0aec0}small{color:#718096}.fail{color:#9b2c2c}"""


def _page(title: str, meta: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_e(title)}</title><style>{CSS}</style></head>\n<body><h1>{_e(title)}</h1>\n'
            f'<p class="meta">{meta}</p>\n{body}\n</body></html>\n')


def _agency_file(site_id: str) -> str:
    return "agency-" + re.sub(r"[^A-Za-z0-9_.-]", "_", site_id) + ".html"


def build_pages(db_path: str | Path, out_dir: str | Path, *, division: str = "", site: str | None = None,
                agencies: bool = True) -> list[Path]:
    """Write index.html (the division) and one page per agency in it; returns the files written.

    With ``site``, only that agency's page. The audit charts read ``audit_findings`` and
    ``agency_years`` as they are: run ``audit.run_audit`` and ``timelines.refresh`` first.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    conn = connect_readonly(db_path)
    written = []
    try:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        if site:
            row = conn.execute("select name, division_code from sites where site_id = ?", [site]).fetchone()
            if row is None:
                raise KeyError(site)
            return [_agency_page(conn, out, site, row[0], row[1], now, db_path)]
        sites = conn.execute("""select s.site_id, s.name, s.division_code,
                                (select count(*) from reports r where r.site_id = s.site_id and r.is_current = 1
                                 and r.kind = 'report') as reports,
                                (select count(*) from audit_findings a join reports r using (report_id)
                                 where a.site_id = s.site_id and r.is_current = 1 and a.status = 'fail') as failed,
                                (select group_concat(y.year || ' ' || y.status, ', ') from agency_years y
                                 where y.site_id = s.site_id and y.status != 'archived') as gaps
                                from sites s where s.division_code like ? || '%' order by s.division_code, s.site_id""",
                             [division or ""]).fetchall()
        chosen = f"division {division}" if division else "all divisions"
        meta = (f"Archive <code>{_e(Path(db_path).name)}</code>, {chosen}, current reports only; written {now}. "
                "Numbers beside each chart; the SQL below it re-runs on the archive.")
        sections = [render_section(chart_data(conn, c, division)) for c in CHARTS if c != "rules"]
        sel = {"division": division or "", "site": None}
        by_rule = conn.execute(FAILING_BY_RULE_SQL, sel)
        failing = conn.execute(FAILING_SQL + f"\nlimit {FAILURES_SHOWN}", sel)
        fcols, frows = [d[0] for d in failing.description], failing.fetchall()
        more = (f'<p class="meta">The first {FAILURES_SHOWN}; every failure is on the agency pages and in the '
                f'<code>audit_failures</code> view.</p>' if len(frows) == FAILURES_SHOWN else "")
        sections.append(f'<section id="audit"><h2>Audit failures · 审计问题</h2>'
                        f'{render_table([d[0] for d in by_rule.description], by_rule.fetchall())}'
                        f'<details><summary>SQL</summary><pre class="sql">{_e(FAILING_BY_RULE_SQL)}</pre></details>'
                        f'<h3>Failures</h3>{render_table(fcols, frows)}{more}'
                        f'<details><summary>SQL</summary><pre class="sql">{_e(FAILING_SQL)}</pre></details></section>')
        links = "".join(f'<tr><td><a href="{_agency_file(s)}">{_e(n)}</a></td><td>{_e(s)}</td><td>{_e(c)}</td>'
                        f'<td class="n">{r}</td><td class="n">{f}</td><td>{_e(g or "")}</td></tr>'
                        for s, n, c, r, f, g in sites)
        sections.insert(0, '<section id="agencies"><h2>Agencies · 机关</h2><table class="numbers"><thead><tr>'
                           '<th>agency</th><th>site_id</th><th>division</th><th>reports</th><th>audit failures</th>'
                           '<th>years not archived</th>'
                           f'</tr></thead><tbody>{links}</tbody></table></section>')
        index = out / "index.html"
        index.write_text(_page(f"政府信息公开工作年度报告 · {chosen}", meta, "\n".join(sections)), encoding="utf-8")
        written.append(index)
        if agencies:
            for site_id, name, code, *_counts in sites:
                written.append(_agency_page(conn, out, site_id, name, code, now, db_path))
    finally:
        conn.close()
    return written


def _agency_page(conn, out: Path, site_id: str, name: str, code: str, now: str, db_path) -> Path:
    meta = (f"{_e(site_id)}, division {_e(code)}; archive <code>{_e(Path(db_path).name)}</code>, written {now}. "
            '<a href="index.html">all agencies</a>')
    sections = [render_section(chart_data(conn, c, "", site_id)) for c in CHARTS if c != "compliance"]
    # (compliance by province is the index's; an agency gets its rules year by year instead)
    tl = conn.execute(TIMELINE_SQL, {"site": site_id})
    sections.append(f'<section id="timeline"><h2>Timeline · 年度序列</h2>'
                    f'{render_table([d[0] for d in tl.description], tl.fetchall())}'
                    f'<details><summary>SQL (:site = {site_id!r})</summary><pre class="sql">{_e(TIMELINE_SQL)}</pre>'
                    f'</details></section>')
    f = conn.execute(FAILING_SQL, {"division": "", "site": site_id})
    rules = ", ".join(f"{k}: {v.title}" for k, v in RULES.items())
    sections.append(f'<section id="audit"><h2>Audit failures · 审计问题</h2><p class="meta">{_e(rules)}</p>'
                    f'{render_table([d[0] for d in f.description], f.fetchall())}</section>')
    path = out / _agency_file(site_id)
    path.write_text(_page(f"{name} · 政府信息公开工作年度报告", meta, "\n".join(sections)), encoding="utf-8")
    return path
