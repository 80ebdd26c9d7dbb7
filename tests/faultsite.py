"""A fault-injecting web server for crawler tests: several loopback "hosts", one port, and a
route table per host that says how each path misbehaves.

    from faultsite import FaultServer, Reply, fail_then, redirect
    with FaultServer(["127.0.0.1", "127.0.0.2"]) as srv:
        site = srv.host("127.0.0.1")
        site.route("/a.html", Reply(body=b"<html>…"))                   # a plain page
        site.route("/busy", fail_then(2, 503, Reply(body=b"ok")))       # 503, 503, then 200
        site.route("/slow", Reply(body=b"…", delay=0.5))                # answers after 0.5 s
        site.route("/hang", Reply(hang=5))                              # never answers (client times out)
        site.route("/reset", Reply(reset=True))                         # TCP RST instead of an answer
        site.route("/cut", Reply(body=b"x" * 1000, truncate=100))       # announces 1000 bytes, sends 100
        site.route("/loop/", lambda req: redirect(f"/loop/?n={req.n}"), prefix=True)
        srv.url("127.0.0.1", "/a.html")
        srv.requests                      # [Hit(host, method, path, status, start, end, conn), ...]
        srv.max_in_flight["127.0.0.1"]    # most requests being answered at once on that host
        srv.max_connections["127.0.0.1"]  # most TCP connections open at once on that host

A route is a ``Reply`` or a callable ``(Req) -> Reply``; ``Req.n`` counts the requests for that
exact path (1 for the first), ``Req.night`` is ``FaultServer.night`` (tests bump it between crawls).
Replies with a body get a strong ETag and answer ``If-None-Match`` with 304 (``etag=False`` turns
that off). The server never writes to stderr and never talks to anything but its clients.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import socket
import socketserver
import struct
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0          # wait before answering
    hang: float = 0.0           # hold the connection this long without answering, then drop it
    reset: bool = False         # answer with a TCP RST
    truncate: int | None = None  # send only this many body bytes of the announced length, then close
    stream: bool = False        # no Content-Length: stream the body and close (size unknown upfront)
    etag: bool = True


@dataclass
class Req:
    host: str
    path: str  # path + query as sent
    n: int
    night: int
    headers: dict


@dataclass
class Hit:
    host: str
    method: str
    path: str
    status: int  # 0 = no HTTP answer (reset, hang, truncated)
    start: float
    end: float
    conn: int
    note: str = ""


Route = Reply | Callable[[Req], Reply]


def fail_then(times: int, status: int, ok: Reply, headers: dict | None = None) -> Callable[[Req], Reply]:
    """The first ``times`` requests answer ``status`` (with ``headers``), later ones ``ok``."""
    def route(req: Req) -> Reply:
        if req.n <= times:
            return Reply(status=status, body=f"<h1>{status}</h1><p>服务器繁忙，请稍后再试。</p>".encode(),
                         headers=dict(headers or {}), etag=False)
        return ok
    return route


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, body=f'<a href="{location}">moved</a>'.encode(),
                 headers={"Location": location}, etag=False)


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip stream of zeros that inflates to ``inflated_bytes`` (about 1000:1)."""
    buf = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
        for _ in range(inflated_bytes // len(chunk)):
            z.write(chunk)
    return buf.getvalue()


class _HostState:
    def __init__(self, server: "FaultServer", ip: str):
        self.server = server
        self.ip = ip
        self.routes: dict[str, Route] = {}
        self.prefixes: list[tuple[str, Route]] = []
        self.counts: Counter[str] = Counter()

    def route(self, path: str, reply: Route, *, prefix: bool = False) -> "_HostState":
        if prefix:
            self.prefixes.append((path, reply))
            self.prefixes.sort(key=lambda pr: -len(pr[0]))
        else:
            self.routes[path] = reply
        return self

    def find(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        bare = path.split("?", 1)[0]
        if bare in self.routes:
            return self.routes[bare]
        for p, r in self.prefixes:
            if path.startswith(p):
                return r
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache"
    sys_version = ""

    def log_message(self, format, *args):  # noqa: A002
        pass

    @property
    def fs(self) -> "FaultServer":
        return self.server.fault  # type: ignore[attr-defined]

    @property
    def ip(self) -> str:
        return self.server.server_address[0]

    def handle(self):
        fs = self.fs
        with fs.lock:
            fs._conn_seq += 1
            self.conn_id = fs._conn_seq
            fs._open[self.ip] += 1
            fs.max_connections[self.ip] = max(fs.max_connections[self.ip], fs._open[self.ip])
        try:
            super().handle()
        except OSError:
            pass
        finally:
            with fs.lock:
                fs._open[self.ip] -= 1

    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def _serve(self, head: bool):
        fs, ip = self.fs, self.ip
        start = time.time()
        with fs.lock:
            fs._in_flight[ip] += 1
            fs.max_in_flight[ip] = max(fs.max_in_flight[ip], fs._in_flight[ip])
            state = fs.hosts.get(ip)
            path = urllib.parse.unquote(self.path)
            if state is not None:
                state.counts[path] += 1
                n = state.counts[path]
        status, note = 0, ""
        try:
            route = state.find(path) if state else None
            if route is None:
                reply = Reply(status=404, body="<h1>404</h1><p>您访问的页面不存在。</p>".encode(), etag=False)
            elif callable(route):
                reply = route(Req(ip, path, n, fs.night, dict(self.headers.items())))
            else:
                reply = route
            status, note = self._answer(reply, head)
        except OSError:
            note = note or "client went away"
        finally:
            with fs.lock:
                fs._in_flight[ip] -= 1
                fs.requests.append(Hit(ip, self.command, path, status, start, time.time(), self.conn_id, note))

    def _answer(self, r: Reply, head: bool) -> tuple[int, str]:
        if r.delay:
            time.sleep(r.delay)
        if r.hang:
            self._sleep_unless_closed(r.hang)
            self.close_connection = True
            return 0, "hung up without answering"
        if r.reset:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return 0, "reset"
        etag = '"%s"' % hashlib.sha1(r.body).hexdigest()[:20] if r.etag and r.status == 200 else None
        if etag and etag in [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return 304, ""
        self.send_response(r.status)
        if r.content_type:
            self.send_header("Content-Type", r.content_type)
        if etag:
            self.send_header("ETag", etag)
        for k, v in r.headers.items():
            self.send_header(k, v)
        if r.stream:
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        if head:
            return r.status, ""
        if r.truncate is not None:
            self.wfile.write(r.body[: r.truncate])
            self.wfile.flush()
            self.close_connection = True
            return r.status, f"truncated at {r.truncate} of {len(r.body)} bytes"
        if r.stream:
            for i in range(0, len(r.body), 65536):
                self.wfile.write(r.body[i:i + 65536])
            return r.status, "streamed"
        self.wfile.write(r.body)
        return r.status, ""

    def _sleep_unless_closed(self, seconds: float) -> None:
        """Wait without answering, but stop as soon as the client has given up (closed)."""
        import select

        end = time.time() + seconds
        while (left := end - time.time()) > 0:
            try:
                readable, _, _ = select.select([self.connection], [], [], left)
                if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                    return
                if readable:
                    time.sleep(0.01)  # pipelined bytes, not a close: keep holding
            except OSError:
                return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def server_bind(self):  # no reverse-DNS lookup (HTTPServer.server_bind calls getfqdn)
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        pass


class FaultServer:
    """One ThreadingHTTPServer per loopback address, all on the same port."""

    def __init__(self, ips: list[str], port: int = 0):
        self.lock = threading.Lock()
        self.hosts: dict[str, _HostState] = {}
        self.requests: list[Hit] = []
        self.night = 1
        self.max_in_flight: Counter[str] = Counter()
        self.max_connections: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._open: Counter[str] = Counter()
        self._conn_seq = 0
        self._servers: list[tuple[_Server, threading.Thread]] = []
        self.port = port
        try:
            for ip in ips:
                srv = _Server((ip, self.port), _Handler)
                srv.fault = self  # type: ignore[attr-defined]
                self.port = srv.server_address[1]
                t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                                     name=f"faultsite-{ip}", daemon=True)
                t.start()
                self._servers.append((srv, t))
                self.hosts[ip] = _HostState(self, ip)
        except BaseException:
            self.close()
            raise

    def host(self, ip: str) -> _HostState:
        return self.hosts[ip]

    def netloc(self, ip: str) -> str:
        return f"{ip}:{self.port}"

    def url(self, ip: str, path: str = "/") -> str:
        return f"http://{ip}:{self.port}{path}"

    def hits(self, ip: str | None = None, path: str | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.requests if (ip is None or h.host == ip)
                    and (path is None or h.path == path)]

    def reset_log(self) -> None:
        with self.lock:
            self.requests.clear()
            self.max_in_flight.clear()
            self.max_connections.clear()

    def close(self) -> None:
        for srv, _ in self._servers:
            srv.shutdown()
            srv.server_close()
        for _, t in self._servers:
            t.join(timeout=5)
        self._servers.clear()

    def __enter__(self) -> "FaultServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def per_host_in_flight_from_log(hits: list[Hit], grace: float = 0.02) -> dict[str, int]:
    """Most requests open at once per host, recomputed from the request log (start/end times).

    A request the client abandoned (timeout) ends when the server notices the close, a moment
    after the client let go of it; ``grace`` seconds are taken off such ends.
    """
    events = defaultdict(list)
    for h in hits:
        end = h.end - grace if h.note.startswith("hung up") else h.end
        events[h.host] += [(h.start, 1), (max(h.start, end), -1)]
    out = {}
    for host, ev in events.items():
        cur = peak = 0
        for _, d in sorted(ev, key=lambda e: (e[0], e[1])):
            cur += d
            peak = max(peak, cur)
        out[host] = peak
    return out


@dataclass
class CrawlResult:
    returncode: int
    seconds: float
    peak_rss_mb: float
    log: str


def run_crawl_measured(registry, db, warc_dir, log_path, *settings: str, timeout: float = 120) -> CrawlResult:
    """``scrapy crawl reports`` in a subprocess (loopback guard on), with its own peak RSS
    (``helpers.peak_rss_mb``, read until it exits)."""
    import os
    import signal
    import subprocess

    from helpers import ROOT, crawl_command, crawl_env, peak_rss_mb

    cmd = crawl_command(registry, db, warc_dir, *settings)
    started = time.monotonic()
    peak = 0.0
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=crawl_env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = started + timeout
        while True:
            peak = max(peak, peak_rss_mb(proc.pid) or 0.0)  # read while the process (zombie or not) has it
            pid, status, _usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.send_signal(signal.SIGKILL)
                pid, status, _usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = open(log_path, encoding="utf-8", errors="replace").read()
    return CrawlResult(proc.returncode, time.monotonic() - started, peak, text)


# --- content for test sites -------------------------------------------------------------------------

def _demo_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "data" / "demo"


REPORT_TEMPLATE_PATH = "sites/lzsw/zwgk/zfxxgknb/202301/t20230129_3171920.html"  # 2022 report, 2021 template
TEMPLATE_AGENCY = "澜州市水务局"


def report_page(agency: str, *, encoding: str = "utf-8", meta_charset: str | None = None) -> bytes:
    """A valid 2021-template report page (the demo's lzsw 2022 report) for another agency."""
    html = (_demo_dir() / REPORT_TEMPLATE_PATH).read_text(encoding="utf-8").replace(TEMPLATE_AGENCY, agency)
    if meta_charset:
        html = html.replace('<meta charset="utf-8">', f'<meta charset="{meta_charset}">', 1)
    return html.encode(encoding)


def title(agency: str) -> str:
    return f"{agency}2022年政府信息公开工作年度报告"


def listing(links: list[tuple[str, str]], next_url: str | None = None, pages: list[str] = ()) -> bytes:
    """A 年报 listing page: report links, an optional 下一页 link and numbered page links."""
    items = "\n".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    pager = f'<a href="{next_url}">下一页</a>' if next_url else ""
    pager += "".join(f' <a href="{p}">{i + 1}</a>' for i, p in enumerate(pages))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年度报告</title>'
            f"</head><body><ul>{items}</ul>{pager}</body></html>").encode("utf-8")
