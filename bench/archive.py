"""Benchmark the research archive at scale: python bench/archive.py [--reports N] [--db PATH].

Builds a synthetic archive with the real schema (``Archive`` runs the migrations) and realistic
content: every template cell (198 for 2019, 200 for 2021), the template's checks evaluated by
``govcrawl.checks`` (48 / 50 per report), ~1,500 characters of section text, one capture row.
Rows go in through bulk inserts, not ``save_report``. Then it times a wide export of everything,
a rollup by province and year, and full-text phrase queries, and prints the size per report.

Targets: export >= 20,000 reports/s, rollup < 1 s, FTS < 100 ms, <= 20 KB per report.
"""
from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from govcrawl import checks, templates  # noqa: E402
from govcrawl.research.export import export  # noqa: E402
from govcrawl.archive.store import WIDE_TABLES, Archive, report_id_for, wide_cell_defs  # noqa: E402

SENTENCES = [
    "根据《中华人民共和国政府信息公开条例》和上级有关文件要求，现将{a}{y}年政府信息公开工作年度报告如下",
    "本年度共收到依申请公开{n}件，均在法定期限内答复", "我局紧紧围绕区委、区政府决策部署，及时将各项工作落实措施及执行情况向社会公开",
    "重点加强对民政民生领域的信息公开，以养老、社会福利、社区建设、社会救助等与人民群众切身利益密切相关的政策信息为重点",
    "全年主动公开政府信息{n}条，其中规范性文件{m}件", "未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况",
    "进一步规范依申请公开办理流程，严格落实登记、审核、办理、答复、归档等环节", "通过政府网站、政务新媒体、新闻发布会等渠道及时发布权威信息",
    "加强政府信息公开平台建设，优化栏目设置，提升检索功能", "健全监督保障机制，将政府信息公开工作纳入年度绩效考核",
    "存在的主要问题是主动公开的深度和广度还不够，政策解读形式较为单一", "下一步将加强业务培训，提高工作人员的业务能力和水平",
    "本年度未收取信息处理费", "因政府信息公开工作被申请行政复议{m}件，结果维持{m}件", "{a}办公室负责本机关政府信息公开的日常工作",
    "围绕“放管服”改革、优化营商环境等重点领域，加大信息公开力度", "严格执行保密审查制度，做到先审查后公开、一事一审、全面审查",
    "及时更新政府信息公开指南和目录，方便公众查阅", "积极回应社会关切，对涉及群众切身利益的重要政策及时解读",
    "主动接受社会监督，畅通意见建议渠道，全年未发生责任追究情况",
]
PLACES = ["渝北区", "万州区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "北碚区", "长寿区", "江津区", "合川区"]
AGENCIES = ["民政局", "财政局", "教育委员会", "卫生健康委员会", "住房和城乡建设委员会", "生态环境局", "交通局",
            "市场监督管理局", "人力资源和社会保障局", "自然资源局", "农业农村委员会", "司法局"]


def synthetic_payload(rng: random.Random, version: str) -> dict:
    """Cells for one report of ``version`` whose printed and structural identities hold."""
    t = templates.get(version)
    values: dict[str, int] = {}
    for b in t.table2:
        for r in b.rows:
            for c in b.columns:
                values[f"t2.{b.id}.{r.id}.{c.id}"] = rng.choice([0, 0, 1, 3, 12, 57, 140])
    leaves = [r.id for r in t.t3_rows if r.id not in ("new", "carry_in", "handled_total", "carry_out")]
    parts = [c.id for c in t.t3_columns if c.id != "total"]
    for c in parts:
        handled = {r: (rng.choice([0, 0, 0, 1, 2, 5]) if r != "open" else rng.randint(0, 40)) for r in leaves}
        total, carry_out = sum(handled.values()), rng.choice([0, 0, 1])
        carry_in = rng.choice([0, 0, 1])
        values.update({f"t3.{r}.{c}": v for r, v in handled.items()})
        values.update({f"t3.new.{c}": total + carry_out - carry_in, f"t3.carry_in.{c}": carry_in,
                       f"t3.handled_total.{c}": total, f"t3.carry_out.{c}": carry_out})
    for r in t.t3_rows:
        values[f"t3.{r.id}.total"] = sum(values[f"t3.{r.id}.{c}"] for c in parts)
    for g in ("rev", "lit_direct", "lit_after_review"):
        leaf = {o: rng.choice([0, 0, 0, 1, 2]) for o in ("maintain", "correct", "other", "pending")}
        values.update({f"t4.cases.{g}_{o}": v for o, v in leaf.items()})
        values[f"t4.cases.{g}_total"] = sum(leaf.values())
    if rng.random() < 0.05:  # a misprinted total, as in real reports
        values["t3.handled_total.total"] += 1
    cells = {}
    for cell_id, meta in t.cells():
        row = meta["row"]
        cells[cell_id] = {"value": values[cell_id], "raw": str(values[cell_id]), "unit": meta["col"].unit,
                          "null_reason": None, "row_label": row.label if row else None,
                          "col_label": meta["col"].label}
    return {"template": version, "cells": cells, "checks": checks.evaluate(version, values)}


def sections(rng: random.Random, agency: str, year: int) -> dict[str, str]:
    def text(k):
        return "。".join(rng.choice(SENTENCES).format(a=agency, y=year, n=rng.randint(1, 300),
                                                       m=rng.randint(0, 9)) for _ in range(k)) + "。"
    return {"s1": text(16), "s2": text(2), "s3": text(4), "s4": text(2), "s5": text(6), "s6": text(1)}


def build(db: Path, n: int, seed: int = 7) -> float:
    rng = random.Random(seed)
    archive = Archive(db)
    pool = [synthetic_payload(rng, "2019" if i % 2 else "2021") for i in range(60)]
    conn = archive.db.conn
    conn.execute("PRAGMA synchronous = OFF")
    sites = [(f"site{i:04d}", f"{PLACES[i % 10]}{AGENCIES[i % 12]}",
              f"{11 + i % 31:02d}{1 + i // 31 % 20:02d}{1 + i % 17:02d}") for i in range(2000)]
    conn.executemany("insert into sites (site_id, name, level, division_code) values (?, ?, 'department', ?)",
                     sites)
    wide_cols = {no: (tbl, cid) for no, cid, tbl in
                 ((d["cell_no"], d["cell_id"], d["tbl"]) for d in wide_cell_defs(archive.db))}
    prepared = []
    for p in pool:
        rows = list(archive.cell_rows(0, p["cells"]))
        wide = {t: [(cid, r[2]) for r in rows if r[1] in wide_cols
                    for tb, cid in [wide_cols[r[1]]] if tb == t] for t in WIDE_TABLES}
        prepared.append((p, [r[1:] for r in rows], [r[1:] for r in archive.check_rows(0, p["checks"])], wide))
    wide_sql = {t: f"insert into wide_{t} (report_no, {', '.join(repr_q(c) for c, _ in prepared[0][3][t])}) "
                   f"values (?{', ?' * len(prepared[0][3][t])})" for t in WIDE_TABLES}
    wide_sql_by_version = {}
    for p, _c, _k, wide in prepared:
        wide_sql_by_version.setdefault(p["template"], {
            t: f"insert into wide_{t} (report_no, {', '.join(repr_q(c) for c, _ in wide[t])}) "
               f"values (?{', ?' * len(wide[t])})" for t in WIDE_TABLES})
    del wide_sql
    start = time.perf_counter()
    batch = 2000
    for first in range(1, n + 1, batch):
        reports, cells, check_rows, secs, caps = [], [], [], [], []
        wide = {(v, t): [] for v in ("2019", "2021") for t in WIDE_TABLES}
        for no in range(first, min(first + batch, n + 1)):
            p, crow, krow, w = prepared[no % len(prepared)]
            site_id, name, _code = sites[no % len(sites)]
            year = 2021 + no // 2 % 4 if p["template"] == "2021" else 2019 + no // 2 % 2
            url = f"http://www.example.gov.cn/{site_id}/{no}.html"
            sha = hashlib.sha256(url.encode()).hexdigest()
            rid = report_id_for(site_id, url, sha)
            title = f"{name}{year}年政府信息公开工作年度报告"
            reports.append((rid, no, site_id, url, title, name, year, f"{year + 1}-01-20", p["template"],
                            "report", "", 1, sha, f"c{no}", "2026-01-01T00:00:00+00:00",
                            "bench.warc.gz", no * 4096, "bench/1", len(crow),
                            sum(1 for c in p["checks"] if c["status"] == "fail"), "[]", "[]", "[]", url))
            caps.append((f"c{no}", "r", site_id, url, "GET", 200, "2026-01-01T00:00:00+00:00", "text/html",
                         40000, sha, "response", "bench.warc.gz", no * 4096, 12000))
            cells += [(no, *r) for r in crow]
            check_rows += [(no, *r) for r in krow]
            secs += [(rid, sid, text) for sid, text in sections(rng, name, year).items()]
            for t in WIDE_TABLES:
                wide[(p["template"], t)].append((no, *(v for _c, v in w[t])))
        with conn:
            conn.executemany(
                "insert into reports (report_id, report_no, site_id, url, title, agency, year, published, "
                "template, kind, reason, is_current, payload_sha256, capture_id, fetched_at, warc_file, "
                "warc_offset, parser_version, cells_found, checks_failed, warnings, images, extra_tables, "
                f"tables_from) values ({', '.join('?' * 24)})", reports)
            conn.executemany(
                "insert into captures (capture_id, run_id, site_id, url, method, status, fetched_at, mime, "
                f"length, payload_sha256, record_type, warc_file, warc_offset, warc_length) "
                f"values ({', '.join('?' * 14)})", caps)
            conn.executemany("insert into cell_values values (?,?,?,?,?,?,?,?,?)", cells)
            conn.executemany("insert into check_results values (?,?,?,?)", check_rows)
            conn.executemany("insert into sections (report_id, section_id, text) values (?,?,?)", secs)
            for (version, t), rows in wide.items():
                if rows:
                    conn.executemany(wide_sql_by_version[version][t], rows)
    elapsed = time.perf_counter() - start
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    archive.close()
    return elapsed


def repr_q(name: str) -> str:
    return '"' + name + '"'


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--db", help="where to build the archive (default: a temporary folder)")
    args = ap.parse_args(argv)
    tmp = tempfile.TemporaryDirectory()
    db = Path(args.db) if args.db else Path(tmp.name) / "bench.db"
    if db.exists():
        sys.exit(f"{db} exists; pass a new path")
    load = build(db, args.reports)
    n = args.reports
    print(f"built {n:,} reports in {load:.1f} s ({n / load:,.0f} reports/s, bulk inserts)")

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    size = conn.execute("select page_count * page_size from pragma_page_count, pragma_page_size").fetchone()[0]
    captures = 0
    try:
        by_table = conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc").fetchall()
        captures = sum(b for name, b in by_table if name.startswith(("captures", "sqlite_autoindex_captures")))
    except sqlite3.OperationalError:
        by_table = []
    print(f"database: {size / 1e6:,.0f} MB, {(size - captures) / n / 1024:.1f} KB per report excluding "
          f"the captures index ({size / n / 1024:.1f} KB with it); target <= 20 KB")
    for name, b in by_table[:12]:
        print(f"  {name:<36} {b / n:8,.0f} B/report")

    out = Path(tmp.name) / "export"
    t, counts = timed(lambda: export(db, out, wide=True))
    print(f"wide CSV export of {counts['reports_wide.csv']:,} reports: {t:.2f} s "
          f"({counts['reports_wide.csv'] / t:,.0f} reports/s; target >= 20,000)")
    t, rows = timed(lambda: conn.execute("select * from rollup_province_year").fetchall())
    print(f"rollup by province and year ({len(rows)} groups): {t * 1000:.0f} ms (target < 1 s)")
    t, rows = timed(lambda: conn.execute("select * from rollup_year").fetchall())
    print(f"rollup by year ({len(rows)} groups): {t * 1000:.0f} ms")
    for phrase, sql in [
        ("依申请公开 (first 20 reports)", """select r.report_id, r.title from sections_fts
            join sections s on s.section_no = sections_fts.rowid join reports r on r.report_id = s.report_id
            where sections_fts match '"依申请公开"' limit 20"""),
        ("行政复议 (first 20 reports)", """select s.report_id from sections_fts
            join sections s on s.section_no = sections_fts.rowid
            where sections_fts match '"行政复议"' limit 20"""),
        ("未收取信息处理费 (count all)", """select count(*) from sections_fts
            where sections_fts match '"未收取信息处理费"'"""),
        ("title 民政局2021 (count all)", """select count(*) from reports_fts
            where reports_fts match '"民政局2021"'"""),
    ]:
        conn.execute(sql).fetchall()  # first touch of the index pages
        t, rows = timed(lambda: conn.execute(sql).fetchall())
        print(f"FTS {phrase}: {t * 1000:.1f} ms ({rows[0] if len(rows) == 1 else len(rows)} rows; target < 100 ms)")
    conn.close()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
