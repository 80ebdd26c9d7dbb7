"""What every column of the archive's wide views and exports means.

One source for the ``cell_defs`` table, the export codebook and the Datasette column descriptions,
so the three never disagree. Cell labels come from ``govcrawl.templates`` (the official wording);
if that module cannot be imported the ids are still described, only without Chinese labels.
"""
from __future__ import annotations

from dataclasses import dataclass

try:
    from govcrawl import templates as _templates
except ImportError:  # pragma: no cover - templates.py is written by another engineer
    _templates = None

TEMPLATES = ("2019", "2021")


def _table_names() -> dict[str, str]:
    """t2 → 表二 主动公开政府信息情况: the tables are named by the sections 二/三/四 they sit in."""
    if _templates is None:
        return {}
    return {f"t{i}": f"表{s.no} {s.label.split('、', 1)[1]}" for i, s in enumerate(_templates.SECTIONS, 1)
            if 2 <= i <= 4}


def _t4_groups() -> dict[str, str]:
    """rev → 行政复议, lit_direct → 行政诉讼 > 未经复议直接起诉: a column's first alias is its group."""
    if _templates is None:
        return {}
    litigation = _templates.T4_GROUPS[1]
    out = {}
    for c in _templates.get(TEMPLATES[-1]).t4_columns:
        group = c.aliases[0]
        out[c.id.rsplit("_", 1)[0]] = group if group == _templates.T4_GROUPS[0] else f"{litigation} > {group}"
    return out


TABLE_NAMES = _table_names()
T4_GROUPS = _t4_groups()


@dataclass(frozen=True)
class CellDef:
    cell_id: str
    tbl: str
    block: str
    row_id: str
    col_id: str
    block_label: str
    row_label: str
    col_label: str
    unit: str
    value_type: str
    templates: str  # space-separated template versions the cell exists in

    @property
    def label_zh(self) -> str:
        return " | ".join(p for p in (self.block_label, self.row_label, self.col_label) if p)

    @property
    def wide_name(self) -> str:
        return wide_name(self.cell_id)

    @property
    def meaning(self) -> str:
        where = f"{TABLE_NAMES.get(self.tbl, self.tbl)}: {self.label_zh}" if self.label_zh else self.cell_id
        return f"{where} ({self.cell_id})"


def wide_name(cell_id: str) -> str:
    """Column name of a cell in the per-table wide views: t3.new.total → new_total."""
    parts = cell_id.split(".")
    if parts[0] == "t4":
        return parts[-1]
    return "_".join(parts[1:])


def _t3_path(t, row) -> str:
    """三、本年度办理结果 > （三）不予公开 > 1.属于国家秘密: groups are one or two levels deep."""
    labels = [row.label]
    if row.parent:
        labels.insert(0, t.t3_groups[row.parent][0])
        if row.parent != "g_results":
            labels.insert(0, t.t3_groups["g_results"][0])
    return " > ".join(labels)


def _defs_for(version: str) -> list[CellDef]:
    t = _templates.get(version)
    out = []
    for cell_id, meta in t.cells():
        col, row = meta["col"], meta["row"]
        if meta["table"] == "t2":
            b = meta["block"]
            out.append(CellDef(cell_id, "t2", b.id, row.id, col.id, b.caption, row.label, col.label,
                               col.unit or "", col.type, version))
        elif meta["table"] == "t3":
            applicant = col.label if col.id in ("person", "total") else f"法人或其他组织 > {col.label}"
            out.append(CellDef(cell_id, "t3", "", row.id, col.id, "", _t3_path(t, row),
                               f"申请人情况 > {applicant}", col.unit or "", col.type, version))
        else:
            group = T4_GROUPS[col.id.rsplit("_", 1)[0]]
            out.append(CellDef(cell_id, "t4", "", "cases", col.id, "", "", f"{group} > {col.label}",
                               col.unit or "", col.type, version))
    return out


def cell_defs() -> list[CellDef]:
    """Every template cell, in template order (2019's, then cells new in 2021), with its templates."""
    if _templates is None:
        return []
    merged: dict[str, CellDef] = {}
    for version in TEMPLATES:
        for d in _defs_for(version):
            if d.cell_id in merged:
                old = merged[d.cell_id]
                labels = {k: getattr(old, k) if getattr(old, k) == getattr(d, k) else
                          f"{getattr(old, k)}（{version}：{getattr(d, k)}）"
                          for k in ("block_label", "row_label", "col_label")}
                merged[d.cell_id] = CellDef(**{**old.__dict__, **labels,
                                               "templates": f"{old.templates} {version}"})
            else:
                merged[d.cell_id] = d
    order = {"t2": 0, "t3": 1, "t4": 2}
    return sorted(merged.values(), key=lambda d: order.get(d.tbl, 3))  # stable: template order within


# Report-level columns of the exports and wide views: name -> (type, meaning).
REPORT_COLUMNS = {
    "report_id": ("string", "Stable report version id: hash of site, URL and the document's sha256"),
    "site_id": ("string", "Registry id of the agency's website (data/sites.csv)"),
    "site_name": ("string", "Agency name in the registry"),
    "division_code": ("string", "Administrative division code of the agency (6 digits; province = first 2, city = first 4)"),
    "agency": ("string", "Agency named in the report (发布机关)"),
    "year": ("integer", "Report year (the year the report covers)"),
    "template": ("string", "Template the tables follow: 2019 (试行), 2021, pre2019 or unknown"),
    "title": ("string", "Report title as published"),
    "published": ("date", "Publication date printed on the page (ISO)"),
    "url": ("string", "URL of the report document"),
    "fetched_at": ("datetime", "When the document was captured (UTC)"),
    "payload_sha256": ("string", "sha256 of the captured document bytes"),
    "warc_file": ("string", "WARC file holding the capture"),
    "warc_offset": ("integer", "Byte offset of the capture record in the WARC file"),
    "parser_version": ("string", "Extractor version that produced the cells"),
    "cells_found": ("integer", "Template cells with a value or an explicit blank in the report"),
    "checks_failed": ("integer", "Accounting identities (checks) that failed, any kind"),
    "tables_from": ("string", "URL the tables were read from (the page itself or an attachment)"),
}

# Columns of the long exports that are not report metadata.
LONG_COLUMNS = {
    "cell_id": ("string", "Template cell id: t2.<block>.<row>.<col>, t3.<row>.<col> or t4.cases.<col>"),
    "tbl": ("string", "Table: t2 (二), t3 (三) or t4 (四)"),
    "block": ("string", "Table 二 block (第二十条第（X）项), empty elsewhere"),
    "row_id": ("string", "Template row id"),
    "col_id": ("string", "Template column id"),
    "value": ("number", "Cell value as exact decimal text; empty when null (see null_reason)"),
    "unit": ("string", "Unit of the value (件, 项, 个, 万元)"),
    "null_reason": ("string", "Why the value is null: missing (not found), not_applicable ('/', '-'), …"),
    "raw": ("string", "Cell text as printed in the report"),
    "row_label": ("string", "Row label as printed in the report (Chinese)"),
    "col_label": ("string", "Column label as printed in the report (Chinese)"),
    "check_id": ("string", "Identity id (see docs/SCHEMA.md and the template spec)"),
    "kind": ("string", "printed (stated in the template), structural (implied by a 总计), soft or cross_year"),
    "status": ("string", "pass, fail or unknown (a cell was null, or the identity needs another year)"),
    "expr": ("string", "The identity as an expression over cell ids"),
    "detail": ("string", "The arithmetic with the report's numbers"),
}

# Columns of the audit export (one row per report and rule; see ``govcrawl.research.audit``).
AUDIT_COLUMNS = {
    "report_id": REPORT_COLUMNS["report_id"],
    "site_id": REPORT_COLUMNS["site_id"],
    "year": REPORT_COLUMNS["year"],
    "rule": ("string", "Audit rule: on_time, sections, tables_complete, fee_statement, text_vs_tables, identities, cross_year"),
    "status": ("string", "pass, fail, unknown (the archive cannot tell) or n/a (the rule does not apply)"),
    "severity": ("string", "Of a failure: error (a legal requirement or a printed identity) or warning"),
    "evidence": ("string", "Quoted text, dates or cell ids the finding rests on"),
    "basis": ("string", "The regulation or template requirement the rule checks"),
    "audited_at": ("datetime", "When the audit ran (UTC)"),
}

# Columns of the timelines export (one row per agency and year; see ``govcrawl.research.timelines``).
TIMELINE_COLUMNS = {
    "site_id": REPORT_COLUMNS["site_id"],
    "site_name": REPORT_COLUMNS["site_name"],
    "division_code": REPORT_COLUMNS["division_code"],
    "series": ("string", "Empty when the site lists one agency a year; the agency's name where one site "
                         "lists several agencies' reports (each its own series)"),
    "year": REPORT_COLUMNS["year"],
    "status": ("string", "archived, not_found (a link for the year failed), not_published (the crawled "
                         "listings hold nothing for the year) or not_crawled"),
    "agency": ("string", "The agency as its report names itself that year"),
    "series_break": ("string", "renamed: A → B, or division code retired; empty when the series continues"),
    "evidence": ("string", "Why a year is not archived (the failed URL, or what was crawled)"),
    "report_id": REPORT_COLUMNS["report_id"],
    "published": REPORT_COLUMNS["published"],
    "new_total": ("integer", "表三 一、本年新收政府信息公开申请数量, 总计 (件)"),
    "handled_total": ("integer", "表三 三、（七）总计, 总计 (件)"),
    "open_total": ("integer", "表三 （一）予以公开, 总计 (件)"),
    "partial_total": ("integer", "表三 （二）部分公开, 总计 (件)"),
    "rev_total": ("integer", "表四 行政复议 总计 (件)"),
    "lit_total": ("integer", "表四 行政诉讼 总计: 未经复议直接起诉 + 复议后起诉 (件)"),
    "checks_failed": REPORT_COLUMNS["checks_failed"],
    "audit_failed": ("integer", "Audit rules the report fails"),
}
