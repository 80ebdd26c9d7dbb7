"""On the demo archive, as a new user meets it: `govcrawl demo`, then audit, report, timelines, README."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from govcrawl.demo.runner import missing_reports, run_demo
from helpers import DEMO, ROOT, crawl_env, query

EXPECTED = json.loads((DEMO / "EXPECTED.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`govcrawl demo` into a temporary folder (a free port, so parallel runs do not collide)."""
    tmp = tmp_path_factory.mktemp("demo")
    status = run_demo(db=tmp / "data" / "archive.db", out=tmp / "data" / "exports",
                      warc_dir=tmp / "data" / "warc", delay=0, port=0)
    return {"status": status, "db": tmp / "data" / "archive.db", "exports": tmp / "data" / "exports",
            "root": tmp}


def govcrawl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "govcrawl.cli", *args], cwd=ROOT, env=crawl_env(),
                          capture_output=True, text=True, timeout=120)


def test_demo_exits_0_and_writes_csv_with_a_bom_for_excel(demo):
    assert demo["status"] == 0
    for name in ("reports.csv", "cells.csv", "checks.csv", "audit.csv", "timelines.csv", "codebook.csv"):
        assert (demo["exports"] / name).read_bytes().startswith(b"\xef\xbb\xbf"), name


def test_demo_check_names_a_report_the_archive_does_not_hold(demo, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(demo["db"], db)
    assert missing_reports(db) == []
    conn = sqlite3.connect(db)
    conn.execute("update reports set is_current = 0 where url like '%/t20240227_3350021.html'")
    conn.commit()
    conn.close()
    (gone,) = missing_reports(db)
    assert (gone["site_dir"], gone["year"]) == ("lzsw", 2023)


def test_audit_failures_on_the_demo_are_exactly_the_ones_the_mirror_was_given(demo):
    failed = {(r["url"].split("/", 3)[3], r["rule"]) for r in query(demo["db"], "select * from audit_failures")}
    expected = {(r["path"].lstrip("/"), rule) for r in EXPECTED["reports"] if r["crawlable"]
                for rule in r["audit_failing"]}
    assert expected >= {("zwgk/zfxxgknb/202402/t20240227_3350021.html", "on_time"),
                        ("html/2021/zfxxgknb_0126/39042.html", "sections")}
    assert failed == expected


def test_audit_command_prints_a_scorecard_per_agency_with_evidence(demo):
    result = govcrawl("audit", "--db", str(demo["db"]))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for site in ("cq-yubei-mzj", "lz-luwan", "lz-shiling", "lz-slj", "lz-sthjj"):
        assert f"({site}," in out
    assert re.search(r"2023  on_time .*error .*27 days late: 2024-02-27 \(the page's publication date\); "
                     r"deadline 2024-01-31", out)
    assert re.search(r"2020  sections .*error .*missing: 五、存在的主要问题及改进情况", out)
    counts = {line.split()[0]: line.split()[1:5] for line in out.splitlines()
              if line.split() and line.split()[0] in ("on_time", "sections", "identities")}
    crawled = sum(1 for r in EXPECTED["reports"] if r["crawlable"])
    assert counts["on_time"][:2] == [str(crawled - 1), "1"] and counts["sections"][1] == "1" and counts["identities"][1] == "1"
    only = govcrawl("audit", "--db", str(demo["db"]), "--site", "lz-slj", "--year", "2023")
    assert "(lz-slj," in only.stdout and "(lz-luwan," not in only.stdout
    every = govcrawl("audit", "--db", str(demo["db"]), "--site", "lz-slj", "--all").stdout
    assert re.search(r"2022  on_time +pass +2023-01-29", every) and "2023  cross_year      pass" in every


def test_timelines_tell_archived_not_found_and_not_published_years_apart(demo):
    rows = {(r["site_id"], r["year"]): r for r in query(demo["db"], "select * from agency_timeline")}
    assert rows[("lz-luwan", 2017)]["status"] == "not_found"  # its listing links a 404
    assert "404" in rows[("lz-luwan", 2017)]["evidence"]
    assert rows[("lz-luwan", 2021)]["status"] == "archived" and rows[("lz-luwan", 2021)]["new_total"] == 89
    assert rows[("lz-slj", 2021)]["status"] == "not_published"
    assert {r["status"] for r in rows.values()} <= {"archived", "not_found", "not_published", "not_crawled"}
    assert len(rows) == len(EXPECTED["sites"]) * len({y for _s, y in rows})  # one row per agency and year


class _Charts(HTMLParser):
    """The marks of every chart (data-value per series and category) and the SQL shown under it."""

    def __init__(self):
        super().__init__()
        self.charts, self.current, self.in_sql = {}, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-chart" in a:
            self.current = a["data-chart"]
            self.charts[self.current] = {"marks": {}, "sql": ""}
        elif tag == "rect" and self.current and "data-value" in a:
            self.charts[self.current]["marks"][(a["data-series"], a["data-category"])] = a["data-value"]
        elif tag == "pre" and self.current:
            self.in_sql = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self.in_sql = False
        elif tag == "section":
            self.current = None

    def handle_data(self, data):
        if self.in_sql:
            self.charts[self.current]["sql"] += data


def _charts(path) -> dict:
    p = _Charts()
    p.feed(path.read_text(encoding="utf-8"))
    return p.charts


def _fmt(v) -> str:
    from govcrawl.research.report import _num

    return _num(v)


def test_report_page_charts_match_sql_on_the_same_archive(demo, tmp_path):
    result = govcrawl("report", "--db", str(demo["db"]), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    page = tmp_path / "index.html"
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    charts = _charts(page)
    assert set(charts) == {"requests", "outcomes", "review_litigation", "compliance", "failing_checks"}
    # Independent SQL over the long cells view: requests per year.
    want = {str(r["year"]): _fmt(r["n"]) for r in query(
        demo["db"], "select r.year, sum(c.value) as n from cells c join reports r using (report_id) "
                    "where r.is_current = 1 and c.cell_id = 't3.new.total' group by r.year")}
    got = {cat: v for (series, cat), v in charts["requests"]["marks"].items() if series == "requests"}
    printed_2023 = sum(r["figures"]["t3.new.total"] for r in EXPECTED["reports"]
                       if r["crawlable"] and r["year"] == 2023 and r["figures"])
    assert got == want and got["2023"] == str(printed_2023)
    conn = sqlite3.connect(demo["db"])
    for name, chart in charts.items():  # the SQL printed under each chart gives the marks' numbers
        cur = conn.execute(chart["sql"], {"division": "", "site": None})
        cols = [d[0] for d in cur.description]
        for row in cur.fetchall():
            rec = dict(zip(cols, row))
            if name == "compliance":
                series = next(s for s, c in chart["marks"] if c == str(rec["year"]) and s.startswith(rec["province_code"]))
                assert chart["marks"][(series, str(rec["year"]))] == _fmt(rec["compliant_pct"])
                continue
            for (series, cat), value in chart["marks"].items():
                if cat == str(rec[cols[0]]):
                    assert value == _fmt(rec[series]), (name, series, cat)
    # The outcome shares add up to the handled totals of table 三.
    outcomes = charts["outcomes"]["marks"]
    handled = {str(r["year"]): r["n"] for r in query(
        demo["db"], "select year, sum(handled_total_total) as n from t3_current group by year")}
    for year, total in handled.items():
        assert sum(int(v) for (s, c), v in outcomes.items() if c == year) == total
    # One agency: the same charts, its own numbers.
    agency = _charts(tmp_path / "agency-lz-slj.html")
    assert {c: v for (s, c), v in agency["requests"]["marks"].items()} == {"2022": "19", "2023": "21"}
    assert "compliance" not in agency and agency["rules"]["marks"][("on_time", "2023")] == "0"
    rules = _charts(tmp_path / "agency-lz-shiling.html")["rules"]
    for rec in query(demo["db"], rules["sql"].replace(":division", "''").replace(":site", "'lz-shiling'")):
        assert rules["marks"][(rec["rule"], str(rec["year"]))] == _fmt(rec["passed_pct"])
    assert rules["marks"][("sections", "2020")] == "0" and rules["marks"][("sections", "2021")] == "100"


def test_report_for_one_agency_and_an_unknown_one(demo, tmp_path):
    result = govcrawl("report", "--db", str(demo["db"]), "--site", "lz-luwan", "--out", str(tmp_path))
    assert result.returncode == 0 and (tmp_path / "agency-lz-luwan.html").exists()
    assert not (tmp_path / "index.html").exists()
    bad = govcrawl("report", "--db", str(demo["db"]), "--site", "nope", "--out", str(tmp_path))
    assert bad.returncode == 2 and "no site 'nope'" in bad.stderr and "Traceback" not in bad.stderr


def _readme_python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Researchers", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_readme_pandas_examples_run_on_the_demo_archive(demo, monkeypatch, capsys):
    pytest.importorskip("pandas")
    blocks = _readme_python_blocks()
    assert len(blocks) == 2
    monkeypatch.chdir(demo["root"])  # the examples use data/archive.db and data/exports/ as after `make demo`
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    printed_2023 = sum(r["figures"]["t3.new.total"] for r in EXPECTED["reports"]
                       if r["crawlable"] and r["year"] == 2023 and r["figures"])
    assert "lz-slj" in out and "not_found" in out and str(printed_2023) in out
