"""The only code that writes the SQLite archive.

Schema changes go through versioned ``sqlite_utils`` migrations, so an archive made by an older
govcrawl is upgraded in place. Rows are keyed by ids derived from their content (see ``ids``), so
writing the same capture or report twice is an upsert, never a duplicate.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from govcrawl import checks as identities
from govcrawl import templates
from govcrawl.extract.meta import agency_key
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


@migrations()
def m003_report_identity(db: Database) -> None:
    """A report is an agency's year; ``reports`` rows become its versions.

    ``report_identities`` holds one row per (registry site, normalised agency, report year), with
    its current version and URL; ``report_urls`` every URL a report has been found at (a move is a
    new row there, not a new report). Versions gain their identity, a content hash over the page
    and every attachment used, a number within the report, and the extractor's quality fields.
    Existing rows are grouped into identities here; an agency-year that older code stored twice as
    current keeps only its newest version current.
    """
    x = db.execute
    for col, typ in (("report_key", "text"), ("agency_key", "text"), ("content_sha256", "text"),
                     ("version_no", "integer"), ("last_run_id", "text"), ("coverage", "real"),
                     ("min_confidence", "real"), ("reader", "text")):
        x(f"alter table reports add column {col} {typ}")
    x("""create table report_identities (report_key text primary key, site_id text not null,
         agency_key text, agency text, year integer, url text, current_report_id text,
         versions integer not null default 0, first_seen_at text, last_seen_at text,
         last_run_id text, removed_at text, warning text)""")
    x("create index report_identities_site on report_identities(site_id, year)")
    x("""create table report_urls (report_key text not null, url text not null, first_seen_at text,
         last_seen_at text, first_run_id text, last_run_id text, moved_from text,
         primary key (report_key, url))""")
    x("create index report_urls_url on report_urls(url)")
    x("create index reports_identity on reports(report_key, version_no)")
    x("create index reports_page_sha on reports(site_id, payload_sha256)")
    names = dict(x("select site_id, name from sites").fetchall())
    shas: dict[str, list[str]] = {}
    for rid, sha in x("select report_id, payload_sha256 from attachments"):
        shas.setdefault(rid, []).append(sha)
    rows = x("""select report_id, site_id, url, agency, year, payload_sha256, is_current, removed_at,
                first_seen_at, last_seen_at from reports order by fetched_at, rowid""").fetchall()
    known: dict[str, list[str]] = {}
    versions: dict[str, list[tuple]] = {}
    for rid, site_id, url, agency, year, sha, current, removed, first, last in rows:
        akey = _known_agency(known.setdefault(site_id, []), agency_key(agency, names.get(site_id)))
        key = identity_key(site_id, akey, year, url)
        versions.setdefault(key, []).append((rid, site_id, url, agency, year, akey, current, removed,
                                             first, last))
        x("""update reports set report_key = ?, agency_key = ?, content_sha256 = ?, version_no = ?
             where report_id = ?""", [key, akey, content_hash(sha or "", shas.get(rid, [])),
                                      len(versions[key]), rid])
    for key, vs in versions.items():
        live = [v for v in vs if v[6] == 1]
        newest = (live or vs)[-1]
        removed = None if any(v[6] == 1 and not v[7] for v in vs) else (newest[7] or None)
        x("update reports set is_current = 0 where report_key = ? and report_id != ?", [key, newest[0]])
        x("""insert into report_identities (report_key, site_id, agency_key, agency, year, url,
             current_report_id, versions, first_seen_at, last_seen_at, removed_at)
             values (?,?,?,?,?,?,?,?,?,?,?)""",
          [key, newest[1], newest[5], newest[3], newest[4], newest[2], newest[0], len(vs),
           min((v[8] or "") for v in vs) or None, max((v[9] or "") for v in vs) or None, removed])
        for v in vs:
            x("""insert or ignore into report_urls (report_key, url, first_seen_at, last_seen_at)
                 values (?,?,?,?)""", [key, v[2], v[8], v[9]])


@migrations()
def m003_report_chains(db: Database) -> None:
    """What the crawl hands to ingest: a report page's capture and its attachments' captures.

    The crawl writes captures and chains only; ingest (``govcrawl/archive/ingest.py``) reads the
    bodies back from the WARCs, extracts and writes versions, then stamps ``ingested_at``. A chain
    not yet stamped (a crawl or an ingest killed midway) is simply ingested again.
    """
    db.execute("""create table chains (chain_id text primary key, run_id text, site_id text,
                  page_url text not null, page_capture_id text, content_type text, link_text text,
                  attachments text, open_reason text, created_at text, ingested_at text,
                  result text, report_id text)""")
    db.execute("create index chains_pending on chains(ingested_at, run_id)")
    db.execute("alter table captures add column warc_dir text")


def identity_key(site_id: str, agency_key: str | None, year: int | None, url: str) -> str:
    """The id of a report — an agency's year. Without a year the document URL stands in for it."""
    if year is None:
        return short_hash("identity", site_id, "url", url)
    return short_hash("identity", site_id, agency_key or "", int(year))


def content_hash(page_sha256: str, attachment_sha256s: Iterable[str]) -> str:
    """sha256 over the page's and every attachment's payload digests: what makes a version."""
    parts = [page_sha256 or "", *sorted({a for a in attachment_sha256s if a})]
    return hashlib.sha256("\x1f".join(parts).encode("ascii")).hexdigest()


def version_id(report_key: str, content_sha256: str) -> str:
    """A version's ``report_id``: the same content of the same report is one row, wherever found."""
    return short_hash("version", report_key, content_sha256)


def _known_agency(known: list[str], key: str) -> str:
    """``key``, or the site's already-known agency key that one of them ends with (渝北区民政局 vs
    重庆市渝北区民政局), so a title that names the agency more briefly one year is not a new agency."""
    if len(key) >= 3:
        for k in sorted(known, key=len, reverse=True):
            if len(k) >= 3 and (k.endswith(key) or key.endswith(k)):
                return k
    if key not in known:
        known.append(key)
    return key


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
       r.capture_id, r.warc_file, r.warc_offset, r.parser_version, r.cells_found, r.tables_from,
       r.report_key, r.version_no, r.coverage, r.min_confidence, r.reader
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
    out["cross_year_checks"] = f"""select {_META}, d.check_id, k.status, d.expr, k.detail
from {_FROM} join check_results k on k.report_no = r.report_no
join check_defs d on d.check_no = k.check_no and d.kind = 'cross_year'
where r.is_current = 1 order by r.site_id, r.agency_key, r.year, d.check_id"""
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
    report_id: str  # the version
    is_new: bool  # a version not stored before (new report or changed content)
    report_key: str = ""  # the report: the agency's year
    new_report: bool = False  # an agency-year the archive did not hold
    moved_from: str | None = None  # the URL it had before, when found at a new one
    warning: str | None = None  # two different documents for one agency-year


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
        with self.writing():  # readers see the old schema or the whole new one, never between
            migrations.apply(self.db)
            sync_schema(self.db)
        self._load_keys()

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def writing(self):
        """A write transaction that takes the write lock first (BEGIN IMMEDIATE). The crawl and
        ingest write one archive from two connections; a deferred transaction that reads before
        it writes would fail with "database is locked" instead of waiting its turn."""
        if self.db.conn.in_transaction:
            with self.db.atomic():
                yield
            return
        self.db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.conn.rollback()
            raise
        else:
            self.db.conn.commit()

    # --- registry and runs -------------------------------------------------------------------

    def upsert_sites(self, sites: Iterable[Any]) -> None:
        rows = [
            {"site_id": s.site_id, "name": s.name, "level": s.level,
             "division_code": s.division_code, "parent_id": s.parent_id or "",
             "listing_urls": " ".join(s.listing_urls), "allowed_domains": " ".join(s.allowed_domains),
             "platform": s.platform or "", "verified": int(bool(s.verified)),
             # m006: the years the unit existed, for attributing reports (view report_units)
             "portal_url": getattr(s, "portal_url", "") or "", "valid_from": getattr(s, "valid_from", None),
             "valid_to": getattr(s, "valid_to", None),
             "successors": (getattr(s, "extra", None) or {}).get("successors", "")}
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

    def import_node_rows(self, *, sites: list[dict], runs: list[dict], errors: list[dict]) -> None:
        """Rows of another archive (a crawl node's) kept as they were: its runs with their times and
        summaries, their errors (replaced per run, so importing twice adds nothing), its sites."""
        with self.writing():
            if sites:
                self.db["sites"].upsert_all(sites, pk="site_id")
            if runs:
                self.db["runs"].upsert_all(runs, pk="run_id")
            for run_id in {r["run_id"] for r in runs}:
                self.db.execute("delete from errors where run_id = ?", [run_id])
            if errors:
                self.db["errors"].insert_all(errors)

    @property
    def site_states(self) -> "SiteStateStore":
        """Each site's found 年报 column, platform, evidence and nightly health (m006)."""
        return SiteStateStore(self.db)

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
                    attachments: list[dict] | None = None, tables_from: str | None = None,
                    run_id: str | None = None, replace: str | None = None) -> StoredReport:
        """Write one version of a report (the dict of ``ExtractedReport.to_dict()``) with its cells.

        The report is the agency's year (``identity_key``); the version is its page plus every
        attachment used (``content_hash``). The same content found again is the same row, at
        whatever URL; changed content is a new version and the older one stays with
        ``is_current = 0``. ``replace`` (a ``report_id``) rewrites that version in place — what
        re-extraction does. Cells, wide tables, full-text index and identity are written in one
        transaction, so readers never see half a report.
        """
        try:
            with self.writing():  # one transaction: a kill never leaves half a report
                return self._save(site_id, url, capture, report, attachments or [], tables_from,
                                  run_id, replace)
        except BaseException:
            self._load_keys()  # keys cached during the rolled-back transaction no longer exist
            raise

    def _save(self, site_id, url, capture, report, attachments, tables_from, run_id,
              replace) -> StoredReport:
        sha = capture["payload_sha256"]
        cells = report.get("cells") or {}
        checks = report.get("checks") or []
        content = content_hash(sha, [a.get("payload_sha256") for a in attachments])
        if replace:
            key, akey, version_no = self.db.execute(
                "select report_key, agency_key, version_no from reports where report_id = ?",
                [replace]).fetchone()
            report_id = replace
        else:
            akey = self.agency_key_for(site_id, report.get("agency"))
            key = identity_key(site_id, akey, report.get("year"), url)
            report_id = version_id(key, content)
            version_no = None
        row = self.db.execute("select report_no, first_seen_at, version_no from reports "
                              "where report_id = ?", [report_id]).fetchone()
        is_new = row is None
        new_report = self.db.execute("select 1 from report_identities where report_key = ?",
                                     [key]).fetchone() is None
        if is_new:
            report_no, first_seen_at = self.next_report_no(), None
            version_no = self.db.execute("select coalesce(max(version_no), 0) + 1 from reports "
                                         "where report_key = ?", [key]).fetchone()[0]
        else:
            report_no, first_seen_at, version_no = row
        now = utcnow()
        self.db["reports"].upsert(
            {"report_id": report_id, "report_no": report_no, "site_id": site_id, "url": url,
             "report_key": key, "agency_key": akey, "content_sha256": content,
             "version_no": version_no,
             "title": report.get("title"), "agency": report.get("agency"),
             "year": report.get("year"), "published": report.get("published"),
             "template": report.get("template"), "kind": report.get("kind"),
             "reason": report.get("reason"), "is_current": 0, "payload_sha256": sha,
             "capture_id": capture.get("capture_id"), "fetched_at": capture.get("fetched_at"),
             "warc_file": capture.get("warc_file"), "warc_offset": capture.get("warc_offset"),
             "parser_version": report.get("parser_version"),
             "cells_found": sum(1 for c in cells.values() if c.get("null_reason") != "missing"),
             "checks_failed": sum(1 for c in checks if c.get("status") == "fail"),
             "warnings": json.dumps(report.get("warnings") or [], ensure_ascii=False),
             "images": json.dumps(report.get("images") or [], ensure_ascii=False),
             "extra_tables": json.dumps(report.get("extra_tables") or [], ensure_ascii=False),
             "tables_from": tables_from or url,
             "coverage": report.get("coverage"), "min_confidence": report.get("min_confidence"),
             "reader": report.get("reader"),
             "first_seen_at": first_seen_at or capture.get("fetched_at") or now},
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
            self.db["attachments"].insert_all(dict(a, report_id=report_id) for a in attachments)
        moved_from = self._seen(key, report_id, url, run_id, capture.get("fetched_at"))
        warning = self._elect_current(key, run_id, report_id)
        self.refresh_cross_year(key)
        return StoredReport(report_id, is_new, key, new_report and is_new, moved_from, warning)

    def agency_key_for(self, site_id: str, agency: str | None) -> str:
        """The normalised agency of a report printed by ``agency`` on the site's pages."""
        row = self.db.execute("select name from sites where site_id = ?", [site_id]).fetchone()
        known = [r[0] for r in self.db.execute(
            "select distinct agency_key from report_identities where site_id = ? "
            "and agency_key is not null", [site_id])]
        return _known_agency(known, agency_key(agency, row[0] if row else None))

    def _seen(self, key: str, report_id: str, url: str, run_id: str | None,
              seen_at: str | None = None) -> str | None:
        """The report was found at ``url`` by run ``run_id`` (captured at ``seen_at``): its
        identity, URL history and version say so. Sightings are ordered by capture time, not by
        when ingest gets to them: chains of a crashed crawl ingested later never pass for news.

        Returns the URL it was at before when this is a move (a URL it never had, while the
        previous one was not seen in this run) — a move, not a new report.
        """
        now = seen_at or utcnow()
        ident = self.db.execute("select url, last_run_id from report_identities where report_key = ?",
                                [key]).fetchone()
        known_url = self.db.execute("select 1 from report_urls where report_key = ? and url = ?",
                                    [key, url]).fetchone()
        moved_from = None
        if ident and not known_url and ident[0] != url:
            previous_seen_now = run_id is not None and self.db.execute(
                "select 1 from report_urls where report_key = ? and url = ? and last_run_id = ?",
                [key, ident[0], run_id]).fetchone()
            moved_from = None if previous_seen_now else ident[0]
        v = self.db.execute("select site_id, agency_key, agency, year from reports where report_id = ?",
                            [report_id]).fetchone()
        newer = "excluded.last_seen_at >= coalesce({t}.last_seen_at, '')"
        self.db.execute(
            f"""insert into report_identities (report_key, site_id, agency_key, agency, year, url,
               current_report_id, first_seen_at, last_seen_at, last_run_id)
               values (?,?,?,?,?,?,?,?,?,?)
               on conflict (report_key) do update set
               url = iif({newer.format(t="report_identities")}, excluded.url, url),
               agency = iif({newer.format(t="report_identities")}, excluded.agency, agency),
               last_run_id = iif({newer.format(t="report_identities")}, excluded.last_run_id, last_run_id),
               removed_at = iif({newer.format(t="report_identities")}, null, removed_at),
               last_seen_at = max(coalesce(last_seen_at, ''), excluded.last_seen_at)""",
            [key, v[0], v[1], v[2], v[3], url, report_id, now, now, run_id])
        self.db.execute(
            f"""insert into report_urls (report_key, url, first_seen_at, last_seen_at, first_run_id,
               last_run_id, moved_from) values (?,?,?,?,?,?,?)
               on conflict (report_key, url) do update set
               last_run_id = iif({newer.format(t="report_urls")}, excluded.last_run_id, last_run_id),
               last_seen_at = max(coalesce(last_seen_at, ''), excluded.last_seen_at)""",
            [key, url, now, now, run_id, run_id, moved_from])
        self.db.execute("""update reports set last_run_id = iif(? >= coalesce(last_seen_at, ''), ?, last_run_id),
                           last_seen_at = max(coalesce(last_seen_at, ''), ?),
                           removed_at = iif(? >= coalesce(last_seen_at, ''), null, removed_at)
                           where report_id = ?""", [now, run_id, now, now, report_id])
        return moved_from

    def _elect_current(self, key: str, run_id: str | None, seen_id: str) -> str | None:
        """Make one version of the report current; returns a warning when two documents compete.

        Candidates are the versions seen in this run (without a run, the one just written). A
        version whose documents are all part of another candidate (a PDF the listing links
        directly, and the page that has it as its attachment) is the same report, not a rival.
        Two genuinely different documents (a corrected re-issue beside the original) both stay
        as versions; the later published, then the newer, is current, and the report is flagged.
        """
        versions = {r[0]: r for r in self.db.execute(
            """select report_id, url, published, version_no, last_run_id, payload_sha256, last_seen_at
               from reports where report_key = ?""", [key])}
        # the latest sighting decides: the versions its run saw compete (a chain of an older run
        # ingested late does not unseat them)
        latest = max(versions.values(), key=lambda v: (v[6] or "", v[4] == run_id, v[3] or 0))
        cands = [v for v in versions.values() if run_id is not None and v[4] == latest[4]] \
            or [latest if run_id is not None else versions[seen_id]]
        docs = {v[0]: self._documents(v[0], v[5]) for v in cands}
        cands = [v for v in cands if not any(docs[v[0]] < docs[o[0]] for o in cands)]
        winner = max(cands, key=lambda v: (v[2] or "", v[3] or 0))
        warning = None
        if len(cands) > 1:
            warning = (f"{len(cands)} different documents for one agency-year, kept as versions "
                       f"(current: {winner[1]}): " + ", ".join(sorted(v[1] for v in cands)))
        self.db.execute("update reports set is_current = (report_id = ?) where report_key = ?",
                        [winner[0], key])
        self.db.execute(
            """update report_identities set current_report_id = ?, warning = ?, versions =
               (select count(*) from reports where report_key = ?) where report_key = ?""",
            [winner[0], warning, key, key])
        return warning

    def _documents(self, report_id: str, page_sha256: str) -> frozenset[str]:
        return frozenset([page_sha256, *(r[0] for r in self.db.execute(
            "select payload_sha256 from attachments where report_id = ?", [report_id]) if r[0])])

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
        # cross-year results depend on the neighbouring years, not on this document
        checks_now = {(c["check_id"], c["status"], c["detail"]) for c in self.db.query(
            "select * from checks where report_id = ? and kind != 'cross_year'", [report_id])}
        checks_new = {(c["id"], c.get("status"), c.get("detail")) for c in report.get("checks") or []
                      if c.get("kind") != "cross_year"}
        sections_now = {(x["section_id"], x["text"]) for x in self.db.query(
            "select * from sections where report_id = ?", [report_id])}
        sections_new = {(k, v) for k, v in (report.get("sections") or {}).items() if v}
        return meta_same and cells_now == cells_new and checks_now == checks_new and sections_now == sections_new

    # --- report chains: the crawl's hand-over to ingest -------------------------------------------

    def record_chain(self, row: dict) -> None:
        """A report page and its attachments as captured (``chain_id`` makes a repeat a no-op)."""
        row = dict(row, attachments=json.dumps(row.get("attachments") or [], ensure_ascii=False),
                   created_at=row.get("created_at") or utcnow())
        self.db.execute(
            """insert into chains (chain_id, run_id, site_id, page_url, page_capture_id, content_type,
               link_text, attachments, open_reason, created_at) values (?,?,?,?,?,?,?,?,?,?)
               on conflict (chain_id) do nothing""",
            [row["chain_id"], row.get("run_id"), row.get("site_id"), row["page_url"],
             row.get("page_capture_id"), row.get("content_type"), row.get("link_text"),
             row["attachments"], row.get("open_reason"), row["created_at"]])
        self.db.conn.commit()

    def pending_chains(self, *, run_id: str | None = None, since: str | None = None,
                       limit: int = 1000) -> list[dict]:
        sql, params = "select * from chains where ingested_at is null", []
        if run_id:
            sql += " and run_id = ?"
            params.append(run_id)
        if since:
            sql += " and created_at >= ?"
            params.append(since)
        rows = list(self.db.query(sql + " order by created_at, rowid limit ?", [*params, limit]))
        for r in rows:
            r["attachments"] = json.loads(r["attachments"] or "[]")
        return rows

    def chain_done(self, chain_id: str, result: str, report_id: str | None) -> None:
        self.db.execute("update chains set ingested_at = ?, result = ?, report_id = ? where chain_id = ?",
                        [utcnow(), result, report_id, chain_id])
        self.db.conn.commit()

    def capture(self, capture_id: str | None) -> dict | None:
        if not capture_id:
            return None
        rows = list(self.db.query("select * from captures where capture_id = ?", [capture_id]))
        return rows[0] if rows else None

    def unchanged_version(self, site_id: str, page_sha256: str, parser_version: str,
                          attachment_sha256s: Iterable[str]) -> dict | None:
        """The stored version with this page content, when tonight's documents add nothing to it.

        Looked up by content, not URL, so a report found at a new address is recognised without
        extracting it again. An attachment that could not be fetched tonight is not a change: the
        stored version stays (a passing outage must not replace a report's tables with a page
        that only says 详见附件); an attachment with bytes the version does not have is one.
        """
        tonight = {a for a in attachment_sha256s if a}
        for row in self.db.query("select * from reports where site_id = ? and payload_sha256 = ? "
                                 "and parser_version = ? order by version_no desc",
                                 [site_id, page_sha256, parser_version]):
            if tonight <= self._documents(row["report_id"], page_sha256):
                return row
        return None

    def known_attachments(self, url: str, payload_sha256: str) -> list[str] | None:
        """Attachment URLs of the stored version with this page content; None if there is none."""
        row = self.db.execute("select report_id from reports where payload_sha256 = ? "
                              "order by url = ? desc, version_no desc limit 1",
                              [payload_sha256, url]).fetchone()
        if row is None:
            return None
        return [r[0] for r in self.db.execute(
            "select url from attachments where report_id = ? order by url", [row[0]])]

    def touch_report(self, report_id: str, url: str | None = None, run_id: str | None = None,
                     seen_at: str | None = None) -> StoredReport:
        """Seen again on its site (at ``url``, perhaps a new one): current again, not removed."""
        key, stored_url = self.db.execute("select report_key, url from reports where report_id = ?",
                                          [report_id]).fetchone()
        with self.writing():
            before = self._current_of(key)
            moved_from = self._seen(key, report_id, url or stored_url, run_id, seen_at)
            warning = self._elect_current(key, run_id, report_id)
            if self._current_of(key) != before:  # back from removal, or another version won
                self.refresh_cross_year(key)
        return StoredReport(report_id, False, key, False, moved_from, warning)

    def _current_of(self, key: str) -> str | None:
        row = self.db.execute("select report_id from reports where report_key = ? and is_current = 1",
                              [key]).fetchone()
        return row[0] if row else None

    # --- cross-year identities ------------------------------------------------------------------

    def refresh_cross_year(self, key: str) -> None:
        """Evaluate the cross-year identities of this report against the agency's year before, and
        of the year after against this one — whenever either side's current version changes."""
        row = self.db.execute("select site_id, agency_key, year from report_identities "
                              "where report_key = ?", [key]).fetchone()
        if row is None or row[2] is None:
            return
        site_id, akey, year = row
        versions = {y: self.db.execute(
            "select report_id, report_no, template from reports where site_id = ? and agency_key = ? "
            "and year = ? and is_current = 1", [site_id, akey, y]).fetchone() for y in (year - 1, year, year + 1)}
        for y in (year, year + 1):
            if versions[y] is not None:
                self._write_cross_year(versions[y], versions[y - 1])

    def _cell_values(self, report_no: int) -> dict[str, Decimal]:
        out = {}
        for cell_id, text in self.db.execute(
                "select d.cell_id, v.value_text from cell_values v join cell_defs d using (cell_no) "
                "where v.report_no = ? and v.value_text is not null", [report_no]):
            try:
                out[cell_id] = Decimal(text)
            except InvalidOperation:
                pass
        return out

    def _write_cross_year(self, this: tuple, prev: tuple | None) -> None:
        """Replace one version's cross-year results. Identities that read cells the previous
        report's template does not have (2021's 现行有效件数 after a 2019-template year) do not
        apply across that template change and are left out, not reported as unknown."""
        report_id, report_no, template = this
        if template not in templates.VERSIONS:
            return
        cross = [i for i in templates.get(template).identities() if i.kind == "cross_year"]
        prev_ids = set(templates.get(prev[2]).cell_ids()) if prev and prev[2] in templates.VERSIONS else set()
        recount = ("update reports set checks_failed = (select count(*) from check_results "
                   "where report_no = ? and status = 'fail') where report_no = ?")
        if prev is None:  # the extractor's own rows stay, as unknown
            self.db.execute("""update check_results set status = 'unknown', detail = ? where report_no = ?
                               and check_no in (select check_no from check_defs where kind = 'cross_year')""",
                            ["the agency's report for the previous year is not in the archive", report_no])
            self.db.execute(recount, [report_no, report_no])
            return
        cells = self._cell_values(report_no)
        prev_cells = self._cell_values(prev[1])
        rows = []
        for ident in cross:
            left, _op, right = identities.parse(ident.expr)
            if any(is_prev and cid not in prev_ids for _s, cid, is_prev in left + right):
                continue
            result = identities.evaluate_identity(ident, cells, prev_cells)
            result["detail"] += f" (previous year: report {prev[0]})"
            rows.append((report_no, self.check_no(ident.id, ident.kind, ident.expr), result["status"],
                         result["detail"]))
        self.db.execute("delete from check_results where report_no = ? and check_no in "
                        "(select check_no from check_defs where kind = 'cross_year')", [report_no])
        self.db.conn.executemany("insert into check_results values (?,?,?,?)", rows)
        self.db.execute(recount, [report_no, report_no])

    def mark_removed(self, site_id: str, seen_urls: Iterable[str], run_id: str | None = None) -> int:
        """Reports of a site that no listing links any more: removed (never deleted).

        A report seen in this run, or linked at any URL it has had, stays. A removed report's
        versions leave the current views (``is_current = 0``); ``report_identities`` keeps which
        version was current.
        """
        seen = set(seen_urls)
        gone = []
        for key, last_run in self.db.execute(
                "select report_key, last_run_id from report_identities where site_id = ? "
                "and removed_at is null", [site_id]).fetchall():
            if run_id is not None and last_run == run_id:
                continue
            urls = {r[0] for r in self.db.execute("select url from report_urls where report_key = ?",
                                                  [key])}
            if not urls & seen:
                gone.append(key)
        now = utcnow()
        with self.writing():
            for key in gone:
                self.db.execute("update report_identities set removed_at = ? where report_key = ?",
                                [now, key])
                self.db.execute("update reports set removed_at = ?, is_current = 0 "
                                "where report_key = ? and is_current = 1", [now, key])
                self.refresh_cross_year(key)  # the next year's report lost its previous year
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
# --- m005: what changed between versions (issue 15) — a self-contained block -------------------

CHANGE_KINDS = ("new", "changed", "moved", "removed", "markup-only")


@migrations()
def m005_changes(db: Database) -> None:
    """One row per change a crawl found: a report new, changed, moved, removed, or re-marked-up only.

    Written by ``govcrawl.archive.changes`` at the end of a run; ``from_version``/``to_version`` are
    the report versions compared (``report_id``), so the diff can be recomputed at any time.
    """
    x = db.execute
    x("""create table changes (change_id text primary key, run_id text, detected_at text not null,
         site_id text, report_key text, kind text not null, from_version text, to_version text,
         from_url text, to_url text, year integer, agency text, title text,
         cells_changed integer not null default 0, checks_flipped integer not null default 0,
         sections_changed integer not null default 0, attachments_changed integer not null default 0,
         significance integer not null default 0, summary text)""")
    x("create index changes_detected on changes(detected_at)")
    x("create index changes_site on changes(site_id, detected_at)")
    x("create index changes_report on changes(report_key, detected_at)")  # a report's last change
    cols = """c.change_id, c.detected_at, c.kind, c.site_id, s.name as site_name, s.division_code,
       c.year, c.agency, c.title, c.cells_changed, c.checks_flipped, c.sections_changed,
       c.attachments_changed, c.summary, c.from_url, c.to_url, c.from_version, c.to_version,
       c.significance, c.run_id"""
    x(f"""create view changes_latest_run as select {cols}
          from changes c left join sites s using (site_id)
          where c.run_id = (select run_id from runs order by started_at desc, rowid desc limit 1)
          order by c.significance desc, c.site_id, c.year""")
    x(f"""create view changes_last_30_days as select {cols}
          from changes c left join sites s using (site_id)
          where c.detected_at >= strftime('%Y-%m-%dT%H:%M:%S', 'now', '-30 days')
            and c.kind != 'markup-only'
          order by c.detected_at desc, c.significance desc""")


def _change_row(change: dict) -> dict:
    keys = ("change_id", "run_id", "detected_at", "site_id", "report_key", "kind", "from_version",
            "to_version", "from_url", "to_url", "year", "agency", "title", "cells_changed",
            "checks_flipped", "sections_changed", "attachments_changed", "significance", "summary")
    return {k: change.get(k) for k in keys}


def record_changes(archive: "Archive", changes: list[dict]) -> int:
    """Write the changes a run found, in one transaction (an id seen before is replaced)."""
    with archive.db.atomic():
        for c in changes:
            archive.db["changes"].upsert(_change_row(c), pk="change_id")
    return len(changes)


# --- site state (m006): the column each site was found to have, and its health per night ------

@migrations()
def m006_site_state(db: Database) -> None:
    """Where each site's 年报 column is (found by the crawler), how each site fared each night, and
    which unit each report belongs to.

    ``site_state`` is one row per site: the column URLs and platform the finder settled on, the
    evidence, when it was found and last checked, and the latest health (ok / moved / dead /
    blocked / no column) with the new URL of a moved site. ``site_health`` keeps every night's
    verdict so changes can be listed. ``department_proposals`` holds departments seen on portals'
    部门 pages until an operator reviews them; nothing there is crawled. ``sites`` gains the
    registry's portal, valid years and successors, and the ``report_units`` view attributes each
    report to the unit that existed in its year.
    """
    db.execute("""create table if not exists site_state (site_id text primary key, column_urls text,
        platform text, evidence text, found_at text, checked_at text, health text, detail text,
        new_url text, run_id text)""")
    db.execute("""create table if not exists site_health (run_id text not null, site_id text not null,
        health text not null, detail text, new_url text, at text, primary key (run_id, site_id))""")
    db.execute("create index if not exists site_health_site on site_health(site_id, at)")
    db.execute("""create table if not exists department_proposals (parent_id text not null,
        url text not null, name text, found_on text, found_at text, primary key (parent_id, url))""")
    for column, kind in (("portal_url", "text"), ("valid_from", "integer"), ("valid_to", "integer"),
                         ("successors", "text")):
        db.execute(f"alter table sites add column {column} {kind}")
    db.execute(REPORT_UNITS_VIEW)


# A report belongs to the unit that existed in its year: a retired unit's later reports go to its
# one successor (渝北区 500112 → 两江新区 500157 from 2025), a new unit's earlier ones to the one
# unit it replaced; otherwise (departments, no year, ambiguous) to the site that published it.
REPORT_UNITS_VIEW = """create view if not exists report_units as
select r.report_id, r.site_id, r.year, u.site_id as unit_site_id, u.division_code as unit_division_code,
       u.name as unit_name
from reports r join sites s on s.site_id = r.site_id
join sites u on u.site_id = coalesce(
  case when r.year is null or s.level = 'department'
         or ((s.valid_from is null or r.year >= s.valid_from) and (s.valid_to is null or r.year <= s.valid_to))
       then s.site_id end,
  (select case when count(*) = 1 then max(t.site_id) end from sites t
    where t.level != 'department'
      and ((s.valid_to is not null and r.year > s.valid_to
            and instr(' ' || coalesce(s.successors, '') || ' ', ' ' || t.division_code || ' ') > 0)
        or (s.valid_from is not null and r.year < s.valid_from
            and instr(' ' || coalesce(t.successors, '') || ' ', ' ' || s.division_code || ' ') > 0))
      and (t.valid_from is null or r.year >= t.valid_from) and (t.valid_to is null or r.year <= t.valid_to)),
  s.site_id)"""


HEALTH = ("ok", "moved", "dead", "blocked", "no column")


class SiteStateStore:
    """Reads and writes the m006 tables; ``Archive.site_states`` hands one out."""

    def __init__(self, db: Database):
        self.db = db

    def get(self, site_id: str) -> dict | None:
        rows = list(self.db.query("select * from site_state where site_id = ?", [site_id]))
        if not rows:
            return None
        row = rows[0]
        row["column_urls"] = (row["column_urls"] or "").split()
        row["evidence"] = json.loads(row["evidence"]) if row["evidence"] else {}
        return row

    def all(self) -> dict[str, dict]:
        return {r["site_id"]: r for r in self.db.query("select * from site_state")}

    def save_column(self, site_id: str, urls: list[str], platform: str, evidence: dict,
                    found_at: str, run_id: str) -> None:
        self.db["site_state"].upsert(
            {"site_id": site_id, "column_urls": " ".join(urls), "platform": platform,
             "evidence": json.dumps(evidence, ensure_ascii=False, sort_keys=True),
             "found_at": found_at, "run_id": run_id}, pk="site_id")

    def record_health(self, run_id: str, verdicts: dict[str, tuple[str, str, str | None]]) -> None:
        """One night's verdicts, {site_id: (health, detail, new_url)}: history and latest state."""
        now = utcnow()
        with self.db.atomic():
            for site_id, (health, detail, new_url) in verdicts.items():
                if health not in HEALTH:
                    raise ValueError(f"unknown health {health!r} for {site_id}")
                self.db.execute(
                    "insert or replace into site_health values (?, ?, ?, ?, ?, ?)",
                    [run_id, site_id, health, detail, new_url, now])
                self.db.execute(
                    """insert into site_state (site_id, checked_at, health, detail, new_url, run_id)
                       values (?, ?, ?, ?, ?, ?) on conflict(site_id) do update set
                       checked_at = excluded.checked_at, health = excluded.health,
                       detail = excluded.detail, new_url = excluded.new_url""",
                    [site_id, now, health, detail, new_url, run_id])

    def changes(self) -> list[dict]:
        """Sites whose health differs from their previous night's verdict."""
        return list(self.db.query("""
            with ranked as (select h.*, row_number() over (partition by site_id order by at desc, run_id desc) as n
                            from site_health h)
            select now.site_id, now.health, now.detail, now.new_url, prev.health as previous
            from ranked now left join ranked prev on prev.site_id = now.site_id and prev.n = 2
            where now.n = 1 and prev.health is not null and prev.health != now.health
            order by now.site_id"""))

    def propose_departments(self, parent_id: str, found: list[dict]) -> int:
        """Departments seen on a portal, kept for review (existing proposals are left alone)."""
        now = utcnow()
        before = self.db.execute("select count(*) from department_proposals").fetchone()[0]
        with self.db.atomic():
            for d in found:
                self.db.execute("insert or ignore into department_proposals values (?, ?, ?, ?, ?)",
                                [parent_id, d["url"], d["name"], d.get("found_on", ""), now])
        return self.db.execute("select count(*) from department_proposals").fetchone()[0] - before

    def department_proposals(self) -> list[dict]:
        return list(self.db.query("select * from department_proposals order by parent_id, url"))
