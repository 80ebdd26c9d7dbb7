"""The only code that writes the SQLite archive.

Schema changes go through versioned ``sqlite_utils`` migrations, so an archive made by an older
govcrawl is upgraded in place. Rows are keyed by ids derived from their content (see ``ids``), so
writing the same capture or report twice is an upsert, never a duplicate.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from govcrawl.research import codebook

migrations = Migrations("govcrawl")


@migrations()
def m001_initial(db: Database) -> None:
    db["sites"].create(
        {"site_id": str, "name": str, "level": str, "division_code": str, "parent_id": str,
         "listing_urls": str, "allowed_domains": str, "platform": str, "verified": int},
        pk="site_id",
    )
    db["runs"].create(
        {"run_id": str, "started_at": str, "ended_at": str, "status": str, "sites": str,
         "summary": str},
        pk="run_id",
    )
    db["captures"].create(
        {"capture_id": str, "run_id": str, "site_id": str, "url": str, "method": str,
         "status": int, "fetched_at": str, "mime": str, "length": int, "payload_sha256": str,
         "record_type": str, "warc_file": str, "warc_offset": int, "warc_length": int,
         "payload_digest": str, "etag": str, "last_modified": str},
        pk="capture_id",
    )
    db["captures"].create_index(["url", "fetched_at"])
    db["captures"].create_index(["payload_sha256"])
    db["reports"].create(
        {"report_id": str, "site_id": str, "url": str, "title": str, "agency": str, "year": int,
         "published": str, "template": str, "kind": str, "reason": str, "is_current": int,
         "payload_sha256": str, "capture_id": str, "fetched_at": str, "warc_file": str,
         "warc_offset": int, "parser_version": str, "cells_found": int, "checks_failed": int,
         "warnings": str, "images": str, "extra_tables": str, "tables_from": str,
         "first_seen_at": str, "last_seen_at": str, "removed_at": str},
        pk="report_id",
    )
    db["reports"].create_index(["site_id", "year"])
    db["reports"].create_index(["url"])
    db["cells"].create(
        {"report_id": str, "cell_id": str, "tbl": str, "block": str, "row_id": str,
         "col_id": str, "value": float, "value_text": str, "raw": str, "unit": str,
         "null_reason": str, "row_label": str, "col_label": str},
        pk=("report_id", "cell_id"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["checks"].create(
        {"report_id": str, "check_id": str, "kind": str, "status": str, "expr": str,
         "detail": str},
        pk=("report_id", "check_id"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["sections"].create(
        {"report_id": str, "section_id": str, "text": str},
        pk=("report_id", "section_id"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["attachments"].create(
        {"report_id": str, "url": str, "capture_id": str, "payload_sha256": str, "kind": str,
         "template": str, "cells_found": int, "used_for_cells": int, "warnings": str},
        pk=("report_id", "url"),
        foreign_keys=[("report_id", "reports", "report_id")],
    )
    db["rejected"].create(
        {"url": str, "site_id": str, "title": str, "reason": str, "payload_sha256": str,
         "run_id": str, "fetched_at": str},
        pk="url",
    )
    db["errors"].create(
        {"run_id": str, "site_id": str, "url": str, "reason": str, "status": int, "at": str},
    )
    db["errors"].create_index(["run_id", "site_id"])


@migrations()
def m002_research_schema(db: Database) -> None:
    """Integer keys, label lookups, wide value tables and trigram full-text search.

    Cells and checks are nearly all of an archive's rows. Keyed by (16-hex report id, text cell id)
    the cells alone measured 14 KB per report even with labels stored once; keyed by small
    integers, with labels and check expressions stored once, cells and checks take ~8.5 KB. ``cells`` and ``checks`` become views with the m001
    columns, so SQL written against m001 keeps working. Views and wide columns are derived from the
    templates and refreshed by ``sync_schema`` whenever an archive is opened.
    """
    x = db.execute
    x("alter table reports add column report_no integer")
    x("update reports set report_no = rowid")
    x("create unique index reports_report_no on reports(report_no)")
    x("create index reports_current on reports(is_current, site_id, year)")
    x("""create table cell_defs (cell_no integer primary key, cell_id text not null unique, tbl text,
         block text, row_id text, col_id text, block_label text, row_label text, col_label text,
         unit text, value_type text, templates text)""")
    x("create table labels (label_no integer primary key, label text not null unique)")
    x("""create table cell_values (report_no integer not null, cell_no integer not null,
         value numeric, value_text text, raw text, unit text, null_reason text,
         row_label_no integer, col_label_no integer, primary key (report_no, cell_no)) without rowid""")
    x("""insert or ignore into cell_defs (cell_id, tbl, block, row_id, col_id, templates)
         select distinct cell_id, tbl, block, row_id, col_id, '' from cells order by cell_id""")
    x("""insert or ignore into labels (label) select row_label from cells where row_label is not null
         union select col_label from cells where col_label is not null""")
    x("""insert into cell_values
         select r.report_no, d.cell_no, c.value, c.value_text, c.raw, c.unit, c.null_reason,
                rl.label_no, cl.label_no
         from cells c join reports r using (report_id) join cell_defs d using (cell_id)
         left join labels rl on rl.label = c.row_label left join labels cl on cl.label = c.col_label""")
    x("drop table cells")
    x("""create table check_defs (check_no integer primary key, check_id text not null, kind text,
         expr text, unique (check_id, kind, expr))""")
    x("""create table check_results (report_no integer not null, check_no integer not null,
         status text, detail text, primary key (report_no, check_no)) without rowid""")
    x("create index check_results_failed on check_results(report_no, check_no) where status = 'fail'")
    x("""insert or ignore into check_defs (check_id, kind, expr)
         select distinct check_id, kind, expr from checks order by check_id""")
    x("""insert into check_results
         select r.report_no, d.check_no, k.status, k.detail
         from checks k join reports r using (report_id)
         join check_defs d on d.check_id = k.check_id and d.kind is k.kind and d.expr is k.expr""")
    x("drop table checks")
    # sections get an INTEGER PRIMARY KEY: the full-text index refers to rows by it, and VACUUM
    # may renumber an implicit rowid.
    x("""create table sections_v2 (section_no integer primary key, report_id text not null,
         section_id text not null, text text, unique (report_id, section_id))""")
    x("insert into sections_v2 (report_id, section_id, text) select report_id, section_id, text "
      "from sections order by rowid")
    x("drop table sections")
    x("alter table sections_v2 rename to sections")
    x("""create virtual table sections_fts using fts5(text, content='sections',
         content_rowid='section_no', tokenize='trigram')""")
    x("""create virtual table reports_fts using fts5(title, content='reports',
         content_rowid='report_no', tokenize='trigram')""")
    x("""create trigger sections_fts_ai after insert on sections begin
         insert into sections_fts(rowid, text) values (new.section_no, new.text); end""")
    x("""create trigger sections_fts_ad after delete on sections begin
         insert into sections_fts(sections_fts, rowid, text) values ('delete', old.section_no, old.text); end""")
    x("""create trigger sections_fts_au after update on sections begin
         insert into sections_fts(sections_fts, rowid, text) values ('delete', old.section_no, old.text);
         insert into sections_fts(rowid, text) values (new.section_no, new.text); end""")
    x("""create trigger reports_fts_ai after insert on reports when new.report_no is not null begin
         insert into reports_fts(rowid, title) values (new.report_no, new.title); end""")
    x("""create trigger reports_fts_ad after delete on reports when old.report_no is not null begin
         insert into reports_fts(reports_fts, rowid, title) values ('delete', old.report_no, old.title); end""")
    x("""create trigger reports_fts_au after update of title, report_no on reports begin
         insert into reports_fts(reports_fts, rowid, title) select 'delete', old.report_no, old.title
           where old.report_no is not null;
         insert into reports_fts(rowid, title) select new.report_no, new.title
           where new.report_no is not null; end""")
    x("insert into sections_fts(sections_fts) values ('rebuild')")
    x("insert into reports_fts(reports_fts) values ('rebuild')")
    for tbl in WIDE_TABLES:
        x(f"create table wide_{tbl} (report_no integer primary key)")


WIDE_TABLES = ("t2", "t3", "t4")


def sync_schema(db: Database) -> None:
    """Refresh what derives from the templates: ``cell_defs`` rows, wide columns and the views.

    Idempotent and cheap when nothing changed. A template cell added to ``govcrawl.templates`` gets
    its wide column (backfilled from ``cell_values``) and its place in the views here, not in a
    migration, so the migrations never depend on the current template definitions.
    """
    with db.atomic():  # readers never see a view dropped and not yet recreated
        for d in codebook.cell_defs():
            db.execute(
                """insert into cell_defs (cell_id, tbl, block, row_id, col_id, block_label, row_label,
                   col_label, unit, value_type, templates) values (?,?,?,?,?,?,?,?,?,?,?)
                   on conflict (cell_id) do update set tbl = excluded.tbl, block = excluded.block,
                   row_id = excluded.row_id, col_id = excluded.col_id, block_label = excluded.block_label,
                   row_label = excluded.row_label, col_label = excluded.col_label, unit = excluded.unit,
                   value_type = excluded.value_type, templates = excluded.templates
                   where (tbl, block, row_id, col_id, block_label, row_label, col_label, unit, value_type,
                          templates) is not (excluded.tbl, excluded.block, excluded.row_id,
                          excluded.col_id, excluded.block_label, excluded.row_label, excluded.col_label,
                          excluded.unit, excluded.value_type, excluded.templates)""",
                [d.cell_id, d.tbl, d.block, d.row_id, d.col_id, d.block_label, d.row_label,
                 d.col_label, d.unit, d.value_type, d.templates])
        defs = wide_cell_defs(db)
        for tbl in WIDE_TABLES:
            have = {c.name for c in db[f"wide_{tbl}"].columns}
            new = [d for d in defs if d["tbl"] == tbl and d["cell_id"] not in have]
            for d in new:
                db.execute(f'alter table wide_{tbl} add column "{d["cell_id"]}" numeric')
            if new and db.execute("select 1 from cell_values limit 1").fetchone():
                _backfill_wide(db, tbl, new)
        for name, sql in view_sql(defs).items():
            current = db.execute("select sql from sqlite_master where type = 'view' and name = ?",
                                 [name]).fetchone()
            wanted = f"CREATE VIEW {name} AS {sql}"
            if current is None or current[0] != wanted:
                db.execute(f"drop view if exists {name}")
                db.execute(wanted)
        sync_audit_views(db)


def wide_cell_defs(db: Database) -> list[dict]:
    """Template cells (``templates`` not empty) in codebook order: the wide columns."""
    order = {d.cell_id: i for i, d in enumerate(codebook.cell_defs())}
    rows = db.execute("select cell_no, cell_id, tbl, templates from cell_defs where templates != ''")
    defs = [dict(zip(("cell_no", "cell_id", "tbl", "templates"), r)) for r in rows]
    return sorted(defs, key=lambda d: (d["tbl"], order.get(d["cell_id"], len(order)), d["cell_id"]))


def _backfill_wide(db: Database, tbl: str, new: list[dict]) -> None:
    db.execute(f"""insert or ignore into wide_{tbl} (report_no) select distinct v.report_no
                   from cell_values v join cell_defs d using (cell_no) where d.tbl = ?""", [tbl])
    for d in new:
        db.execute(f'''update wide_{tbl} set "{d["cell_id"]}" = (select value from cell_values v
                       where v.report_no = wide_{tbl}.report_no and v.cell_no = ?)''', [d["cell_no"]])


# --- views: the common questions, one row per current report or per group -----------------------

_META = """r.report_id, r.site_id, s.name as site_name, s.division_code,
       substr(s.division_code, 1, 2) as province_code, substr(s.division_code, 1, 4) as city_code,
       r.agency, r.year, r.template, r.checks_failed"""
_FROM = "reports r left join sites s using (site_id)"
_T3_SUMS = {
    "new_total": ["new"], "carry_in_total": ["carry_in"], "open_total": ["open"],
    "partial_total": ["partial"],
    "deny_total": ["deny_secret", "deny_law", "deny_security", "deny_third_party", "deny_internal",
                   "deny_process", "deny_case_file", "deny_query"],
    "unable_total": ["unable_not_held", "unable_need_create", "unable_unclear"],
    "reject_total": ["reject_petition", "reject_repeat", "reject_publication", "reject_mass",
                     "reject_confirm"],
    "other_total": ["other", "other_no_correction", "other_no_fee", "other_misc"],
    "handled_total": ["handled_total"], "carry_out_total": ["carry_out"],
}
_T4_SUMS = ("rev_total", "lit_direct_total", "lit_after_review_total")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _wide_view(defs: list[dict], tbl: str, where: str = "") -> str:
    cols = ",\n       ".join(f'w.{_q(d["cell_id"])} as {codebook.wide_name(d["cell_id"])}' for d in defs)
    return (f"select {_META},\n       {cols}\nfrom {_FROM} join wide_{tbl} w on w.report_no = r.report_no\n"
            f"where r.is_current = 1{where}")


def _rollup(group: list[tuple[str, str]], have: set[str]) -> str:
    keys = ", ".join(f"{expr} as {name}" for name, expr in group)
    sums = []
    for name, rows in _T3_SUMS.items():
        terms = [f'ifnull(sum(w3.{_q(f"t3.{r}.total")}), 0)' for r in rows if f"t3.{r}.total" in have]
        sums.append(f"{' + '.join(terms) or 'null'} as {name}")
    sums += [f'sum(w4.{_q("t4.cases." + c)}) as {c}' for c in _T4_SUMS if "t4.cases." + c in have]
    names = ", ".join(name for name, _ in group)
    return (f"select {keys}, count(*) as reports, count(w3.report_no) as reports_with_table3,\n"
            f"       sum(r.checks_failed > 0) as reports_with_failed_checks,\n       "
            + ",\n       ".join(sums)
            + f"\nfrom {_FROM} left join wide_t3 w3 on w3.report_no = r.report_no"
              f" left join wide_t4 w4 on w4.report_no = r.report_no\n"
              f"where r.is_current = 1 group by {names} order by {names}")


def view_sql(defs: list[dict]) -> dict[str, str]:
    """{view name: select} for the long compatibility views, the wide views and the rollups."""
    have = {d["cell_id"] for d in defs}
    out = {
        "cells": """select r.report_id, d.tbl, d.block, d.row_id, d.col_id, d.cell_id, v.value,
       v.value_text, v.raw, v.unit, v.null_reason, rl.label as row_label, cl.label as col_label
from cell_values v join reports r on r.report_no = v.report_no join cell_defs d on d.cell_no = v.cell_no
left join labels rl on rl.label_no = v.row_label_no left join labels cl on cl.label_no = v.col_label_no""",
        "checks": """select r.report_id, d.check_id, d.kind, k.status, d.expr, k.detail
from check_results k join reports r on r.report_no = k.report_no join check_defs d on d.check_no = k.check_no""",
        "current_reports": f"""select {_META}, r.title, r.published, r.url, r.fetched_at, r.payload_sha256,
       r.capture_id, r.warc_file, r.warc_offset, r.parser_version, r.cells_found, r.tables_from
from {_FROM} where r.is_current = 1""",
        "t3_current": _wide_view([d for d in defs if d["tbl"] == "t3"], "t3"),
        "t4_current": _wide_view([d for d in defs if d["tbl"] == "t4"], "t4"),
    }
    for version in codebook.TEMPLATES:
        t2 = [d for d in defs if d["tbl"] == "t2" and version in d["templates"].split()]
        out[f"t2_{version}_current"] = _wide_view(t2, "t2", f" and r.template = '{version}'")
    out["rollup_year"] = _rollup([("year", "r.year")], have)
    out["rollup_province_year"] = _rollup([("province_code", "substr(s.division_code, 1, 2)"),
                                           ("year", "r.year")], have)
    out["rollup_city_year"] = _rollup([("city_code", "substr(s.division_code, 1, 4)"),
                                       ("year", "r.year")], have)
    out["reports_failing_checks"] = f"""select {_META}, r.url, count(*) as printed_checks_failed,
       group_concat(d.check_id, ' ') as failed_checks, group_concat(k.detail, '; ') as details
from {_FROM} join check_results k on k.report_no = r.report_no and k.status = 'fail'
join check_defs d on d.check_no = k.check_no and d.kind = 'printed'
where r.is_current = 1 group by r.report_no order by r.site_id, r.year, r.url"""
    return out


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def short_hash(*parts: object) -> str:
    """A 16-hex id from its parts: stable across runs and rebuilds."""
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def report_id_for(site_id: str, url: str, payload_sha256: str) -> str:
    """One id per (site, document URL, content): a changed page is a new version, a re-crawl is not."""
    return short_hash("report", site_id, url, payload_sha256)


def split_cell_id(cell_id: str) -> tuple[str, str, str, str]:
    """'t2.a20_1.rules.issued' → (t2, a20_1, rules, issued); 't3.new.person' → (t3, '', new, person)."""
    parts = cell_id.split(".")
    if parts[0] == "t2" and len(parts) == 4:
        return parts[0], parts[1], parts[2], parts[3]
    if len(parts) == 3:
        return parts[0], "", parts[1], parts[2]
    return parts[0], "", ".".join(parts[1:-1]), parts[-1]


def numeric(value: Any) -> tuple[float | int | None, str | None]:
    """(number for SQL arithmetic, exact decimal text) from an extracted cell value."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, int):
        return value, str(value)
    try:
        dec = Decimal(str(value))
    except InvalidOperation:
        return None, str(value)
    as_int = int(dec) if dec == dec.to_integral_value() and "." not in str(value) else None
    return (as_int if as_int is not None else float(dec)), str(value)


@dataclass
class StoredReport:
    report_id: str
    is_new: bool


class Archive:
    """The SQLite archive: open (creating or upgrading it), then record captures and reports."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = Database(self.path)
        self.db.execute("PRAGMA busy_timeout=10000")  # first: switching to WAL may wait for readers
        self.db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives a killed process intact; only a power cut can lose the last commits.
        self.db.execute("PRAGMA synchronous=NORMAL")
        with self.db.atomic():  # readers see the old schema or the whole new one, never between
            migrations.apply(self.db)
            sync_schema(self.db)
        self._load_keys()

    def close(self) -> None:
        self.db.close()

    # --- registry and runs -------------------------------------------------------------------

    def upsert_sites(self, sites: Iterable[Any]) -> None:
        rows = [
            {"site_id": s.site_id, "name": s.name, "level": s.level,
             "division_code": s.division_code, "parent_id": s.parent_id or "",
             "listing_urls": " ".join(s.listing_urls), "allowed_domains": " ".join(s.allowed_domains),
             "platform": s.platform or "", "verified": int(bool(s.verified))}
            for s in sites
        ]
        if rows:
            self.db["sites"].upsert_all(rows, pk="site_id")

    def start_run(self, run_id: str, site_ids: list[str]) -> None:
        self.db["runs"].upsert(
            {"run_id": run_id, "started_at": utcnow(), "ended_at": None, "status": "running",
             "sites": " ".join(site_ids), "summary": None},
            pk="run_id",
        )

    def finish_run(self, run_id: str, status: str, summary: dict) -> None:
        self.db["runs"].update(
            run_id, {"ended_at": utcnow(), "status": status,
                     "summary": json.dumps(summary, ensure_ascii=False, sort_keys=True)}
        )

    def record_error(self, run_id: str, site_id: str, url: str, reason: str, status: int | None) -> None:
        self.db["errors"].insert(
            {"run_id": run_id, "site_id": site_id, "url": url, "reason": reason, "status": status,
             "at": utcnow()}
        )

    # --- captures ------------------------------------------------------------------------------

    def record_capture(self, row: dict) -> None:
        self.db["captures"].upsert(row, pk="capture_id")

    def latest_good_capture(self, url: str) -> dict | None:
        """The newest 200 capture of a URL (response or revisit) — what a revalidation compares to."""
        rows = list(self.db.query(
            "select * from captures where url = ? and status in (200, 304) "
            "order by fetched_at desc, rowid desc limit 1", [url]))
        return rows[0] if rows else None

    def capture_for_digest(self, payload_sha256: str) -> dict | None:
        """The first archived response with this payload, for WARC revisit records."""
        rows = list(self.db.query(
            "select * from captures where payload_sha256 = ? and record_type = 'response' "
            "order by fetched_at limit 1", [payload_sha256]))
        return rows[0] if rows else None

    # --- reports -------------------------------------------------------------------------------

    def save_rejected(self, *, url: str, site_id: str, title: str, reason: str,
                      payload_sha256: str, run_id: str) -> None:
        self.db["rejected"].upsert(
            {"url": url, "site_id": site_id, "title": title, "reason": reason,
             "payload_sha256": payload_sha256, "run_id": run_id, "fetched_at": utcnow()},
            pk="url",
        )

    def save_report(self, *, site_id: str, url: str, capture: dict, report: dict,
                    attachments: list[dict] | None = None, tables_from: str | None = None) -> StoredReport:
        """Write one report (the dict of ``ExtractedReport.to_dict()``) with its cells and checks.

        ``capture`` is the captures row of the document's response. Older versions of the same
        URL stay in the archive with ``is_current = 0``. The wide tables and the full-text index
        are written in the same transaction, so readers never see a half-written report.
        """
        sha = capture["payload_sha256"]
        report_id = report_id_for(site_id, url, sha)
        cells = report.get("cells") or {}
        checks = report.get("checks") or []
        try:
            return self._save(report_id, site_id, url, sha, capture, report, cells, checks,
                              attachments, tables_from)
        except BaseException:
            self._load_keys()  # keys cached during the rolled-back transaction no longer exist
            raise

    def _save(self, report_id, site_id, url, sha, capture, report, cells, checks, attachments,
              tables_from) -> StoredReport:
        with self.db.atomic():  # one transaction: a kill never leaves half a report
            row = self.db.execute("select report_no, first_seen_at from reports where report_id = ?",
                                  [report_id]).fetchone()
            is_new = row is None
            report_no, first_seen_at = (self.next_report_no(), None) if is_new else row
            now = utcnow()
            self.db.execute("update reports set is_current = 0 where site_id = ? and url = ? "
                            "and report_id != ?", [site_id, url, report_id])
            self.db["reports"].upsert(
                {"report_id": report_id, "report_no": report_no, "site_id": site_id, "url": url,
                 "title": report.get("title"), "agency": report.get("agency"),
                 "year": report.get("year"), "published": report.get("published"),
                 "template": report.get("template"), "kind": report.get("kind"),
                 "reason": report.get("reason"), "is_current": 1, "payload_sha256": sha,
                 "capture_id": capture.get("capture_id"), "fetched_at": capture.get("fetched_at"),
                 "warc_file": capture.get("warc_file"), "warc_offset": capture.get("warc_offset"),
                 "parser_version": report.get("parser_version"),
                 "cells_found": sum(1 for c in cells.values() if c.get("null_reason") != "missing"),
                 "checks_failed": sum(1 for c in checks if c.get("status") == "fail"),
                 "warnings": json.dumps(report.get("warnings") or [], ensure_ascii=False),
                 "images": json.dumps(report.get("images") or [], ensure_ascii=False),
                 "extra_tables": json.dumps(report.get("extra_tables") or [], ensure_ascii=False),
                 "tables_from": tables_from or url,
                 "first_seen_at": first_seen_at or now, "last_seen_at": now, "removed_at": None},
                pk="report_id",
            )
            for table in ("cell_values", "check_results", *(f"wide_{t}" for t in WIDE_TABLES)):
                self.db.execute(f"delete from {table} where report_no = ?", [report_no])
            for table in ("sections", "attachments"):
                self.db.execute(f"delete from {table} where report_id = ?", [report_id])
            cell_rows = list(self.cell_rows(report_no, cells))
            self.db.conn.executemany("insert into cell_values values (?,?,?,?,?,?,?,?,?)", cell_rows)
            self.db.conn.executemany("insert into check_results values (?,?,?,?)",
                                     self.check_rows(report_no, checks))
            for sql, params in self.wide_rows(report_no, cell_rows):
                self.db.execute(sql, params)
            self.db.conn.executemany(
                "insert into sections (report_id, section_id, text) values (?,?,?)",
                [(report_id, sid, text) for sid, text in (report.get("sections") or {}).items() if text])
            if attachments:
                self.db["attachments"].insert_all(
                    dict(a, report_id=report_id) for a in attachments)
        return StoredReport(report_id, is_new)

    # --- integer keys: the bulk loader in bench/archive.py uses these too ---------------------

    def next_report_no(self) -> int:
        return self.db.execute("select coalesce(max(report_no), 0) + 1 from reports").fetchone()[0]

    def cell_no(self, cell_id: str) -> int:
        if cell_id not in self._cell_nos:
            tbl, block, row_id, col_id = split_cell_id(cell_id)
            self.db.execute("insert or ignore into cell_defs (cell_id, tbl, block, row_id, col_id, templates) "
                            "values (?,?,?,?,?,'')", [cell_id, tbl, block, row_id, col_id])
            self._cell_nos[cell_id] = self.db.execute(
                "select cell_no from cell_defs where cell_id = ?", [cell_id]).fetchone()[0]
        return self._cell_nos[cell_id]

    def label_no(self, label: str | None) -> int | None:
        if label is None:
            return None
        if label not in self._label_nos:
            self.db.execute("insert or ignore into labels (label) values (?)", [label])
            self._label_nos[label] = self.db.execute(
                "select label_no from labels where label = ?", [label]).fetchone()[0]
        return self._label_nos[label]

    def check_no(self, check_id: str, kind: str | None, expr: str | None) -> int:
        key = (check_id, kind, expr)
        if key not in self._check_nos:
            self.db.execute("insert or ignore into check_defs (check_id, kind, expr) values (?,?,?)", key)
            self._check_nos[key] = self.db.execute(
                "select check_no from check_defs where check_id = ? and kind is ? and expr is ?",
                key).fetchone()[0]
        return self._check_nos[key]

    def _load_keys(self) -> None:
        self._cell_nos = dict(self.db.execute("select cell_id, cell_no from cell_defs"))
        self._label_nos = dict(self.db.execute("select label, label_no from labels"))
        self._check_nos = {(i, k, e): n for n, i, k, e in
                           self.db.execute("select check_no, check_id, kind, expr from check_defs")}
        self._wide_cols = {no: (tbl, cid) for no, cid, tbl in
                           ((d["cell_no"], d["cell_id"], d["tbl"]) for d in wide_cell_defs(self.db))}

    def cell_rows(self, report_no: int, cells: dict) -> Iterable[tuple]:
        """cell_values rows: (report_no, cell_no, value, value_text, raw, unit, null_reason, labels)."""
        for cell_id, cell in cells.items():
            value, value_text = numeric(cell.get("value"))
            yield (report_no, self.cell_no(cell_id), value, value_text, cell.get("raw"), cell.get("unit"),
                   cell.get("null_reason"), self.label_no(cell.get("row_label")),
                   self.label_no(cell.get("col_label")))

    def check_rows(self, report_no: int, checks: list[dict]) -> list[tuple]:
        return [(report_no, self.check_no(c["id"], c.get("kind"), c.get("expr")), c.get("status"),
                 c.get("detail")) for c in checks]

    def wide_rows(self, report_no: int, cell_rows: list[tuple]) -> list[tuple[str, list]]:
        """One insert per table 二/三/四 the report has cells of, into wide_t2/t3/t4."""
        by_table: dict[str, dict[str, Any]] = {}
        for row in cell_rows:
            if row[1] in self._wide_cols:
                tbl, cell_id = self._wide_cols[row[1]]
                by_table.setdefault(tbl, {})[cell_id] = row[2]
        out = []
        for tbl, values in by_table.items():
            cols = ", ".join(f'"{c}"' for c in values)
            out.append((f"insert into wide_{tbl} (report_no, {cols}) values (?{', ?' * len(values)})",
                        [report_no, *values.values()]))
        return out

    def stored_matches(self, report_id: str, report: dict, tables_from: str) -> bool:
        """Would saving ``report`` under ``report_id`` change any stored cell, check or section?"""
        rows = list(self.db.query("select * from reports where report_id = ?", [report_id]))
        if not rows:
            return False
        r = rows[0]
        meta_same = all(r[k] == report.get(k) for k in ("title", "agency", "year", "published",
                                                          "template", "kind")) and r["tables_from"] == tables_from
        cells_now = {tuple(c.values()) for c in self.db.query(
            "select cell_id, value_text, raw, unit, null_reason, row_label, col_label from cells "
            "where report_id = ?", [report_id])}
        cells_new = {(cell_id, numeric(c.get("value"))[1], c.get("raw"), c.get("unit"),
                      c.get("null_reason"), c.get("row_label"), c.get("col_label"))
                     for cell_id, c in (report.get("cells") or {}).items()}
        checks_now = {(c["check_id"], c["status"], c["detail"]) for c in self.db.query(
            "select * from checks where report_id = ?", [report_id])}
        checks_new = {(c["id"], c.get("status"), c.get("detail")) for c in report.get("checks") or []}
        sections_now = {(x["section_id"], x["text"]) for x in self.db.query(
            "select * from sections where report_id = ?", [report_id])}
        sections_new = {(k, v) for k, v in (report.get("sections") or {}).items() if v}
        return meta_same and cells_now == cells_new and checks_now == checks_new and sections_now == sections_new

    def unchanged_report(self, report_id: str, parser_version: str,
                         attachments: dict[str, str]) -> dict | None:
        """The stored report row when this exact content was already extracted by this parser.

        ``attachments`` maps the URLs fetched this time to their sha256. An attachment that could
        not be fetched tonight is not a change: the stored version stays (a passing outage must
        not replace a report's tables with a page that only says 详见附件).
        """
        rows = list(self.db.query("select * from reports where report_id = ?", [report_id]))
        if not rows or rows[0]["parser_version"] != parser_version:
            return None
        stored = {r["url"]: r["payload_sha256"] for r in self.db.query(
            "select url, payload_sha256 from attachments where report_id = ?", [report_id])}
        if set(attachments) - set(stored):
            return None  # the page links a new attachment
        same = all(attachments.get(url, sha) == sha for url, sha in stored.items())
        return rows[0] if same else None

    def known_attachments(self, url: str, payload_sha256: str) -> list[str] | None:
        """Attachment URLs of the stored report with this URL and content; None if there is none."""
        row = self.db.execute("select report_id from reports where url = ? and payload_sha256 = ? "
                              "limit 1", [url, payload_sha256]).fetchone()
        if row is None:
            return None
        return [r[0] for r in self.db.execute(
            "select url from attachments where report_id = ? order by url", [row[0]])]

    def touch_report(self, report_id: str) -> None:
        """Seen again on its site: still current, not removed."""
        self.db.execute("update reports set last_seen_at = ?, removed_at = null where report_id = ?",
                        [utcnow(), report_id])
        self.db.conn.commit()

    def mark_removed(self, site_id: str, seen_urls: Iterable[str]) -> int:
        """Current reports of a site that its listings no longer link: removed, never deleted."""
        seen = set(seen_urls)
        gone = [r["report_id"] for r in self.db.query(
            "select report_id, url from reports where site_id = ? and is_current = 1 "
            "and removed_at is null", [site_id]) if r["url"] not in seen]
        now = utcnow()
        with self.db.atomic():
            for report_id in gone:
                self.db.execute("update reports set removed_at = ? where report_id = ?", [now, report_id])
        return len(gone)


# --- m004: compliance audit and agency timelines (issue 14) ------------------------------------
# A self-contained block: the tables, their views and the one writer. The findings are computed by
# ``govcrawl.research.audit`` / ``timelines`` (read-only over the archive) and written here, so the
# store stays the only code that writes the database.

@migrations()
def m004_audit(db: Database) -> None:
    """Audit findings per report and rule, and one row per agency (site and series) and year."""
    db.execute("""create table if not exists audit_findings (report_id text not null, site_id text,
                  year integer, rule text not null, status text not null, severity text,
                  evidence text, basis text, audited_at text, primary key (report_id, rule))""")
    db.execute("create index if not exists audit_findings_site on audit_findings(site_id, year)")
    db.execute("""create table if not exists agency_years (site_id text not null, series text not null,
                  year integer not null, status text not null, report_id text, agency text,
                  series_break text, evidence text, computed_at text, primary key (site_id, series, year))""")


AUDIT_VIEWS = {
    "audit_scorecard": """select a.site_id, s.name as site_name, s.division_code, a.rule,
       sum(a.status = 'pass') as passed, sum(a.status = 'fail') as failed,
       sum(a.status = 'unknown') as unknown, sum(a.status = 'n/a') as not_applicable,
       group_concat(case when a.status = 'fail' then a.year end, ' ') as failed_years
from audit_findings a left join sites s using (site_id)
group by a.site_id, a.rule order by a.site_id, a.rule""",
    "audit_failures": """select a.site_id, s.name as site_name, s.division_code, a.year, a.rule,
       a.severity, a.evidence, a.basis, r.url, a.report_id
from audit_findings a left join sites s using (site_id) left join reports r using (report_id)
where a.status = 'fail'
order by a.site_id, a.year, case a.severity when 'error' then 0 when 'warning' then 1 else 2 end, a.rule""",
    "agency_timeline": """select y.site_id, s.name as site_name, s.division_code, y.series, y.year, y.status,
       y.agency, y.series_break, y.evidence, y.report_id, r.published,
       w3."t3.new.total" as new_total, w3."t3.handled_total.total" as handled_total,
       w3."t3.open.total" as open_total, w3."t3.partial.total" as partial_total,
       w4."t4.cases.rev_total" as rev_total,
       case when w4.report_no is not null then ifnull(w4."t4.cases.lit_direct_total", 0)
            + ifnull(w4."t4.cases.lit_after_review_total", 0) end as lit_total,
       r.checks_failed,
       case when y.report_id is not null then (select count(*) from audit_findings a
            where a.report_id = y.report_id and a.status = 'fail') end as audit_failed
from agency_years y left join sites s using (site_id) left join reports r using (report_id)
left join wide_t3 w3 on w3.report_no = r.report_no left join wide_t4 w4 on w4.report_no = r.report_no
order by y.site_id, y.series, y.year""",
    "timeline_gaps": """select site_id, site_name, division_code, series, year, status, series_break, evidence
from agency_timeline where status != 'archived' or series_break is not null""",
}


def sync_audit_views(db: Database) -> None:
    """(Re)create the audit and timeline views when their SQL changed."""
    for name, sql in AUDIT_VIEWS.items():
        wanted = f"CREATE VIEW {name} AS {sql}"
        current = db.execute("select sql from sqlite_master where type = 'view' and name = ?",
                             [name]).fetchone()
        if current is None or current[0] != wanted:
            db.execute(f"drop view if exists {name}")
            db.execute(wanted)


def save_audit(db: Database, findings: Iterable[dict], report_ids: Iterable[str]) -> int:
    """Replace the findings of ``report_ids`` with ``findings`` in one transaction."""
    now = utcnow()
    cols = ("report_id", "site_id", "year", "rule", "status", "severity", "evidence", "basis", "audited_at")
    rows = [tuple(f.get(c) for c in cols[:-1]) + (f.get("audited_at") or now,) for f in findings]
    with db.atomic():
        db.conn.executemany("delete from audit_findings where report_id = ?", [(r,) for r in report_ids])
        db.conn.executemany(f"insert or replace into audit_findings ({', '.join(cols)}) "
                            f"values ({', '.join('?' * len(cols))})", rows)
    return len(rows)


def save_timelines(db: Database, rows: Iterable[dict], site_ids: Iterable[str]) -> int:
    """Replace the timeline rows of ``site_ids``."""
    now = utcnow()
    rows = [dict(r, computed_at=now) for r in rows]
    with db.atomic():
        db.conn.executemany("delete from agency_years where site_id = ?", [(s,) for s in site_ids])
        if rows:
            db["agency_years"].insert_all(rows, pk=("site_id", "series", "year"), replace=True)
    return len(rows)
