"""The offline demo mirror (data/demo) and its server (govcrawl.demo.mirror).

Serves the mirror on loopback and checks the server behaviour (per-site addresses, GBK without a
header charset, fail-once, robots.txt, 304 revalidation, content types), then checks that
EXPECTED.json agrees with the pages: every path exists and is linked from a listing, and the
table figures read back from the HTML/PDF by a small parser written here (independent of
govcrawl.extract) give the expected key figures and exactly the expected identity failures.
"""
from __future__ import annotations

import json
import re
import sys
import urllib.error
import urllib.request
import urllib.robotparser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from govcrawl.demo.mirror import load_quirks, serve_mirror

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
SITES = DEMO / "sites"
EXPECTED = json.loads((DEMO / "EXPECTED.json").read_text(encoding="utf-8"))
COLS = ["person", "org_business", "org_research", "org_nonprofit", "org_legal", "org_other", "total"]
T4 = [f"{g}_{c}" for g in ("rev", "lit_direct", "lit_after_review")
      for c in ("maintain", "correct", "other", "pending", "total")]


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mirror():
    m = serve_mirror(SITES, load_quirks(DEMO / "quirks.json"))
    yield m
    m.close()


def fetch(url: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) without raising on HTTP errors; proxies disabled."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def decode_page(raw: bytes, content_type: str | None) -> str:
    m = re.search(r"charset=([\w-]+)", content_type or "")
    if not m:
        m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", raw[:2048], re.I)
    cs = (m.group(1).decode() if isinstance(m.group(1), bytes) else m.group(1)).lower()
    if cs in ("gb2312", "gbk"):
        cs = "gbk"  # WHATWG: the gb2312 label means GBK
    return raw.decode(cs)


def read_site_file(site_dir: str, path: str) -> str:
    raw = (SITES / site_dir / path.lstrip("/")).read_bytes()
    return decode_page(raw, None)


def norm(s: str) -> str:
    return re.sub(r"[\s\u00a0\u3000]+", "", s or "")


def grid(table) -> list[list[str]]:
    """Resolve rowspan/colspan: every grid position holds the text of the cell covering it."""
    occ: dict[tuple[int, int], str] = {}
    trs = table.xpath("./tr|./tbody/tr|./thead/tr")
    for r, tr in enumerate(trs):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in occ:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            t = td.text_content()
            for dr in range(rs):
                for dc in range(cs):
                    occ[(r + dr, c + dc)] = t
            c += cs
    nrows = len(trs)
    ncols = max((c for _, c in occ), default=-1) + 1
    return [[occ.get((r, c), "") for c in range(ncols)] for r in range(nrows)]


ROW_KEYS = [("本年新收", "new"), ("上年结转", "carry_in"), ("予以公开", "open"), ("部分公开", "partial"),
            ("国家秘密", "deny_secret"), ("其他法律行政法规", "deny_law"), ("三安全一稳定", "deny_security"),
            ("第三方合法权益", "deny_third_party"), ("内部事务", "deny_internal"), ("过程性信息", "deny_process"),
            ("行政执法案卷", "deny_case_file"), ("行政查询", "deny_query"), ("不掌握", "unable_not_held"),
            ("另行制作", "unable_need_create"), ("仍不明确", "unable_unclear"), ("信访举报投诉", "reject_petition"),
            ("重复申请", "reject_repeat"), ("公开出版物", "reject_publication"), ("大量反复", "reject_mass"),
            ("重新出具", "reject_confirm"), ("逾期不补正", "other_no_correction"), ("缴纳费用", "other_no_fee"),
            ("总计", "handled_total"), ("结转下年度", "carry_out"), ("其他处理", "other")]


def row_id(label: str) -> str | None:
    lab = norm(label)
    if lab == "3.其他":
        return "other_misc"
    for k, rid in ROW_KEYS:
        if k in lab:
            return rid
    return None


def as_int(s):
    s = norm(s)
    return int(s) if re.fullmatch(r"[+-]?\d+", s) else None


def t3_t4_from_rows(rows3: list[list[str]], row4: list[str]) -> dict:
    cells = {}
    for row in rows3:
        vals = [as_int(x) for x in row[-7:]]
        if any(v is None for v in vals):
            continue  # header rows
        label = next((x for x in reversed(row[:-7]) if x and norm(x)), "")
        rid = row_id(label)
        assert rid, f"unrecognised table-三 row label {label!r}"
        for c, v in zip(COLS, vals):
            cells[f"t3.{rid}.{c}"] = v
    vals = [as_int(x) for x in row4[-15:]]
    for c, v in zip(T4, vals):
        cells[f"t4.cases.{c}"] = v
    return cells


def cells_from_html(text: str) -> dict:
    doc = lxml.html.fromstring(text)
    t3 = t4 = None
    for tb in doc.iter("table"):
        tx = norm(tb.text_content())
        if "本年新收" in tx:
            t3 = grid(tb)
        elif "复议后起诉" in tx:
            t4 = grid(tb)
    assert t3 and t4, "tables 三 and 四 not found"
    return t3_t4_from_rows(t3, t4[-1])


def cells_from_pdf(path: Path) -> dict:
    import pdfplumber
    rows3, row4 = [], None
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for tb in page.extract_tables():
                flat = norm("".join(c or "" for row in tb for c in row))
                clean = [[c or "" for c in row] for row in tb]
                if "本年新收" in flat:
                    rows3 = clean
                elif "复议后起诉" in flat:
                    row4 = clean[-1]
    assert rows3 and row4
    return t3_t4_from_rows(rows3, row4)


def failing_identities(c: dict, template: str) -> set[str]:
    """TEMPLATES.md §6 identities 1-4 (ids as in templates.json)."""
    leaves = ["open", "partial", "deny_secret", "deny_law", "deny_security", "deny_third_party", "deny_internal",
              "deny_process", "deny_case_file", "deny_query", "unable_not_held", "unable_need_create",
              "unable_unclear", "reject_petition", "reject_repeat", "reject_publication", "reject_mass",
              "reject_confirm"]
    leaves += ["other"] if template == "2019" else ["other_no_correction", "other_no_fee", "other_misc"]
    rows = ["new", "carry_in"] + leaves + ["handled_total", "carry_out"]
    g = lambda r, col: c[f"t3.{r}.{col}"]
    bad = set()
    for col in COLS:
        if g("new", col) + g("carry_in", col) != g("handled_total", col) + g("carry_out", col):
            bad.add(f"t3_balance_{col}")
        if g("handled_total", col) != sum(g(r, col) for r in leaves):
            bad.add(f"t3_results_sum_{col}")
    for r in rows:
        if g(r, "total") != sum(g(r, col) for col in COLS[:-1]):
            bad.add(f"t3_rowsum_{r}")
    for grp in ("rev", "lit_direct", "lit_after_review"):
        if c[f"t4.cases.{grp}_total"] != sum(c[f"t4.cases.{grp}_{k}"] for k in ("maintain", "correct", "other", "pending")):
            bad.add(f"t4_{grp}_total")
    return bad


def report_cells(rep: dict) -> dict:
    if rep["format"] == "pdf_attachment":
        return cells_from_pdf(SITES / rep["site_dir"] / rep["attachment"].lstrip("/"))
    return cells_from_html(read_site_file(rep["site_dir"], rep["path"]))


# reports whose tables this file can read independently (HTML tables, the text-layer PDF); the
# format site's attachments (.doc, .xls, pictures, scans) are checked in test_extract_formats.py
TABLE_REPORTS = [r for r in EXPECTED["reports"] if r["figures"]
                 and r["format"] in ("html", "html_word", "pdf_attachment")]


# ----------------------------------------------------------------------------------------------
# server behaviour
# ----------------------------------------------------------------------------------------------
def test_each_site_on_its_own_address(mirror):
    assert set(mirror.hosts) == set(EXPECTED["sites"]) and len(mirror.hosts) >= 5
    ips = [h.rsplit(":", 1)[0] for h in mirror.hosts.values()]
    assert len(set(ips)) == len(ips), "every site must have its own loopback address"
    assert all(ip.startswith("127.") for ip in ips)
    assert sorted(ips)[0] == "127.0.0.11"
    for sd, info in EXPECTED["sites"].items():
        status, headers, body = fetch(mirror.url(sd, "/"))
        assert status == 200
        assert info["name"] in decode_page(body, headers.get("Content-Type"))
        # the same path on another site's address is that other site, not this one
        status, headers, body = fetch(mirror.url(sd, info["listing_pages"][0]))
        assert status == 200, (sd, info["listing_pages"][0])


def test_gbk_site_declares_charset_only_in_meta(mirror):
    page = EXPECTED["sites"]["shiling"]["listing_pages"][0]
    status, headers, body = fetch(mirror.url("shiling", page))
    assert status == 200
    assert headers["Content-Type"] == "text/html"  # no charset parameter at all
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    m = re.search(rb'<meta http-equiv="Content-Type" content="text/html; charset=([\w-]+)"', body)
    assert m and m.group(1).lower() in (b"gb2312", b"gbk")
    text = body.decode("gbk")
    assert "石岭县2021年政府信息公开工作年度报告" in text and "下一页" in text
    # while a UTF-8 site says so in the header
    _, h2, _ = fetch(mirror.url("luwan", "/index.html"))
    assert h2["Content-Type"] == "text/html; charset=utf-8"


def test_fail_once_then_success(mirror):
    (fo,) = EXPECTED["fail_once"]
    url = mirror.url(fo["site_dir"], fo["path"])
    mirror.reset()
    assert fetch(url)[0] == 500
    status, _, body = fetch(url)
    assert status == 200 and "鹭湾区2023年政府信息公开工作年度报告" in body.decode("utf-8")
    assert fetch(url)[0] == 200
    log = [(r[2], r[3]) for r in mirror.requests_for(fo["site_dir"])]
    assert log[:2] == [(fo["path"], 500), (fo["path"], 200)]
    mirror.reset()  # re-arms
    assert fetch(url)[0] == 500
    assert fetch(url)[0] == 200


def test_robots_txt(mirror):
    status, headers, body = fetch(mirror.url("lzhb", "/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "Disallow: /ztzl/" in body.decode("utf-8")
    rp = urllib.robotparser.RobotFileParser()
    rp.parse(body.decode("utf-8").splitlines())
    for rep in EXPECTED["reports"]:
        if rep["site_dir"] == "lzhb":
            assert rp.can_fetch("govcrawl", mirror.url("lzhb", rep["path"])) == rep["crawlable"], rep["path"]
    (blocked,) = EXPECTED["robots_disallowed"]
    assert not rp.can_fetch("govcrawl", mirror.url(blocked["site_dir"], blocked["path"]))
    # the blocked page exists (a crawler ignoring robots.txt would get it) and is linked from a listing
    assert fetch(mirror.url(blocked["site_dir"], blocked["path"]))[0] == 200
    assert fetch(mirror.url("yubei", "/robots.txt"))[0] == 404  # many sites simply have none


def test_revalidation_304(mirror):
    url = mirror.url("lzsw", "/zwgk/zfxxgknb/index.html")
    status, h, body = fetch(url)
    assert status == 200 and h["ETag"] and h["Last-Modified"]
    s2, h2, b2 = fetch(url, {"If-None-Match": h["ETag"]})
    assert s2 == 304 and b2 == b"" and h2["ETag"] == h["ETag"]
    assert fetch(url, {"If-Modified-Since": h["Last-Modified"]})[0] == 304
    assert fetch(url, {"If-None-Match": '"something-else"'})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})[0] == 200
    sh, hh, bh = fetch(url, method="HEAD")
    assert sh == 200 and bh == b"" and int(hh["Content-Length"]) == len(body)


def test_content_types_errors_and_paths(mirror):
    pdf = next(r for r in EXPECTED["reports"] if r["format"] == "pdf_attachment")
    status, h, body = fetch(mirror.url(pdf["site_dir"], pdf["attachment"]))
    assert status == 200 and h["Content-Type"] == "application/pdf" and body.startswith(b"%PDF")
    assert fetch(mirror.url("luwan", "/images/common.css"))[1]["Content-Type"].startswith("text/css")
    for b in EXPECTED["broken_link_items"]:
        assert fetch(mirror.url(b["site_dir"], b["path"]))[0] == b["status"]
    assert fetch(mirror.url("luwan", "/no/such/page.html"))[0] == 404
    assert fetch(mirror.url("luwan", "/../../etc/passwd"))[0] == 404
    # directory -> index.html, and /dir -> 301 /dir/
    assert fetch(mirror.url("luwan", "/zwgk/zfxxgk/zfxxgknb/"))[0] == 200
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    with pytest.raises(urllib.error.HTTPError) as ei:
        urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect).open(
            mirror.url("luwan", "/zwgk/zfxxgk/zfxxgknb"), timeout=10)
    assert ei.value.code == 301 and ei.value.headers["Location"] == "/zwgk/zfxxgk/zfxxgknb/"
    # query-string page 2 (wget-style file name on disk) differs from page 1
    p1, p2 = EXPECTED["sites"]["lzhb"]["listing_pages"]
    b1, b2 = fetch(mirror.url("lzhb", p1))[2], fetch(mirror.url("lzhb", p2))[2]
    assert b1 != b2 and "2020年政府信息公开工作年度报告" in b2.decode("utf-8")
    assert fetch(mirror.url("lzhb", "/col/col2101/index.html?uid=4471&pageNum=9"))[2] == b1  # unknown query -> page


def test_request_log_and_registry(mirror):
    mirror.reset()
    fetch(mirror.url("yubei", "/zwgk/zfxxgknb/index.html"))
    fetch(mirror.url("yubei", "/nope"))
    log = mirror.requests_for("yubei")
    assert [(r[0], r[1], r[2], r[3]) for r in log] == [
        (mirror.hosts["yubei"], "GET", "/zwgk/zfxxgknb/index.html", 200),
        (mirror.hosts["yubei"], "GET", "/nope", 404)]
    assert all(isinstance(r[4], float) for r in log)
    reg = mirror.render_registry(DEMO / "sites.csv.in")
    assert "{" not in reg
    lines = reg.strip().splitlines()
    assert lines[0] == "site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified"
    import csv
    rows = list(csv.DictReader(lines))
    assert len(rows) == len(EXPECTED["sites"])
    for row in rows:
        assert re.fullmatch(r"\d{6}", row["division_code"]) and row["verified"] == "1"
        assert row["level"] in ("district", "department") and row["platform"] in ("trs", "hanweb", "generic")
        assert urlsplit(row["listing_urls"]).hostname == row["allowed_domains"]
        assert fetch(row["listing_urls"])[0] == 200


def test_quiet_server(mirror, capfd):
    fetch(mirror.url("luwan", "/missing"))
    fetch(mirror.url("luwan", "/index.html"))
    out, err = capfd.readouterr()
    assert err == "" and out == ""


# ----------------------------------------------------------------------------------------------
# the PDF attachment
# ----------------------------------------------------------------------------------------------
def test_pdf_text_and_tables():
    import pdfplumber
    rep = next(r for r in EXPECTED["reports"] if r["format"] == "pdf_attachment")
    path = SITES / rep["site_dir"] / rep["attachment"].lstrip("/")
    with pdfplumber.open(path) as pdf:
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    flat = norm(text)
    for label in ("三、收到和处理政府信息公开申请情况", "本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量",
                  "予以公开", "1.属于国家秘密", "3.危及“三安全一稳定”", "（七）总计", "结转下年度继续办理",
                  "申请人情况", "自然人", "法人或其他组织", "第二十条第（九）项", "复议后起诉"):
        assert norm(label) in flat, label
    f = rep["figures"]
    assert re.search(rf"一、本年新收政府信息公开申请数量.*\b{f['t3.new.total']}\n", text)
    c = cells_from_pdf(path)
    assert {k: c[k] for k in f} == f
    expected_cells = json.loads((DEMO / rep["cells"]).read_text(encoding="utf-8"))
    assert {k: v for k, v in expected_cells.items() if k.startswith(("t3.", "t4."))} == c
    # the HTML page itself has no tables, only 详见附件 and the attachment link
    page = read_site_file(rep["site_dir"], rep["path"])
    assert "详见附件" in page and "<table" not in page.split("TRS_Editor", 1)[1]
    assert rep["attachment"].rsplit("/", 1)[1] in page


def test_pdf_is_reproducible(tmp_path):
    sys.path.insert(0, str(DEMO))
    try:
        import make_pdf
    finally:
        sys.path.remove(str(DEMO))
    rep = next(r for r in EXPECTED["reports"] if r["format"] == "pdf_attachment")
    out = make_pdf.build(tmp_path / "x.pdf")
    assert out.read_bytes() == (SITES / rep["site_dir"] / rep["attachment"].lstrip("/")).read_bytes()


# ----------------------------------------------------------------------------------------------
# EXPECTED.json against the files
# ----------------------------------------------------------------------------------------------
def test_expected_paths_exist_and_are_listed():
    linked: dict[str, set[str]] = {}
    for sd, info in EXPECTED["sites"].items():
        links = linked.setdefault(sd, set())
        pages = info["listing_pages"]
        for i, lp in enumerate(pages):
            f = SITES / sd / lp.lstrip("/")
            assert f.is_file(), f
            text = decode_page(f.read_bytes(), None)
            # Hanweb listings keep their entries in a <datastore> script, rendered by jpage in a browser.
            records = "".join(re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", text, re.S))
            doc = lxml.html.fromstring(text.replace("</body>", records + "</body>", 1))
            hrefs = {urlsplit(urljoin("http://h" + lp, a.get("href"))) for a in doc.iter("a") if a.get("href")}
            links |= {u.path + ("?" + u.query if u.query else "") for u in hrefs if u.netloc == "h"}
            if i + 1 < len(pages) and "jpage(" in text:  # jpage: total and page size, no static pager
                total, per = (int(re.search(rf"{k}: (\d+)", text).group(1)) for k in ("totalRecord", "perPage"))
                assert -(-total // per) == len(pages), (sd, lp)
            elif i + 1 < len(pages):  # a static 下一页 link to the next page
                nxt = [urljoin("http://h" + lp, a.get("href")) for a in doc.iter("a")
                       if norm(a.text_content()) == "下一页"]
                assert "http://h" + pages[i + 1] in nxt, (sd, lp)
    for rep in EXPECTED["reports"]:
        assert (SITES / rep["site_dir"] / rep["path"].lstrip("/")).is_file(), rep["path"]
        assert rep["path"] in linked[rep["site_dir"]], rep["path"]
        if rep["attachment"]:
            assert (SITES / rep["site_dir"] / rep["attachment"].lstrip("/")).is_file()
        assert rep["template"] == ("pre2019" if rep["year"] <= 2018 else "2019" if rep["year"] <= 2020 else "2021")
    assert EXPECTED["non_reports"] == [n["path"] for n in EXPECTED["non_report_items"]]
    assert EXPECTED["broken_links"] == [b["path"] for b in EXPECTED["broken_link_items"]]
    for n in EXPECTED["non_report_items"]:
        assert (SITES / n["site_dir"] / n["path"].lstrip("/")).is_file()
        assert n["path"] in linked[n["site_dir"]]
        assert "年度报告" not in norm(n["title"]) or "通知" in n["title"]
    for b in EXPECTED["broken_link_items"]:
        assert not (SITES / b["site_dir"] / b["path"].lstrip("/")).exists()
        assert b["path"] in linked[b["site_dir"]]
    counts = EXPECTED["counts"]
    assert counts["reports"] == len(EXPECTED["reports"]) >= 15
    assert counts["crawlable_reports"] == sum(r["crawlable"] for r in EXPECTED["reports"])
    assert sum(1 for p in SITES.rglob("*") if p.is_file() and p.suffix in (".html", ".htm", ".pdf")
               or "?" in p.name) < 100


def test_trs_listing_pager():
    lp1, lp2 = EXPECTED["sites"]["luwan"]["listing_pages"]
    assert lp2.endswith("/index_1.html")
    html1 = read_site_file("luwan", lp1)
    assert 'createPageHTML(2, 0, "index", "html")' in html1
    assert re.search(r'href="\./20\d{4}/t20\d{6}_\d+\.htm"', html1)
    assert 'createPageHTML(2, 1, "index", "html")' in read_site_file("luwan", lp2)


def test_templates_and_styles():
    templates = {r["template"] for r in EXPECTED["reports"]}
    assert templates == {"pre2019", "2019", "2021"}
    word = next(r for r in EXPECTED["reports"] if r["format"] == "html_word")
    w = read_site_file(word["site_dir"], word["path"])
    assert 'class="MsoNormal"' in w and "<o:p></o:p>" in w and "本年制发<br>" in w and "MsoNormalTable" in w
    pre = next(r for r in EXPECTED["reports"] if r["template"] == "pre2019")
    p = read_site_file(pre["site_dir"], pre["path"])
    for label in ("指标名称", "计量单位", "历年累计", "一、概述"):
        assert label in p
    for rep in EXPECTED["reports"]:
        page = read_site_file(rep["site_dir"], rep["path"])
        doc = lxml.html.fromstring(page)
        assert doc.xpath('string(//meta[@name="ArticleTitle"]/@content)') == rep["title"]
        assert doc.xpath('string(//meta[@name="PubDate"]/@content)') == rep["pubdate"]
        assert doc.xpath('//div[@class="TRS_Editor"]') and "当前位置" in page and "主办单位" in page


@pytest.mark.parametrize("rep", TABLE_REPORTS, ids=[r["id"] for r in TABLE_REPORTS])
def test_report_figures_and_identities(rep):
    c = report_cells(rep)
    assert {k: c[k] for k in rep["figures"]} == rep["figures"]
    assert failing_identities(c, rep["template"]) == set(rep["failing_checks"])
    expected_cells = json.loads((DEMO / rep["cells"]).read_text(encoding="utf-8"))
    assert {k: v for k, v in expected_cells.items() if k.startswith(("t3.", "t4."))} == c
    # the official structure: 三、本年度办理结果 spans 20 (2019) / 22 (2021) rows
    if rep["format"] != "pdf_attachment":
        page = read_site_file(rep["site_dir"], rep["path"])
        doc = lxml.html.fromstring(page)
        td = [t for t in doc.iter("td") if norm(t.text_content()) == "三、本年度办理结果"]
        assert len(td) == 1 and td[0].get("rowspan") == ("20" if rep["template"] == "2019" else "22")
        corner = [t for t in doc.iter("td") if "勾稽关系" in t.text_content()]
        assert corner[0].get("rowspan") == "3" and corner[0].get("colspan") == "3"


def test_exactly_one_inconsistent_report():
    bad = [r for r in EXPECTED["reports"] if r["failing_checks"]]
    assert len(bad) == 1 and bad[0]["crawlable"]


def test_identity_ids_exist_in_spec(spec_dir):
    spec = json.loads((spec_dir / "templates.json").read_text(encoding="utf-8"))
    for rep in TABLE_REPORTS:
        ids = {i["id"] for i in spec["identities"][rep["template"]]}
        assert set(rep["failing_checks"]) <= ids
        cells = set(json.loads((DEMO / rep["cells"]).read_text(encoding="utf-8")))
        spec_cells = set(spec[rep["template"]]["table2"]["cells"]) | set(spec[rep["template"]]["table3"]["cells"]) \
            | set(spec[rep["template"]]["table4"]["cells"])
        assert cells == spec_cells, rep["id"]


def test_seed_page_matches_seed(corpus_dir):
    seed = next(r for r in EXPECTED["reports"] if "seed" in r["id"])
    truth = json.loads((corpus_dir / "cells" / "000_559a03cdbb29f6b3.json").read_text(encoding="utf-8"))
    assert json.loads((DEMO / seed["cells"]).read_text(encoding="utf-8")) == truth
    page = read_site_file(seed["site_dir"], seed["path"])
    c = cells_from_html(page)
    assert {k: v for k, v in truth.items() if k.startswith(("t3.", "t4."))} == c
    # raw cell strings keep the seed's NBSP / U+3000 padding
    lines = (corpus_dir / "000_559a03cdbb29f6b3.txt").read_text(encoding="utf-8").split("\n")
    seed_t4 = [l[1:] for l in lines[:lines.index("五、存在的主要问题及改进情况")] if l.startswith("\t")][-15:]
    doc = lxml.html.fromstring(page)
    t4 = [tb for tb in doc.iter("table") if "复议后起诉" in tb.text_content()][0]
    assert [td.text_content() for td in t4.xpath(".//tr")[-1].xpath("./td")] == seed_t4
    assert "139.8万元" in page and "0\u3000\u3000" in page
    for para in ("我局暂无其他需要报告的事项。", "2021年1月13日", "（五）监督保障方面"):
        assert para in page
