"""A simulated national web: hundreds of synthetic government portals on loopback, by host name.

Each portal is drawn for a real registry row at the row's own host name (``www.bjdch.gov.cn``), on
one of the platform families (TRS, Hanweb with dataproxy.jsp, gkmlpt JSON, 四川 iList.jsp, a
separate ``xxgk.`` host, a plain site), with its 年报 column 1–4 links below the home page, department
pages, links off the site, and some fates: moved (home redirects to another host or path), dead (no
DNS, or nothing listening), blocked (403, or a JavaScript challenge page) and one endless calendar
trap. One threaded HTTP server on a loopback address answers every host by its ``Host`` header;
``SimResolver`` (Scrapy's ``TWISTED_DNS_RESOLVER``) maps the names to loopback addresses from a JSON file,
so the crawl connects to 127.x only and the network guard stays on. Pages are rendered on the fly
from a seed; ``World.expected`` says what a perfect crawl finds.

    with serve_world(load_sites("data/sites.csv"), n=320) as world:
        world.write_registry(path); world.write_hosts(hosts_json)
        # crawl with -s TWISTED_DNS_RESOLVER=govcrawl.demo.simweb.SimResolver -s GOVCRAWL_SIM_HOSTS=hosts_json
        world.requests   # [(host, path, status)], every request the servers answered
"""
from __future__ import annotations

import contextlib
import csv
import html
import io
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

FAMILIES = ("trs", "hanweb", "gkmlpt", "ilist", "xxgk", "generic")
SERVE_IP = "127.0.0.61"  # every live portal
DEAD_IP = "127.0.0.62"  # resolves, but nothing listens: connection refused
PER_PAGE = 5
_REPORT_TEMPLATE = (Path(__file__).resolve().parents[2] / "data" / "demo" / "sites" / "luwan" / "zwgk"
                    / "zfxxgk" / "zfxxgknb" / "202302" / "t20230215_3187706.htm")
_COLUMN_LABELS = ("政府信息公开年报", "政府信息公开工作年度报告", "年度报告", "信息公开年报",
                  "政府信息公开年度报告")


@dataclass
class Portal:
    site_id: str
    name: str
    host: str  # the portal's host, as in the registry
    domain: str  # the registry's allowed domain
    family: str
    depth: int  # links from home to the column
    fate: str  # ok | moved_host | moved_path | dead_dns | dead_conn | blocked_403 | blocked_js | trap
    n_reports: int
    column_label: str
    index: int
    new_host: str = ""

    @property
    def short(self) -> str:
        return re.sub(r"人民政府$|行政公署$", "", self.name)

    @property
    def findable(self) -> bool:
        return self.fate in ("ok", "moved_path", "trap")

    @property
    def expected_health(self) -> str:
        return {"moved_host": "moved", "moved_path": "moved", "dead_dns": "dead", "dead_conn": "dead",
                "blocked_403": "blocked", "blocked_js": "blocked"}.get(self.fate, "ok")


def _fate(i: int) -> str:
    """Mostly healthy portals; every 40 sites one of each failure, and one trap overall."""
    if i == 3:
        return "trap"
    return {7: "dead_dns", 15: "dead_conn", 23: "blocked_403", 31: "blocked_js", 36: "moved_host",
            39: "moved_path"}.get(i % 40, "ok")


def plan(sites, n: int = 320) -> list[Portal]:
    """Pick ``n`` crawlable government rows spread over the registry and draw a portal for each."""
    rows = [s for s in sites if s.level != "department" and s.portal_url and not s.listing_urls
            and urlsplit(s.portal_url).hostname]
    step = max(1, len(rows) // n)
    picked = rows[::step][:n]
    portals = []
    for i, s in enumerate(picked):
        host = urlsplit(s.portal_url).hostname.lower()
        portals.append(Portal(
            site_id=s.site_id, name=s.name, host=host, domain=s.allowed_domains[0],
            family=FAMILIES[i % len(FAMILIES)], depth=1 + (i // len(FAMILIES)) % 4, fate=_fate(i),
            n_reports=4 + i % 9, column_label=_COLUMN_LABELS[i % len(_COLUMN_LABELS)], index=i,
            new_host=f"www.new{i}-moved.gov.cn"))
    return portals


# --- pages --------------------------------------------------------------------------------------

def _page(title: str, body: str, head: str = "") -> bytes:
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"{head}</head><body>{body}</body></html>").encode("utf-8")


def _a(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


class Site:
    """The pages of one portal, keyed by path (and ``xxgk.`` host for that family)."""

    def __init__(self, portal: Portal, port: int, report_template: str):
        self.p = portal
        self.port = port
        self.template = report_template
        self.cid = 3000 + portal.index  # column / category id
        self.steps = self._steps()
        self.redirects: dict[str, str] = {}  # path → new URL: a site that moved a page (tests set it)

    # URLs of the chain home → … → column
    def _origin(self, host: str | None = None) -> str:
        return f"http://{host or self.p.host}:{self.port}"

    def xxgk_host(self) -> str:
        return "xxgk." + self.p.domain

    def _steps(self) -> list[tuple[str, str]]:
        """(url, label) of each page after home, the last one the column."""
        p, o = self.p, self._origin()
        d = p.depth
        labels = ["政务公开", "政府信息公开", "信息公开目录"][: d - 1] + [p.column_label]
        if p.family == "trs":
            paths = [f"/zwgk_{p.index}/", f"/zwgk_{p.index}/zfxxgk/", f"/zwgk_{p.index}/zfxxgk/fdzdgknr/"]
            urls = [o + x for x in paths[: d - 1]] + [o + f"/zwgk_{p.index}/zfxxgk/zfxxgknb/index.html"]
        elif p.family == "hanweb":
            urls = [o + f"/col/col{1000 + k}/index.html" for k in range(d - 1)] + [o + f"/col/col{self.cid}/index.html"]
        elif p.family == "gkmlpt":
            d = max(d, 2)
            labels = ["政务公开", "政府信息公开"][: d - 2] + ["政府信息公开目录"] + ["政府信息公开年报"]
            urls = [o + "/zwgk/", o + "/zwgk/xxgk/"][: d - 2] + [o + "/gkmlpt/index"] + \
                   [o + f"/gkmlpt/api/all/{self.cid}?page=1&sid={self._sid()}"]
        elif p.family == "ilist":
            urls = [o + f"/info/iList.jsp?cat_id={100 + k}" for k in range(d - 1)] + \
                   [o + f"/info/iList.jsp?cat_id={self.cid}"]
        elif p.family == "xxgk":
            x = self._origin(self.xxgk_host())
            urls = [x + "/", x + "/xxgkml/", x + "/xxgkml/fdzd/"][: d - 1] + [x + "/zfxxgknb/index.html"]
            labels = ["政府信息公开", "信息公开目录", "法定主动公开内容"][: d - 1] + [p.column_label]
        else:
            urls = [o + "/zwgk/", o + "/zwgk/xxgk/", o + "/zwgk/xxgk/ml/"][: d - 1] + [o + "/zwgk/xxgk/ndbg/list.html"]
        return list(zip(urls, labels))

    def _sid(self) -> str:
        return f"{700 + self.p.index}"

    def column_url(self) -> str:
        return self.steps[-1][0]

    def reports(self) -> list[tuple[int, str, str]]:
        """(year, url, title) of every report the column lists, newest first."""
        p, o = self.p, self._origin()
        out = []
        for k in range(p.n_reports):
            year = 2024 - k % 7
            title = f"{p.short}{year}年政府信息公开工作年度报告" + (f"（{k // 7 + 1}）" if k >= 7 else "")
            rid = 5000 + p.index * 20 + k
            if p.family == "trs":
                url = o + f"/zwgk_{p.index}/zfxxgk/zfxxgknb/{year + 1}01/t{year + 1}0115_{rid}.html"
            elif p.family == "hanweb":
                url = o + f"/art/{year + 1}/1/15/art_{self.cid}_{rid}.html"
            elif p.family == "gkmlpt":
                url = o + f"/gkmlpt/content/{rid // 100}/{rid}/post_{rid}.html"
            elif p.family == "ilist":
                url = o + f"/info/iIndex.jsp?cat_id={self.cid}&info_id={rid}"
            elif p.family == "xxgk":
                url = self._origin(self.xxgk_host()) + f"/zfxxgknb/{rid}.html"
            else:
                url = o + f"/zwgk/xxgk/ndbg/{rid}.html"
            out.append((year, url, title))
        return out

    # --- rendering ----------------------------------------------------------------------------

    def respond(self, host: str, path_qs: str) -> tuple[int, dict, bytes]:
        p = self.p
        path = urlsplit(path_qs).path
        if p.fate == "blocked_403":
            return 403, {}, _page("403 Forbidden", "<h1>403 Forbidden</h1><p>您的访问被拒绝</p>")
        if p.fate == "blocked_js":
            return 200, {}, _page("安全验证", "<noscript>请开启JavaScript并刷新该页</noscript>",
                                  '<script>document.cookie="__jsl_clearance=1700000000.1|0|abc";'
                                  "location.href=location.pathname+location.search;</script>")
        if path == "/robots.txt":
            return 404, {}, b"not found"
        if path_qs in self.redirects:
            return 301, {"Location": self.redirects[path_qs]}, b""
        if host == p.host and path == "/" and p.fate == "moved_host":
            return 301, {"Location": f"http://{p.new_host}:{self.port}/"}, b""
        if host == p.host and path == "/" and p.fate == "moved_path":
            return 302, {"Location": "/2024gb/index.html"}, b""
        url = f"http://{host}:{self.port}{path_qs}"
        if host == p.host and path == "/" and p.index % 7 == 5 and p.fate == "ok":
            # a JavaScript shell in front of the real home page, as many portals have
            return 200, {}, _page(p.name, "", '<script>window.location.href="/index.shtml";</script>')
        if host == p.host and (path == "/" and p.fate != "moved_path" or path in ("/2024gb/index.html", "/index.shtml")):
            return 200, {}, self.home()
        for k, (step_url, _) in enumerate(self.steps[:-1]):
            if step_url.endswith("/gkmlpt/index"):
                continue  # drawn by the platform itself, below
            if url == step_url or (k == 0 and p.family == "xxgk" and url == step_url.rstrip("/") + "/"):
                return 200, {}, self.step_page(k)
        body = self.column_or_report(url, path)
        if body is not None:
            return 200, {"Content-Type": body[0]}, body[1]
        if path.startswith("/bmlj/"):
            return 200, {}, self.departments()
        if path.startswith("/zwgk/rili"):
            month = int(dict(parse_qsl(urlsplit(path_qs).query)).get("m", "0") or 0)
            return 200, {}, _page("信息公开日历", _a(f"/zwgk/rili?m={month + 1}", "信息公开日历 下一月")
                                  + _a(f"/zwgk/rili?m={month - 1}", "信息公开日历 上一月"))
        if path.startswith(("/xwdt/", "/bm/")):
            return 200, {}, _page("新闻动态", _a("/", "首页") + "<p>新闻</p>")
        return 404, {}, _page("404", "<h1>页面不存在</h1>")

    def _nav(self) -> str:
        return (_a("/", "首页") + _a("/xwdt/", "新闻动态") + _a("http://www.gov.cn/", "中国政府网")
                + _a("http://www.example-links.cn/", "友情链接") + _a("/bmlj/", "政府部门"))

    def home(self) -> bytes:
        first_url, first_label = self.steps[0]
        if self.p.index % 5 == 4:  # a picture banner: the label is only in the image's alt text
            entry = (f'<a href="{html.escape(first_url, quote=True)}"><img src="/images/banner.png" '
                     f'alt="{html.escape(first_label, quote=True)}"></a>')
        else:
            entry = _a(first_url, first_label)
        body = (f"<h1>{html.escape(self.p.name)}</h1>" + self._nav()
                + entry
                + _a("/xwdt/t1.html", f"关于做好{2023}年政府信息公开工作年度报告编制工作的通知")
                + _a("/xwdt/", "政策解读") + _a("/xwdt/", "互动交流"))
        if self.p.fate == "trap":
            body += _a("/zwgk/rili?m=1", "信息公开日历")
        return _page(self.p.name, body)

    def step_page(self, k: int) -> bytes:
        nxt_url, nxt_label = self.steps[k + 1]
        decoys = _a(self._origin() + "/xwdt/", "政务动态") + _a(self._origin() + "/xwdt/", "依申请公开")
        return _page(self.steps[k][1], self._nav() + decoys + _a(nxt_url, nxt_label))

    def departments(self) -> bytes:
        d = self.p.domain
        return _page("政府部门", self._nav()
                     + _a("/bm/mzj/", "区民政局") + _a(f"http://jw.{d}:{self.port}/", "区教育委员会")
                     + _a("http://www.other-dept.com/", "区水利局") + _a("/xwdt/", "更多"))

    def _listing_slice(self, page: int) -> list[tuple[int, str, str]]:
        return self.reports()[(page - 1) * PER_PAGE: page * PER_PAGE]

    def pages(self) -> int:
        return max(1, -(-self.p.n_reports // PER_PAGE))

    def column_or_report(self, url: str, path: str):
        """The column (any page of it, in the family's own paging) or a report, else None."""
        p, col = self.p, self.column_url()
        for year, report_url, title in self.reports():
            if url == report_url:
                return "text/html; charset=utf-8", self.report(year, title)
        html_type = "text/html; charset=utf-8"
        lis = lambda rows: "".join(f"<li>{_a(u, t)}<span>{y + 1}-01-15</span></li>" for y, u, t in rows)  # noqa: E731
        if p.family == "trs":
            base = col.rsplit("/", 1)[0] + "/"
            for n in range(self.pages()):
                if url == base + ("index.html" if n == 0 else f"index_{n}.html") or (n == 0 and url == base):
                    script = (f"<script>var countPage = {self.pages()};"
                              f"createPageHTML(countPage, {n}, \"index\", \"html\");</script>")
                    return html_type, _page(p.column_label, self._nav() + f"<ul>{lis(self._listing_slice(n + 1))}</ul>" + script)
        elif p.family == "hanweb":
            inline = p.index % 2 == 0  # records in the page (?uid=&pageNum= pages) or only via dataproxy
            q = dict(parse_qsl(urlsplit(url).query))
            page = int(q["pageNum"]) if (inline and q.get("uid") == str(self.cid) and path == urlsplit(col).path
                                         and q.get("pageNum", "").isdigit()) else 0
            if url == col or page:
                rows = self._listing_slice(page or 1) if inline else []
                records = "".join(f"<record><![CDATA[<li>{_a(u, t)}</li>]]></record>" for _, u, t in rows)
                script = (f"<script>$('#{self.cid}').jpage({{dataStore: dataStore, perPage: {PER_PAGE}, "
                          f"totalRecord: {p.n_reports}, proxyUrl: '/module/web/jpage/dataproxy.jsp', "
                          f"ajaxParam: {{col: 1, webid: 7, columnid: {self.cid}, unitid: {self.cid + 1}, "
                          f"permissiontype: 0}}}});</script>")
                return html_type, _page(p.column_label, self._nav() + f'<div id="{self.cid}"><script type="text/xml">'
                                        f"<datastore><recordset>{records}</recordset></datastore></script></div>{script}")
            if path == "/module/web/jpage/dataproxy.jsp":
                q = dict(parse_qsl(urlsplit(url).query))
                if q.get("columnid") != str(self.cid):
                    return None
                start, end = int(q.get("startrecord", 1)), int(q.get("endrecord", PER_PAGE))
                rows = self.reports()[start - 1:end]
                records = "".join(f"<record><![CDATA[<li>{_a(u, t)}</li>]]></record>" for _, u, t in rows)
                return ("text/xml; charset=utf-8", (f"<?xml version=\"1.0\" encoding=\"utf-8\"?><datastore>"
                        f"<totalrecord>{p.n_reports}</totalrecord><recordset>{records}</recordset></datastore>").encode())
        elif p.family == "gkmlpt":
            if path == "/gkmlpt/index":
                cats = [{"id": self.cid - 1, "name": "规划信息"}, {"id": self.cid, "name": "政府信息公开年报"},
                        {"id": self.cid + 1, "name": "财政预决算"}]
                script = (f"<script>window._CONFIG = {{SID: '{self._sid()}', DEPTH: 1}};"
                          f"var CLASSIFY = {json.dumps(cats, ensure_ascii=False)};</script>")
                return html_type, _page("政府信息公开目录", self._nav() + '<div id="app"></div>' + script)
            if path == f"/gkmlpt/api/all/{self.cid}":
                q = dict(parse_qsl(urlsplit(url).query))
                if q.get("sid") != self._sid():
                    return None
                page = int(q.get("page", "1") or 1)
                body = {"articles": [{"title": t, "url": u, "date": f"{y + 1}-01-15"} for y, u, t in self._listing_slice(page)],
                        "total": p.n_reports, "page": page}
                return "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode()
        elif p.family == "ilist":
            q = dict(parse_qsl(urlsplit(url).query))
            if path == "/info/iList.jsp" and q.get("cat_id") == str(self.cid):
                page = int(q.get("cur_page", "1") or 1)
                if not 1 <= page <= self.pages():
                    return html_type, _page(p.column_label, "<ul></ul>")
                pager = f"<div>共{self.pages()}页 " + "".join(
                    _a(f"/info/iList.jsp?cat_id={self.cid}&cur_page={k}", str(k)) for k in range(1, self.pages() + 1)) + "</div>"
                return html_type, _page(p.column_label, self._nav() + f"<ul>{lis(self._listing_slice(page))}</ul>" + pager)
        else:
            base = col.rsplit("/", 1)[0] + "/"
            first = col.rsplit("/", 1)[1]
            stem, ext = first.split(".")
            shift = 1 if stem == "index" else 0  # index_1.html is page 2 (TRS habit); list_2.html is page 2

            def name(n: int) -> str:
                return first if n == 1 else f"{stem}_{n - shift}.{ext}"
            for n in range(1, self.pages() + 1):
                if url == base + name(n):
                    pager = _a(base + name(n + 1), "下一页") if n < self.pages() else ""
                    return html_type, _page(p.column_label, self._nav() + f"<ul>{lis(self._listing_slice(n))}</ul>" + pager)
        return None

    def report(self, year: int, title: str) -> bytes:
        text = self.template.replace("鹭湾区2022年政府信息公开工作年度报告", title)
        text = text.replace("澜州市鹭湾区人民政府", self.p.name).replace("鹭湾区", self.p.short)
        return text.encode("utf-8")


# --- serving ------------------------------------------------------------------------------------

@dataclass
class World:
    portals: list[Portal]
    port: int
    sites: dict[str, Site] = field(default_factory=dict)  # by host
    requests: list[tuple[str, str, int]] = field(default_factory=list)

    def hosts(self) -> dict[str, str]:
        """Host name → loopback address for the resolver; dead-by-DNS hosts are left out."""
        out = {"www.gov.cn": SERVE_IP, "www.example-links.cn": SERVE_IP, "www.other-dept.com": SERVE_IP}
        for p in self.portals:
            if p.fate == "dead_dns":
                continue
            ip = DEAD_IP if p.fate == "dead_conn" else SERVE_IP
            out[p.host] = ip
            out["xxgk." + p.domain] = ip
            out["jw." + p.domain] = ip
            out[p.new_host] = SERVE_IP
        return out

    def write_hosts(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.hosts(), indent=0), encoding="utf-8")

    def registry_rows(self, sites) -> str:
        """The registry rows of the world's portals, URLs pointed at the world's port (http)."""
        wanted = {p.site_id: p for p in self.portals}
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["site_id", "name", "level", "division_code", "parent_id", "listing_urls",
                    "allowed_domains", "platform", "verified", "portal_url", "valid_from", "valid_to",
                    "province"])
        for s in sites:
            if s.site_id in wanted:
                p = wanted[s.site_id]
                w.writerow([s.site_id, s.name, s.level, s.division_code, "", "", " ".join(s.allowed_domains),
                            "", "0", f"http://{p.host}:{self.port}/", s.valid_from or "", s.valid_to or "",
                            s.extra.get("province", "")])
        return buf.getvalue()

    def expected(self) -> dict[str, dict]:
        """Per site: fate, expected health, column URL and report URLs a perfect crawl finds."""
        out = {}
        for p in self.portals:
            site = self.sites[p.host]
            out[p.site_id] = {"fate": p.fate, "health": p.expected_health, "family": p.family,
                              "depth": p.depth, "findable": p.findable, "column": site.column_url(),
                              "reports": [u for _, u, _ in site.reports()] if p.findable else [],
                              "domain": p.domain, "new_host": p.new_host}
        return out

    def owner(self, host: str) -> Portal | None:
        host = host.split(":")[0].lower()
        for p in self.portals:
            if host == p.domain or host.endswith("." + p.domain):
                return p
        return None


class _Handler(BaseHTTPRequestHandler):
    world: World
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802
        host = (self.headers.get("Host") or "").split(":")[0].lower()
        site = self.world.sites.get(host)
        if site is None:
            for candidate in self.world.sites.values():  # xxgk./jw. hosts and moved targets
                if host in (candidate.xxgk_host(), "jw." + candidate.p.domain):
                    site = candidate
                    break
        if site is None:
            status, headers, body = 404, {}, _page("404", "<h1>no such site</h1>")
        else:
            try:
                status, headers, body = site.respond(host, self.path)
            except Exception as exc:  # a bug in a synthetic page must show, not hang the crawl
                status, headers, body = 500, {}, f"simweb error: {exc!r}".encode()
        self.world.requests.append((host, self.path, status))
        self.send_response(status)
        self.send_header("Content-Type", headers.pop("Content-Type", "text/html; charset=utf-8"))
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # quiet
        pass


@contextlib.contextmanager
def serve_world(sites, n: int = 320):
    """Start the world's server on ``SERVE_IP`` (a free port) and yield the World."""
    portals = plan(sites, n)
    server = ThreadingHTTPServer((SERVE_IP, 0), _Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    world = World(portals, port)
    template = _REPORT_TEMPLATE.read_text(encoding="utf-8")
    world.sites = {p.host: Site(p, port, template) for p in portals}
    handler = type("Handler", (_Handler,), {"world": world})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield world
    finally:
        server.shutdown()
        server.server_close()


# --- the resolver the crawl uses ------------------------------------------------------------------

def _resolver_class():
    from twisted.internet import defer
    from twisted.internet.error import DNSLookupError
    from twisted.internet.interfaces import IResolverSimple
    from zope.interface import implementer

    @implementer(IResolverSimple)
    class SimResolver:
        """Scrapy ``TWISTED_DNS_RESOLVER``: names from the world's hosts file, loopback addresses only."""

        def __init__(self, reactor, hosts: dict[str, str]):
            self.reactor = reactor
            self.hosts = hosts

        @classmethod
        def from_crawler(cls, crawler, reactor):
            path = crawler.settings.get("GOVCRAWL_SIM_HOSTS")
            hosts = json.loads(Path(path).read_text(encoding="utf-8")) if path else {}
            return cls(reactor, hosts)

        def install_on_reactor(self):
            self.reactor.installResolver(self)

        def getHostByName(self, name, timeout=()):  # noqa: N802
            name = name.lower().rstrip(".")
            if re.fullmatch(r"127(?:\.\d{1,3}){3}|localhost", name):
                return defer.succeed("127.0.0.1" if name == "localhost" else name)
            ip = self.hosts.get(name)
            if ip is None or not ip.startswith("127."):
                return defer.fail(DNSLookupError(f"simulated web: no such host {name}"))
            return defer.succeed(ip)

    return SimResolver


def __getattr__(name: str):
    if name == "SimResolver":  # built lazily: Twisted is only needed inside a crawl
        return _resolver_class()
    raise AttributeError(name)


# --- scoring a crawl of the world -----------------------------------------------------------------

def evaluate(world: World, db_path: Path, allows: dict) -> dict:
    """How a crawl of the world did: columns found, reports archived, requests off-domain, health.

    ``allows`` maps site_id → ``Site.allows`` of the registry rows crawled.
    """
    import sqlite3

    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    state = {r["site_id"]: dict(r) for r in conn.execute("select * from site_state")}
    captured = {r["url"] for r in conn.execute("select url from captures where status = 200")}
    off_site = [(r["site_id"], r["url"]) for r in conn.execute("select site_id, url from captures")
                if r["site_id"] in allows and not allows[r["site_id"]](r["url"])]
    reports_rows = conn.execute("select count(*) from reports where is_current = 1").fetchone()[0]
    conn.close()
    expected = world.expected()
    findable = [k for k, e in expected.items() if e["findable"]]
    found = [k for k in findable if (state.get(k, {}).get("column_urls") or "").split()[:1] == [expected[k]["column"]]]
    want_reports = [u for k in found for u in expected[k]["reports"]]
    got_reports = [u for u in want_reports if u in captured]
    external = {"www.gov.cn", "www.example-links.cn", "www.other-dept.com"} | {p.new_host for p in world.portals}
    off_domain = [(h, path) for h, path, _ in world.requests if h in external or world.owner(h) is None]
    wrong_health = {k: (e["health"], state.get(k, {}).get("health")) for k, e in expected.items()
                    if state.get(k, {}).get("health") != e["health"]}
    named = {k: e for k, e in expected.items() if e["health"] != "ok"}
    return {
        "portals": len(expected), "findable": len(findable), "columns_found": len(found),
        "columns_found_pct": round(100 * len(found) / max(1, len(findable)), 2),
        "missed_columns": sorted(set(findable) - set(found)),
        "reports_expected": len(want_reports), "reports_archived": len(got_reports),
        "reports_pct": round(100 * len(got_reports) / max(1, len(want_reports)), 2),
        "report_rows": reports_rows,
        "requests": len(world.requests), "requests_off_domain": len(off_domain) + len(off_site),
        "off_domain_examples": (off_domain + off_site)[:5],
        "failing_sites": len(named),
        "failing_named_correctly": sum(1 for k in named if k not in wrong_health),
        "wrong_health": wrong_health,
        "health_counts": {h: sum(1 for r in state.values() if r.get("health") == h)
                          for h in ("ok", "moved", "dead", "blocked", "no column")},
    }


def crawl_settings(hosts_file: Path, *, per_host: int = 2) -> list[str]:
    """``-s`` settings for a crawl of the world: its resolver, fast loopback politeness."""
    return ["TWISTED_DNS_RESOLVER=govcrawl.demo.simweb.SimResolver", f"GOVCRAWL_SIM_HOSTS={hosts_file}",
            "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "CONCURRENT_REQUESTS=64",
            f"CONCURRENT_REQUESTS_PER_DOMAIN={per_host}", "RETRY_TIMES=1",
            "GOVCRAWL_RETRY_BACKOFF_BASE=0.05", "DOWNLOAD_TIMEOUT=10", "LOG_LEVEL=INFO"]


def main(argv: list[str] | None = None) -> int:
    """Serve the world in the foreground and print the crawl command that uses it (Ctrl-C stops)."""
    import argparse
    import time

    from govcrawl.registry import load_sites

    p = argparse.ArgumentParser(description="Serve the simulated national web on loopback.")
    p.add_argument("--portals", type=int, default=320)
    p.add_argument("--sites", default="data/sites.csv", help="the registry whose rows get portals")
    p.add_argument("--out", type=Path, default=Path("data/simweb"), help="where sites.csv and hosts.json go")
    args = p.parse_args(argv)
    sites = load_sites(args.sites)
    args.out.mkdir(parents=True, exist_ok=True)
    with serve_world(sites, args.portals) as world:
        (args.out / "sites.csv").write_text(world.registry_rows(sites), encoding="utf-8")
        world.write_hosts(args.out / "hosts.json")
        settings = " ".join(f"-s {s}" for s in crawl_settings(args.out / "hosts.json")
                            if not s.startswith("LOG_LEVEL"))
        print(f"{len(world.portals)} portals on {SERVE_IP}:{world.port}; in another shell:\n"
              f"  GOVCRAWL_LOOPBACK_ONLY=1 govcrawl crawl --sites {args.out / 'sites.csv'} "
              f"--db {args.out / 'archive.db'} --warc-dir {args.out / 'warc'} {settings}\n"
              f"  govcrawl sites --health --sites {args.out / 'sites.csv'} --db {args.out / 'archive.db'}",
              flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":
    raise SystemExit(main())
