"""Crawling that survives the real web: one crawl against tests/faultsite.py, and unit tests of
govcrawl/crawl/content.py, govcrawl/crawl/politeness.py and the operator view in govcrawl/crawl/summary.py."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import uuid
from pathlib import Path

import pytest

from faultsite import (FaultServer, Reply, fail_then, gzip_bomb, listing, per_host_in_flight_from_log, redirect,
                       report_page, run_crawl_measured, title)
from govcrawl.crawl import content
from govcrawl.crawl import politeness
from govcrawl.crawl.summary import failure_kind, format_summary, reason_key, site_verdict
from helpers import DEMO, ROOT, query

REPORT_PDF = DEMO / "sites/luwan/zwgk/zfxxgk/zfxxgknb/202102/P020210208563412871234.pdf"

A, INTERNAL, TRAP, POLITE, HEALTHY, DOWN, MOVED, BLOCKS = (f"127.0.0.{i}" for i in range(1, 9))
MAXSIZE = 1024 * 1024
BACKOFF = 0.25
RETRY_AFTER = 1
CRAWL_DELAY = 0.4
BUDGET = 80


def cd(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    tag = uuid.uuid4().hex[:10]
    evil = f"govcrawl-evil-{tag}"
    pdf = REPORT_PDF.read_bytes()
    with FaultServer([A, INTERNAL, TRAP, POLITE, HEALTHY, DOWN, MOVED, BLOCKS]) as srv:
        inside = srv.url(INTERNAL, "/secret.html")
        a = srv.host(A)
        page = lambda name: Reply(body=report_page(name))  # noqa: E731
        gbk_body = report_page("澜州市甲局", encoding="gb18030", meta_charset="gbk")
        utf8_body = report_page("澜州市乙局", meta_charset="gbk")
        routes = {
            "/nb/ok.html": ("澜州市正常局", page("澜州市正常局")),
            "/nb/flaky.html": ("澜州市抖动局", fail_then(2, 503, page("澜州市抖动局"))),
            "/nb/busy.html": ("澜州市繁忙局", fail_then(1, 429, page("澜州市繁忙局"),
                                                         {"Retry-After": str(RETRY_AFTER)})),
            "/nb/reset.html": ("澜州市重置局", lambda r: Reply(reset=True) if r.n == 1 else page("澜州市重置局")),
            "/nb/cut.html": ("澜州市截断局", lambda r: Reply(body=report_page("澜州市截断局"), truncate=500)
                             if r.n == 1 else page("澜州市截断局")),
            "/nb/hang.html": ("澜州市超时局", lambda r: Reply(hang=5) if r.n == 1 else page("澜州市超时局")),
            "/nb/slow.html": ("澜州市缓慢局", Reply(body=report_page("澜州市缓慢局"), delay=0.3)),
            "/nb/gone.html": ("澜州市故障局", Reply(status=500, body=b"<h1>500</h1>", etag=False)),
            "/nb/loop.html": ("澜州市循环局", redirect("/nb/loop2.html")),
            "/nb/spiral.html": ("澜州市螺旋局", None),
            "/nb/offsite.html": ("澜州市外跳局", redirect(inside)),
            "/nb/metadata.html": ("澜州市元数据局", redirect("http://169.254.169.254/latest/meta-data/")),
            "/nb/soft404.html": ("澜州市空页局", Reply(body="<html><head><title>页面不存在</title></head>"
                                                       "<body><p>对不起，您访问的页面不存在或已删除。</p></body></html>".encode())),
            "/nb/shell.html": ("澜州市跳转局", Reply(body=b'<html><head><script>window.location.href="/nb/real.html";'
                                                       b"</script></head><body></body></html>")),
            "/nb/shell-out.html": ("澜州市外壳局", Reply(body=f'<html><script>location.replace("{inside}")</script>'
                                                         f"</html>".encode())),
            "/nb/pdf-as-html.html": ("澜州市鹭湾区人民政府PDF", Reply(body=pdf, content_type="text/html; charset=utf-8")),
            "/nb/gbk.html": ("澜州市甲局", Reply(body=gbk_body, content_type="text/html; charset=utf-8")),
            "/nb/utf8.html": ("澜州市乙局", Reply(body=utf8_body, content_type="text/html; charset=gbk")),
            "/nb/huge.html": ("澜州市巨大局", Reply(body=b"<html><body>" + b"x" * (3 * MAXSIZE) + b"</body></html>")),
            "/nb/huge-stream.html": ("澜州市洪流局", Reply(body=b"<html><body>" + b"y" * (3 * MAXSIZE), stream=True)),
            "/nb/bomb.html": ("澜州市炸弹局", Reply(body=gzip_bomb(64 * MAXSIZE), headers={"Content-Encoding": "gzip"})),
            "/nb/hostile.html": ("澜州市附件局", Reply(body=report_page("澜州市附件局").replace(
                b"</body>", (f'<a href="../../../../../../tmp/{evil}-1.pdf">附件1.pdf</a>'
                             f'<a href="/download.jsp?filename=../../../../tmp/{evil}-2.pdf">附件2</a>'
                             f'<a href="/dl/%2e%2e%2f%2e%2e%2f{evil}-3.pdf">附件3.pdf</a>'
                             f'<a href="/dl/abs.pdf">附件4.pdf</a></body>').encode()))),
        }
        links = []
        for path, (name, route) in routes.items():
            links.append((path, title(name)))
            if route is not None:
                a.route(path, route)
        links.append((srv.url(INTERNAL, "/linked.html"), title("澜州市内网局")))
        a.route("/nb/index.html", Reply(body=listing(links)))
        a.route("/nb/real.html", page("澜州市跳转局"))
        a.route("/nb/loop2.html", redirect("/nb/loop.html"))
        spiral = itertools.count(1)
        a.route("/nb/spiral.html", lambda r: redirect(f"/nb/spiral.html?n={next(spiral)}"), prefix=True)
        a.route("/tmp/", Reply(body=pdf, content_type="application/pdf", headers=cd(f"../../../../tmp/{evil}-4.pdf")),
                prefix=True)
        a.route("/download.jsp", Reply(body=pdf, content_type="application/octet-stream",
                                       headers=cd(f"/tmp/{evil}-5.pdf")))
        a.route("/dl/", Reply(body=pdf, content_type="application/pdf", headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''..%2F..%2F..%2F{evil}-6.pdf"}), prefix=True)
        srv.host(INTERNAL).route("/", Reply(body=report_page("内网")), prefix=True)

        # an endless calendar: every month links the next one and ten "report" days
        def month(req):
            ym = int((req.path.split("m=") + ["0"])[1] or 0)
            days = [(f"/cal/d/{ym}-{d}.html", f"澜州市日历局{ym}月{d}日2022年政府信息公开工作年度报告") for d in range(10)]
            return Reply(body=listing(days, f"/cal/index.html?m={ym + 1}"), etag=False)
        srv.host(TRAP).route("/cal/index.html", month, prefix=True)
        srv.host(TRAP).route("/cal/d/", Reply(body="<html><body><p>今日无事</p></body></html>".encode()), prefix=True)

        polite = srv.host(POLITE)
        polite.route("/robots.txt", Reply(body=f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n".encode(),
                                          content_type="text/plain"))
        polite.route("/nb/index.html", Reply(body=listing([(f"/nb/{i}.html", title(f"澜州市礼貌{i}局")) for i in range(5)])))
        healthy = srv.host(HEALTHY)
        healthy.route("/nb/index.html", Reply(body=listing([(f"/nb/{i}.html", title(f"澜州市健康{i}局")) for i in range(10)])))
        for i in range(5):
            polite.route(f"/nb/{i}.html", page(f"澜州市礼貌{i}局"))
        for i in range(10):
            healthy.route(f"/nb/{i}.html", Reply(body=report_page(f"澜州市健康{i}局"), delay=0.25))
        srv.host(DOWN).route("/nb/index.html", Reply(status=503, body=b"busy", etag=False))
        srv.host(MOVED).route("/nb/index.html", Reply(status=404, body=b"not here", etag=False))
        srv.host(BLOCKS).route("/nb/index.html", Reply(status=403, body=b"forbidden", etag=False))

        rows = ["site_id,name,level,division_code,parent_id,listing_urls,allowed_domains,platform,verified"]
        for site_id, ip, listing_path in (("faulty", A, "/nb/index.html"), ("trap", TRAP, "/cal/index.html"),
                                          ("polite", POLITE, "/nb/index.html"), ("healthy", HEALTHY, "/nb/index.html"),
                                          ("down", DOWN, "/nb/index.html"), ("moved", MOVED, "/nb/index.html"),
                                          ("blocks", BLOCKS, "/nb/index.html")):
            rows.append(f"{site_id},澜州市{site_id},department,369900,,{srv.url(ip, listing_path)},{ip},generic,0")
        registry = tmp / "sites.csv"
        registry.write_text("\n".join(rows) + "\n", encoding="utf-8")
        before = _files_named(evil, [ROOT, tmp, Path("/tmp"), Path.home()])
        result = run_crawl_measured(
            registry, tmp / "archive.db", tmp / "warc", tmp / "crawl.log",
            "AUTOTHROTTLE_ENABLED=False", "DOWNLOAD_TIMEOUT=1", "RETRY_TIMES=2",
            f"DOWNLOAD_MAXSIZE={MAXSIZE}", f"DOWNLOAD_WARNSIZE={MAXSIZE // 2}",
            f"GOVCRAWL_RETRY_BACKOFF_BASE={BACKOFF}", f"GOVCRAWL_SITE_PAGE_BUDGET={BUDGET}",
            "CONCURRENT_REQUESTS_PER_DOMAIN=2")
        yield {"srv": srv, "tmp": tmp, "db": tmp / "archive.db", "result": result, "evil": evil,
               "before": before, "routes": routes, "gbk_body": gbk_body, "utf8_body": utf8_body}


def _files_named(fragment: str, roots: list[Path]) -> list[str]:
    found = []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".venv", ".git", "node_modules", "proc")]
            if len(Path(dirpath).relative_to(root).parts) > 6:
                dirnames[:] = []
            found += [os.path.join(dirpath, f) for f in filenames + dirnames if fragment in f]
    return found


def archived(db, path_fragment: str) -> list[dict]:
    return query(db, "select * from reports where is_current = 1 and url like ?", ["%" + path_fragment])


def errors_for(db, path_fragment: str) -> list[dict]:
    return query(db, "select * from errors where url like ?", ["%" + path_fragment + "%"])


def starts(srv, ip, path):
    return [h.start for h in srv.hits(ip, path)]


# --- transient and permanent failures ------------------------------------------------------------

@pytest.mark.parametrize("path", ["/nb/ok.html", "/nb/flaky.html", "/nb/busy.html", "/nb/reset.html",
                                  "/nb/cut.html", "/nb/hang.html", "/nb/slow.html"])
def test_transient_failures_are_retried_and_the_report_archived(crawl, path):
    (row,) = archived(crawl["db"], path)
    assert row["year"] == 2022 and row["template"] == "2021"
    assert not errors_for(crawl["db"], path)


def test_retries_back_off_exponentially(crawl):
    t = starts(crawl["srv"], A, "/nb/flaky.html")
    assert len(t) == 3
    assert t[1] - t[0] >= BACKOFF * 0.9 and t[2] - t[1] >= 2 * BACKOFF * 0.9, t


def test_a_timeout_reset_and_truncated_body_are_retried(crawl):
    for path in ("/nb/reset.html", "/nb/cut.html", "/nb/hang.html"):
        hits = crawl["srv"].hits(A, path)
        assert hits[0].note and hits[-1].status == 200 and not hits[-1].note, (path, hits)
        assert 2 <= len(hits) <= 3, (path, hits)  # RETRY_TIMES=2


def test_permanent_failure_is_recorded_per_site_and_url_with_its_reason(crawl):
    (err,) = errors_for(crawl["db"], "/nb/gone.html")
    assert err["site_id"] == "faulty" and err["status"] == 500 and "HTTP 500" in err["reason"]
    assert len(crawl["srv"].hits(A, "/nb/gone.html")) == 3  # RETRY_TIMES=2: 1 + 2 retries
    summary = json.loads(query(crawl["db"], "select summary from runs")[0]["summary"])
    assert any(e["url"].endswith("/nb/gone.html") and e["status"] == 500
               for e in summary["sites"]["faulty"]["errors"])


# --- politeness --------------------------------------------------------------------------------

def test_retry_after_holds_the_host(crawl):
    srv = crawl["srv"]
    first, second = [h for h in srv.hits(A, "/nb/busy.html")]
    assert first.status == 429 and second.status == 200
    assert second.start - first.end >= RETRY_AFTER * 0.95
    during = [h for h in srv.hits(A) if first.end + 0.05 < h.start < first.end + RETRY_AFTER * 0.95]
    assert not during, during


def test_robots_crawl_delay_is_honoured(crawl):
    hits = sorted(crawl["srv"].hits(POLITE), key=lambda h: h.start)
    assert hits[0].path == "/robots.txt" and len(hits) == 7
    gaps = [b.start - a.start for a, b in zip(hits[1:], hits[2:])]
    assert min(gaps) >= CRAWL_DELAY * 0.9, gaps
    assert len(archived(crawl["db"], "")) and all(archived(crawl["db"], f"/nb/{i}.html") for i in range(5))


def test_connections_per_host_never_exceed_the_limit(crawl):
    srv = crawl["srv"]
    in_flight = per_host_in_flight_from_log(srv.hits())
    for ip in (A, TRAP, POLITE, HEALTHY):
        assert in_flight[ip] <= 2, (ip, in_flight)
        # a connection the client just dropped (reset, timeout) is counted until the server notices
        assert srv.max_connections[ip] <= (2 if ip in (POLITE, HEALTHY) else 3), (ip, srv.max_connections)
    assert srv.max_in_flight[HEALTHY] == 2  # the limit is reached, so it is what holds


# --- traps, loops, sizes -------------------------------------------------------------------------

def test_calendar_trap_ends_at_the_page_budget_without_stalling_other_sites(crawl):
    db = crawl["db"]
    assert len(crawl["srv"].hits(TRAP)) <= BUDGET
    trap_errors = query(db, "select reason from errors where site_id = 'trap'")
    assert any("page budget exhausted" in e["reason"] for e in trap_errors)
    healthy = query(db, "select url from reports where is_current = 1 and site_id = 'healthy'")
    assert len(healthy) == 10


def test_redirect_loops_end_with_a_recorded_reason(crawl):
    srv, db = crawl["srv"], crawl["db"]
    spiral = [h for h in srv.hits(A) if h.path.startswith("/nb/spiral.html")]
    assert len(spiral) <= 6 * 3  # REDIRECT_MAX_TIMES=5, per attempt (a slow CI box may time one out)
    assert any("redirect" in e["reason"] for e in errors_for(db, "/nb/spiral.html"))
    assert len([h for h in srv.hits(A) if h.path.startswith("/nb/loop")]) <= 2 * 3
    assert any("redirect loop" in e["reason"] for e in errors_for(db, "/nb/loop"))
    assert errors_for(db, "/nb/loop"), "a redirect loop must leave a recorded reason"


def test_oversize_bodies_and_gzip_bombs_end_with_a_recorded_reason(crawl):
    db = crawl["db"]
    for path in ("/nb/huge.html", "/nb/huge-stream.html", "/nb/bomb.html"):
        (err,) = errors_for(db, path)
        assert failure_kind(err["reason"], err["status"]) == "too large", err
        assert not archived(db, path)
        assert len(crawl["srv"].hits(A, path)) == 1, path  # not retried


# --- scope -------------------------------------------------------------------------------------

def test_no_request_leaves_the_allowed_domains_by_link_redirect_or_script(crawl):
    srv, db = crawl["srv"], crawl["db"]
    assert srv.hits(INTERNAL) == []
    assert any("outside the allowed domains" in e["reason"] for e in errors_for(db, "/secret.html"))
    assert any("outside the allowed domains" in e["reason"] for e in errors_for(db, "169.254.169.254"))
    assert any("JavaScript redirect out of scope" in e["reason"] for e in errors_for(db, "/nb/shell-out.html"))
    hosts = {c["url"].split("/")[2].split(":")[0] for c in query(db, "select url from captures")}
    assert hosts <= {A, TRAP, POLITE, HEALTHY, DOWN, MOVED, BLOCKS}


# --- content -------------------------------------------------------------------------------------

def test_soft_404_is_recognised_and_recorded(crawl):
    (err,) = errors_for(crawl["db"], "/nb/soft404.html")
    assert "soft 404" in err["reason"] and failure_kind(err["reason"], err["status"]) == "moved"
    assert not archived(crawl["db"], "/nb/soft404.html")


def test_js_redirect_shell_is_followed_in_scope(crawl):
    (row,) = archived(crawl["db"], "/nb/real.html")
    assert "澜州市跳转局" in row["title"]
    assert not archived(crawl["db"], "/nb/shell.html")


def test_pdf_served_as_html_is_handled_as_a_pdf(crawl):
    (row,) = archived(crawl["db"], "/nb/pdf-as-html.html")
    assert row["year"] == 2020 and row["cells_found"] > 50
    (cap,) = query(crawl["db"], "select mime from captures where url like '%/nb/pdf-as-html.html'")
    assert cap["mime"].startswith("text/html")  # the archive keeps what the server said


@pytest.mark.parametrize("path,agency,body_key", [("/nb/gbk.html", "澜州市甲局", "gbk_body"),
                                                  ("/nb/utf8.html", "澜州市乙局", "utf8_body")])
def test_charset_evidence_that_decodes_cleanly_wins_and_bytes_are_archived_raw(crawl, path, agency, body_key):
    (row,) = archived(crawl["db"], path)
    assert agency in row["title"] and row["agency"] and agency in row["agency"], row["title"]
    (cap,) = query(crawl["db"], "select payload_sha256 from captures where url like ? and status = 200", ["%" + path])
    assert cap["payload_sha256"] == hashlib.sha256(crawl[body_key]).hexdigest()


def test_hostile_attachment_names_write_no_file_outside_the_archive(crawl):
    tmp = crawl["tmp"]
    assert _files_named(crawl["evil"], [ROOT, tmp, Path("/tmp"), Path.home()]) == crawl["before"] == []
    # the attachments were fetched (and archived in WARC) all the same
    fetched = [c["url"] for c in query(crawl["db"], "select url from captures where url like ?",
                                       ["%" + crawl["evil"] + "%"])]
    assert len(fetched) >= 2
    produced = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
    assert all(p.startswith(("warc/", "archive.db", "feeds/")) or p in ("sites.csv", "crawl.log")
               for p in produced), produced


# --- operator view -------------------------------------------------------------------------------

def test_summary_tells_down_moved_and_blocking_sites_apart(crawl):
    summary = json.loads(query(crawl["db"], "select summary from runs")[0]["summary"])
    verdicts = {k: site_verdict(v) for k, v in summary["sites"].items()}
    assert verdicts["down"].startswith("FAILED: down")
    assert verdicts["moved"].startswith("FAILED: moved")
    assert verdicts["blocks"].startswith("FAILED: blocks us")
    assert verdicts["healthy"] == "ok" and verdicts["polite"] == "ok"
    assert "trap" in verdicts["trap"]
    text = format_summary(summary)
    assert "faulty: [down] report: HTTP 500 ×1" in text
    assert "trap: [trap] report: page budget exhausted" in text
    print(text)


# --- unit tests: content.py ------------------------------------------------------------------------

def test_sniff_mime_trusts_bytes_over_headers():
    assert content.sniff_mime(b"%PDF-1.4\n...", "text/html") == "application/pdf"
    assert content.sniff_mime(b"\n\n  <!DOCTYPE html><html>", "application/octet-stream") == "text/html"
    assert content.sniff_mime(b"\x89PNG\r\n\x1a\n....", "text/html") == "image/png"
    assert content.sniff_mime(b"PK\x03\x04garbage", None) == "application/zip"
    assert content.sniff_mime(b"plain words", "text/plain; charset=gbk") == "text/plain"
    assert content.corrected_content_type(b"%PDF-1.7", "text/html; charset=utf-8") == "application/pdf"
    html = "<html><meta charset=gbk><p>政府信息公开</p></html>"
    assert content.corrected_content_type(html.encode("gbk"), "text/html; charset=utf-8") == "text/html; charset=gb18030"
    assert content.corrected_content_type(html.encode("gbk"), "text/html; charset=GBK") == "text/html; charset=GBK"


def test_resolve_charset_prefers_what_decodes_cleanly():
    text = "<html><head><meta charset='{}'></head><body>政府信息公开工作年度报告〔2022〕</body></html>"
    assert content.resolve_charset(text.format("gbk").encode("gbk"), "text/html; charset=utf-8") == ("gb18030", "meta")
    assert content.resolve_charset(text.format("gbk").encode("utf-8"), "text/html; charset=gbk")[0] == "utf-8"
    assert content.resolve_charset(b"\xef\xbb\xbf" + "政".encode(), "text/html; charset=gbk") == ("utf-8", "bom")
    assert content.resolve_charset(b"<p>ascii only</p>", "text/html; charset=gbk") == ("gb18030", "header")
    garbage = "政府".encode("gbk") + b"\x80\xff" + "信息".encode("utf-8")
    assert content.resolve_charset(garbage, None)[1] == "fewest replacement characters"


def test_soft_404_detection():
    assert content.soft_404_reason("<title>页面不存在</title>".encode()) == "soft 404: 页面不存在"
    assert content.soft_404_reason("<html><body><h2>404</h2>找不到页面</body></html>".encode())
    long_report = report_page("澜州市某局").replace("</body>".encode(), "页面不存在</body>".encode())
    assert content.soft_404_reason(long_report) is None
    assert content.soft_404_reason(b"%PDF-1.4 page not found") is None


def test_js_redirect_shell_detection():
    shell = b'<html><script type="text/javascript">window.location = "../new/index.html";</script></html>'
    assert content.js_redirect_target(shell, "http://h/a/b/old.html") == "http://h/a/new/index.html"
    assert content.js_redirect_target(b"<script>top.location.replace('http://x.cn/y')</script>",
                                      "http://h/") == "http://x.cn/y"
    assert content.js_redirect_target(b"<script>location.href='javascript:void(0)'</script>", "http://h/") is None
    # a real page with a redirect script somewhere is content, not a shell
    page = report_page("澜州市某局").replace(b"</body>", b"<script>location.href='/x'</script></body>")
    assert content.js_redirect_target(page, "http://h/") is None


# --- unit tests: politeness.py ---------------------------------------------------------------------

def test_retry_after_parsing():
    assert politeness.parse_retry_after("120") == 120
    assert politeness.parse_retry_after(b"3") == 3
    assert politeness.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert politeness.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert politeness.parse_retry_after("soon") is None and politeness.parse_retry_after(None) is None


def test_backoff_gate_and_budget():
    assert [politeness.backoff_delay(n, 1.0, 5.0) for n in range(5)] == [0, 1, 2, 4, 5]
    clock = [100.0]
    gate = politeness.HostGate(clock=lambda: clock[0])
    gate.hold("h", 2)
    gate.hold("h", 1)  # a shorter hold never shortens a longer one
    assert gate.wait("h") == 2 and gate.wait("other") == 0
    clock[0] += 3
    assert gate.wait("h") == 0
    budget = politeness.PageBudget(2)
    assert [budget.charge("s") for _ in range(3)] == [True, True, False]
    assert budget.exhausted == ["s"] and politeness.PageBudget(0).charge("s")


# --- unit tests: summary ---------------------------------------------------------------------------

def test_failure_kinds_and_reason_keys():
    assert failure_kind("listing: HTTP 503", 503) == "down"
    assert failure_kind("report: DownloadTimeoutError: Getting http://h/x took longer than 1 seconds.") == "down"
    assert failure_kind("listing: HTTP 404", 404) == "moved"
    assert failure_kind("listing: soft 404: 页面不存在") == "moved"
    assert failure_kind("report: HTTP 429", 429) == "blocks us"
    assert failure_kind("report: HTTP 403", 403) == "blocks us"
    assert failure_kind("report: page budget exhausted: 10 requests per site") == "trap"
    assert reason_key("report: outside the allowed domains of x: http://10.0.0.1/a") == \
        "report: outside the allowed domains of x: <url>"
