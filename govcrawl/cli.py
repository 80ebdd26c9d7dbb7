"""Command-line front end: parses arguments and calls the library. No logic lives here."""
from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

DEFAULT_SITES = "data/sites.csv"
DEFAULT_DB = "data/archive.db"
DEFAULT_WARC = "data/warc"
DEFAULT_EXPORTS = "data/exports"
DEFAULT_REPORT = "data/report"


def cmd_audit(args) -> int:
    from govcrawl.research.audit import Selection, run_audit, scorecard, site_names
    from govcrawl.research.timelines import refresh

    selection = Selection(sites=args.site or [], years=args.year or [], division=args.division)
    findings = run_audit(args.db, selection)
    refresh(args.db)
    if not findings:
        print("no current report matches; nothing to audit")
        return 0
    print(scorecard(findings, site_names(args.db), every=args.all))
    print(f"\n{len(findings)} findings stored in audit_findings (views audit_scorecard, audit_failures; "
          "timelines in agency_timeline)")
    return 0


def cmd_crawl(args) -> int:
    from govcrawl.crawl.runner import crawl_settings, run_crawl
    from govcrawl.crawl.summary import format_summary

    overrides = dict(kv.split("=", 1) for kv in args.set or [])
    settings = crawl_settings(sites=args.sites, db=args.db, warc_dir=args.warc_dir,
                              site_ids=args.site or (), delay=args.delay,
                              max_runtime=args.max_runtime, log_file=args.log_file,
                              overrides=overrides)
    summary = run_crawl(settings)
    if summary is None:
        print("govcrawl: the crawl ended before it could summarise; see the log", file=sys.stderr)
        return 1
    print(format_summary(summary))
    failed = summary["failed_sites"]
    if failed:
        print(f"govcrawl: {len(failed)} site(s) failed entirely: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def cmd_demo(args) -> int:
    from govcrawl.demo.runner import run_demo

    return run_demo(db=Path(args.db), out=Path(args.out), warc_dir=Path(args.warc_dir))


def cmd_extract(args) -> int:
    from govcrawl.extract import UnreadableDocument, extract_file, format_text

    try:
        report = extract_file(args.path, url=args.url)
    except (UnreadableDocument, OSError) as exc:
        print(f"govcrawl extract: cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    if args.format == "text":
        print(format_text(report))
    else:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    return 0


def cmd_export(args) -> int:
    from govcrawl.research.export import Filters, export

    filters = Filters(years=args.year or [], division=args.division, template=args.template,
                      sites=args.site or [], only_consistent=args.only_consistent)
    counts = export(args.db, args.out, fmt=args.format, wide=args.wide, excel=args.excel, filters=filters)
    for name, n in counts.items():
        print(f"{Path(args.out) / name}: {n} rows")
    print(f"{Path(args.out) / 'codebook.csv'}, {Path(args.out) / 'datapackage.json'}: column descriptions")
    return 0


def cmd_query(args) -> int:
    from govcrawl.research.query import ReadOnlyError, format_rows, run_query

    try:
        columns, rows = run_query(args.db, args.sql)
    except ReadOnlyError as exc:
        print(f"govcrawl query: {exc}", file=sys.stderr)
        return 3
    except (FileNotFoundError, sqlite3.Error) as exc:
        print(f"govcrawl query: {exc}", file=sys.stderr)
        return 2
    print(format_rows(columns, rows, args.format))
    return 0


def cmd_serve(args) -> int:
    from govcrawl.research.serve import serve

    return serve(args.db, port=args.port)


def cmd_replay(args) -> int:
    from govcrawl.archive.replay import NotArchived, find_capture, payload
    from govcrawl.archive.store import Archive

    archive = Archive(args.db)
    try:
        capture = find_capture(archive, args.url, args.at)
        body = payload(archive, args.warc_dir, capture)
    except NotArchived as exc:
        print(f"govcrawl replay: {exc}", file=sys.stderr)
        return 1
    finally:
        archive.close()
    print(f"# {capture['url']} status {capture['status']} fetched {capture['fetched_at']} "
          f"sha256 {capture['payload_sha256']} ({capture['warc_file']}@{capture['warc_offset']})",
          file=sys.stderr)
    sys.stdout.buffer.write(body)
    return 0


def cmd_reextract(args) -> int:
    from govcrawl.archive.reextract import reextract

    def progress(row, changed):
        print(f"  {'changed  ' if changed else 'unchanged'} {row['site_id']} {row['url']}", file=sys.stderr)

    summary = reextract(args.db, args.warc_dir, site_ids=args.site, since=args.since, progress=progress)
    print(summary)
    return 1 if summary.failed else 0


def cmd_report(args) -> int:
    from govcrawl.research.audit import Selection, run_audit
    from govcrawl.research.report import build_pages
    from govcrawl.research.timelines import refresh

    run_audit(args.db, Selection(division=args.division))  # the compliance charts read the audit
    refresh(args.db)
    try:
        files = build_pages(args.db, args.out, division=args.division or "", site=args.site)
    except KeyError:
        print(f"govcrawl report: no site {args.site!r} in the archive's registry", file=sys.stderr)
        return 2
    print(f"{files[0]}  (open it in a browser; it needs no network)")
    if len(files) > 1:
        print(f"{len(files) - 1} agency pages beside it: {', '.join(f.name for f in files[1:4])}"
              + (" …" if len(files) > 4 else ""))
    return 0


def cmd_runs(args) -> int:
    import sqlite3

    from govcrawl.crawl.summary import format_summary

    conn = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True)
    rows = conn.execute("select run_id, started_at, ended_at, status, summary from runs "
                        "order by started_at desc limit ?", [args.last]).fetchall()
    conn.close()
    if not rows:
        print("no crawl has run on this archive yet")
        return 0
    for run_id, started, ended, status, _ in rows:
        print(f"{run_id}  {started}  →  {ended or '…':<25}  {status}")
    latest = rows[0][4]
    if latest:
        print()
        print(format_summary(json.loads(latest)))
    return 0


def cmd_sites(args) -> int:
    from govcrawl.registry import load_sites

    sites = load_sites(args.sites)
    for s in sites:
        print(f"{s.site_id:<24} {s.division_code} {s.level:<10} {'✓' if s.verified else ' '} {s.name}")
    print(f"{len(sites)} sites in {args.sites}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="govcrawl",
        description="Archive and extract 政府信息公开工作年度报告 (government information-disclosure annual reports).",
    )
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    a = sub.add_parser("audit", help="audit every current report (on time, sections, tables, fees, text vs tables, identities): a scorecard per agency")
    a.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    a.add_argument("--site", action="extend", nargs="+", metavar="ID", help="only these registry ids")
    a.add_argument("--year", type=int, action="extend", nargs="+", help="only these report years")
    a.add_argument("--division", metavar="PREFIX", help="administrative division code prefix: 50, 5001, 500112")
    a.add_argument("--all", action="store_true", help="list every finding (pass, unknown, n/a too), not only failures")
    a.set_defaults(func=cmd_audit, needs_archive=True)

    c = sub.add_parser("crawl", help="crawl the registry's sites: archive every response, extract reports into SQLite")
    c.add_argument("--sites", default=DEFAULT_SITES, help=f"site registry CSV (default {DEFAULT_SITES})")
    c.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    c.add_argument("--site", action="extend", nargs="+", metavar="ID", help="crawl only these registry ids (--site a b, or --site a --site b)")
    c.add_argument("--warc-dir", default=DEFAULT_WARC, help=f"where WARC files go (default {DEFAULT_WARC})")
    c.add_argument("--delay", type=float, default=None, help="seconds between requests to one site (default from settings: 1.0, AutoThrottle on)")
    c.add_argument("--max-runtime", type=float, metavar="SECONDS", help="stop the crawl cleanly after this long (resume on the next run)")
    c.add_argument("--log-file", help="write the crawl log to this file instead of stderr")
    c.add_argument("-s", "--set", action="append", metavar="NAME=VALUE", help="override a Scrapy/govcrawl setting")
    c.set_defaults(func=cmd_crawl)

    d = sub.add_parser("demo", help="serve the bundled offline mirror on 127.0.0.x, crawl it, export CSV, print a summary")
    d.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    d.add_argument("--out", default=DEFAULT_EXPORTS, help=f"CSV export folder (default {DEFAULT_EXPORTS})")
    d.add_argument("--warc-dir", default=DEFAULT_WARC, help=f"where WARC files go (default {DEFAULT_WARC})")
    d.set_defaults(func=cmd_demo)

    e = sub.add_parser("extract", help="extract one saved document (.html/.pdf/.docx) offline and print JSON or text")
    e.add_argument("path", help="the saved document")
    e.add_argument("--url", help="the document's original URL (resolves relative links, images)")
    e.add_argument("--format", choices=["json", "text"], default="json")
    e.set_defaults(func=cmd_extract)

    x = sub.add_parser("export", help="write CSV or JSON Lines (long or wide) with a codebook and datapackage.json")
    x.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    x.add_argument("--out", default=DEFAULT_EXPORTS, help=f"output folder (default {DEFAULT_EXPORTS})")
    x.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    x.add_argument("--wide", action="store_true", help="one row per report, a column per template cell")
    x.add_argument("--year", type=int, action="extend", nargs="+", help="only these report years")
    x.add_argument("--division", metavar="PREFIX", help="administrative division code prefix: 50, 5001, 500112")
    x.add_argument("--template", choices=["2019", "2021", "pre2019", "unknown"])
    x.add_argument("--site", action="extend", nargs="+", metavar="ID", help="only these registry ids")
    x.add_argument("--only-consistent", action="store_true", help="skip reports with a failed printed or structural check")
    x.add_argument("--excel", action="store_true", help="add a UTF-8 BOM so Excel shows Chinese correctly")
    x.set_defaults(func=cmd_export, needs_archive=True)

    q = sub.add_parser("query", help="run one read-only SQL statement on the archive")
    q.add_argument("sql", help='e.g. "select year, count(*) from reports where is_current group by year"')
    q.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    q.add_argument("--format", choices=["table", "csv", "json"], default="table")
    q.set_defaults(func=cmd_query)

    v = sub.add_parser("serve", help="browse the archive in Datasette (read-only, http://127.0.0.1:PORT)")
    v.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    v.add_argument("--port", type=int, default=8001, help="port on 127.0.0.1 (default 8001)")
    v.set_defaults(func=cmd_serve, needs_archive=True)

    r = sub.add_parser("replay", help="print an archived capture's body from the WARC files (no network)")
    r.add_argument("url")
    r.add_argument("--at", metavar="DATE", help="the newest capture at or before this ISO date/time")
    r.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    r.add_argument("--warc-dir", default=DEFAULT_WARC, help=f"WARC folder (default {DEFAULT_WARC})")
    r.set_defaults(func=cmd_replay, needs_archive=True)

    rx = sub.add_parser("reextract", help="re-run extraction on archived captures (after a parser upgrade); no network")
    rx.add_argument("--site", action="extend", nargs="+", metavar="ID", help="only these registry ids")
    rx.add_argument("--since", metavar="DATE", help="only reports fetched at or after this ISO date")
    rx.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    rx.add_argument("--warc-dir", default=DEFAULT_WARC, help=f"WARC folder (default {DEFAULT_WARC})")
    rx.set_defaults(func=cmd_reextract, needs_archive=True)

    rp = sub.add_parser("report", help="write a static HTML page of charts (offline, no script) for a division or one agency")
    rp.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    rp.add_argument("--division", metavar="PREFIX", help="administrative division code prefix: 50, 5001, 500112")
    rp.add_argument("--site", metavar="ID", help="one agency's page only")
    rp.add_argument("--out", default=DEFAULT_REPORT, help=f"output folder (default {DEFAULT_REPORT})")
    rp.set_defaults(func=cmd_report, needs_archive=True)

    ru = sub.add_parser("runs", help="list recent crawl runs and print the latest one's summary")
    ru.add_argument("--db", default=DEFAULT_DB, help=f"SQLite archive (default {DEFAULT_DB})")
    ru.add_argument("--last", type=int, default=10, help="how many runs to list (default 10)")
    ru.set_defaults(func=cmd_runs, needs_archive=True)

    s = sub.add_parser("sites", help="validate the site registry and list its rows")
    s.add_argument("--sites", default=DEFAULT_SITES, help=f"site registry CSV (default {DEFAULT_SITES})")
    s.set_defaults(func=cmd_sites)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from govcrawl.registry import RegistryError
    from govcrawl.crawl.run import ArchiveLocked

    if getattr(args, "needs_archive", False) and not Path(args.db).exists():
        print(f"govcrawl {args.command}: no archive at {args.db}; run `govcrawl crawl` or "
              "`govcrawl demo` first", file=sys.stderr)
        return 2
    try:
        status = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it cannot be caught
        return status
    except (RegistryError, ArchiveLocked) as exc:
        print(f"govcrawl: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `govcrawl runs | head`: the reader has gone; stop quietly, as `yes | head` does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush cannot fail again
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
