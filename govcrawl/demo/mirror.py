"""Serve the offline demo mirror (data/demo/sites/<site_dir>/…) as separate loopback "sites".

Each site directory gets its own ``http.server.ThreadingHTTPServer`` on its own loopback address
(127.0.0.11, 127.0.0.12, … in sorted site-dir order — Linux routes all of 127/8 to ``lo``), and
all share one port when possible: the first server binds port 0 (or ``port``), the rest reuse that
port number; a site whose bind fails falls back to a free port of its own. So every site has a
distinct host like a real government site, and URLs stay short::

    from govcrawl.demo.mirror import serve_mirror, load_quirks
    with serve_mirror(Path("data/demo/sites"), load_quirks(Path("data/demo/quirks.json"))) as m:
        m.hosts                     # {"luwan": "127.0.0.11:40123", "lzhb": "127.0.0.12:40123", ...}
        m.url("luwan", "/robots.txt")
        csv_text = m.render_registry(Path("data/demo/sites.csv.in"))
        m.requests                  # [(host, method, path, status, unix_time), ...]

``python -m govcrawl.demo.mirror [--root data/demo] [--port N] [--registry-out FILE]`` serves it in
the foreground and prints the addresses (Ctrl-C stops).

Static-file rules
-----------------
* ``/dir/`` serves ``dir/index.html`` (then ``index.htm``); ``/dir`` (a directory) redirects 301
  to ``/dir/``; anything missing is a 404 with a small HTML body.
* Query strings: ``/p?x=1`` serves the file literally named ``p?x=1`` if it exists (wget's
  convention for saved dynamic pages — used by the ``?uid=…&pageNum=2`` listing), else ``/p``.
* Content-Type by extension; HTML and other text types get ``; charset=utf-8`` unless the quirks
  say otherwise. ``Last-Modified`` (file mtime) and a strong ``ETag`` (content hash) are sent on
  every 200; ``If-None-Match`` / ``If-Modified-Since`` are answered with 304. GET and HEAD only.
* The server never writes to stderr; every request is appended to ``Mirror.requests``.

Quirks file (``data/demo/quirks.json``), keyed by site dir; keys starting with ``_`` are comments::

    {"<site_dir>": {
        "charset_header": "utf-8" | null,   # charset in Content-Type of text files; null = none
                                            #   at all (the page declares it only in <meta>)
        "fail_once": ["/path", ...],        # first request for the path answers 500, later 200
                                            #   (re-armed by Mirror.reset())
        "status": {"/path": 404, ...}       # always answer this status (with a small body)
    }}

Paths in quirks are URL paths including any query string, compared after percent-decoding.
"""
from __future__ import annotations

import argparse
import email.utils
import hashlib
import ipaddress
import json
import mimetypes
import re
import socketserver
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["Mirror", "serve_mirror", "load_quirks", "DEFAULT_ROOT"]

DEFAULT_ROOT = Path(__file__).resolve().parents[2] / "data" / "demo"

TYPES = {
    ".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".txt": "text/plain",
    ".css": "text/css", ".js": "application/javascript", ".json": "application/json",
    ".xml": "application/xml", ".pdf": "application/pdf", ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".wps": "application/vnd.ms-works", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".ico": "image/x-icon", ".svg": "image/svg+xml", ".zip": "application/zip",
}
TEXTUAL = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


def load_quirks(path: Path | str | None) -> dict:
    """Read quirks.json (missing file -> {}), dropping ``_comment`` style keys."""
    if path is None or not Path(path).is_file():
        return {}
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")}
            for k, v in raw.items() if not k.startswith("_") and isinstance(v, dict)}


def _content_type(path: Path, charset: str | None) -> str:
    ext = "".join(path.suffixes[-1:]).lower()
    ctype = TYPES.get(ext) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if charset and ctype.startswith(TEXTUAL):
        ctype += f"; charset={charset}"
    return ctype


@dataclass
class _Site:
    name: str
    root: Path
    quirks: dict
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None
    failed_once: set = field(default_factory=set)


class _Handler(BaseHTTPRequestHandler):
    server_version = "Apache"  # what many 政府网站 report
    sys_version = ""
    protocol_version = "HTTP/1.1"

    # ---- plumbing -------------------------------------------------------------------------
    @property
    def site(self) -> _Site:
        return self.server.site  # type: ignore[attr-defined]

    @property
    def mirror(self) -> "Mirror":
        return self.server.mirror  # type: ignore[attr-defined]

    def log_message(self, format, *args):  # noqa: A002 - keep stderr quiet
        pass

    def log_request(self, code="-", size="-"):
        try:
            code = int(code)
        except (TypeError, ValueError):
            code = 0
        host = "%s:%d" % self.server.server_address[:2]
        self.mirror._log(host, self.command or "-", self.path, code)

    def _simple(self, status: int, body: str = "", extra: dict | None = None, head: bool = False):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head and data:
            self.wfile.write(data)

    def _error_page(self, status: int, head: bool):
        phrase = HTTPStatus(status).phrase
        body = (f"<!DOCTYPE html><html><head><title>{status} {phrase}</title></head><body>"
                f"<h1>{status} {phrase}</h1><p>您访问的页面不存在或已删除。</p></body></html>")
        self._simple(status, body, head=head)

    # ---- request handling -------------------------------------------------------------------
    def do_GET(self):
        self._serve(head=False)

    def do_HEAD(self):
        self._serve(head=True)

    def _not_allowed(self):
        self._simple(405, "<h1>405 Method Not Allowed</h1>", {"Allow": "GET, HEAD"})

    do_POST = do_PUT = do_DELETE = _not_allowed

    def _serve(self, head: bool):
        site = self.site
        raw_path, _, query = self.path.partition("?")
        upath = urllib.parse.unquote(raw_path)
        key = upath + ("?" + urllib.parse.unquote(query) if query else "")
        q = site.quirks
        with self.mirror._lock:
            fail = key in (q.get("fail_once") or ()) and key not in site.failed_once
            if fail:
                site.failed_once.add(key)
        if fail:
            self._simple(500, "<h1>500 Internal Server Error</h1><p>服务器繁忙，请稍后再试。</p>", head=head)
            return
        forced = (q.get("status") or {}).get(key)
        if forced:
            self._error_page(int(forced), head)
            return

        f = self._resolve(upath, query)
        if f is None:
            self._error_page(404, head)
            return
        if f == "redirect":
            loc = raw_path + "/" + ("?" + query if query else "")
            self._simple(301, f'<a href="{loc}">Moved</a>', {"Location": loc}, head=head)
            return
        try:
            data = f.read_bytes()
            st = f.stat()
        except OSError:
            self._error_page(404, head)
            return
        etag = '"%s"' % hashlib.sha1(data).hexdigest()[:20]
        mtime = int(st.st_mtime)
        last_mod = email.utils.formatdate(mtime, usegmt=True)
        if self._not_modified(etag, mtime):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_mod)
            self.end_headers()
            return
        charset = q.get("charset_header", "utf-8")
        self.send_response(200)
        self.send_header("Content-Type", _content_type(f, charset))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Last-Modified", last_mod)
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "none")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _resolve(self, upath: str, query: str):
        root = self.site.root
        rel = upath.lstrip("/")
        candidate = (root / rel).resolve() if rel else root.resolve()
        try:
            candidate.relative_to(root.resolve())
        except ValueError:
            return None  # path traversal
        if query:
            literal = candidate.parent / (candidate.name + "?" + urllib.parse.unquote(query))
            if rel and not upath.endswith("/") and literal.is_file():
                return literal
            if candidate.is_dir():
                for idx in ("index.html", "index.htm"):
                    lit = candidate / (idx + "?" + urllib.parse.unquote(query))
                    if lit.is_file():
                        return lit
        if candidate.is_dir():
            if upath and not upath.endswith("/"):
                return "redirect"
            for idx in ("index.html", "index.htm"):
                if (candidate / idx).is_file():
                    return candidate / idx
            return None
        return candidate if candidate.is_file() else None

    def _not_modified(self, etag: str, mtime: int) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip() for t in inm.split(",")]
            return "*" in tags or etag in tags or ("W/" + etag) in tags
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                since = email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError, IndexError):
                return False
            return mtime <= since
        return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def server_bind(self):
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse-DNS lookup that can stall
        # for seconds on an offline machine; the name is never used here.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = host, port

    def handle_error(self, request, client_address):  # quiet: clients hanging up are normal
        pass


class Mirror:
    """A set of running site servers. Use as a context manager or call close()."""

    def __init__(self, root: Path, quirks: dict):
        self.root = Path(root)
        self.quirks = quirks
        self.sites: dict[str, _Site] = {}
        self.hosts: dict[str, str] = {}
        self.requests: list[tuple[str, str, str, int, float]] = []
        self._lock = threading.Lock()

    # -- public --------------------------------------------------------------------------------
    def url(self, site_dir: str, path: str = "/") -> str:
        return f"http://{self.hosts[site_dir]}{path if path.startswith('/') else '/' + path}"

    def hostname(self, site_dir: str) -> str:
        return self.hosts[site_dir].rsplit(":", 1)[0]

    def render_registry(self, template_path: Path | str) -> str:
        """Fill ``{host:<site_dir>}`` (ip:port) and ``{hostname:<site_dir>}`` (ip) placeholders."""
        text = Path(template_path).read_text(encoding="utf-8")

        def sub(m):
            kind, sd = m.group(1), m.group(2)
            if sd not in self.hosts:
                raise KeyError(f"registry template refers to unknown site dir {sd!r}")
            return self.hosts[sd] if kind == "host" else self.hostname(sd)

        return re.sub(r"\{(host|hostname):([A-Za-z0-9_.-]+)\}", sub, text)

    def requests_for(self, site_dir: str) -> list[tuple[str, str, str, int, float]]:
        h = self.hosts[site_dir]
        with self._lock:
            return [r for r in self.requests if r[0] == h]

    def switch_root(self, root: Path | str) -> None:
        """Serve every site from ``root/<site_dir>`` from now on, at the same addresses (the demo's
        second state; see ``govcrawl.demo.states``)."""
        root = Path(root)
        with self._lock:
            for name, site in self.sites.items():
                site.root = root / name
            self.root = root

    def reset(self) -> None:
        """Clear the request log and re-arm every fail_once path."""
        with self._lock:
            self.requests.clear()
            for s in self.sites.values():
                s.failed_once.clear()

    def close(self) -> None:
        for s in self.sites.values():
            if s.server is not None:
                s.server.shutdown()
                s.server.server_close()
        for s in self.sites.values():
            if s.thread is not None:
                s.thread.join(timeout=5)
            s.server = s.thread = None

    def __enter__(self) -> "Mirror":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- internal ------------------------------------------------------------------------------
    def _log(self, host: str, method: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((host, method, path, status, time.time()))


def _bind(ip: str, port: int, site: _Site, mirror: Mirror) -> _Server:
    srv = _Server((ip, port), _Handler, bind_and_activate=True)
    srv.site = site  # type: ignore[attr-defined]
    srv.mirror = mirror  # type: ignore[attr-defined]
    return srv


def serve_mirror(root: Path, quirks: dict, *, base_ip: str = "127.0.0.1", port: int = 0) -> Mirror:
    """Start one server per site directory under ``root`` (a ``sites/`` dir, or its parent).

    Site i (sorted by name) listens on ``base_ip`` + 10 + i (127.0.0.11, .12, … for the default
    base), all on the same port when possible (the first bind decides it when ``port`` is 0).
    """
    root = Path(root)
    if (root / "sites").is_dir():
        root = root / "sites"
    names = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not names:
        raise FileNotFoundError(f"no site directories under {root}")
    base = ipaddress.IPv4Address(base_ip)
    mirror = Mirror(root, quirks)
    shared_port = port
    try:
        for i, name in enumerate(names):
            ip = str(base + 10 + i)
            site = _Site(name, root / name, dict(quirks.get(name, {})))
            try:
                srv = _bind(ip, shared_port, site, mirror)
            except OSError:
                try:  # the shared port is taken on this address, or the address is unusable
                    srv = _bind(ip, 0, site, mirror)
                except OSError:
                    srv = _bind("127.0.0.1", 0, site, mirror)  # last resort: plain localhost
            host, p = srv.server_address[:2]
            if shared_port == 0:
                shared_port = p
            site.server = srv
            site.thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1},
                                           name=f"mirror-{name}", daemon=True)
            site.thread.start()
            mirror.sites[name] = site
            mirror.hosts[name] = f"{host}:{p}"
    except BaseException:
        mirror.close()
        raise
    return mirror


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m govcrawl.demo.mirror", description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=DEFAULT_ROOT,
                    help="demo dir holding sites/, quirks.json, sites.csv.in (default: data/demo)")
    ap.add_argument("--port", type=int, default=0, help="shared port (default: any free port)")
    ap.add_argument("--base-ip", default="127.0.0.1", help="sites get base+10, base+11, … (default 127.0.0.1)")
    ap.add_argument("--registry-out", type=Path, help="also write the rendered sites.csv here")
    ap.add_argument("--no-quirks", action="store_true", help="ignore quirks.json")
    a = ap.parse_args(argv)
    root = a.root
    sites_dir = root / "sites" if (root / "sites").is_dir() else root
    demo_dir = sites_dir.parent
    quirks = {} if a.no_quirks else load_quirks(demo_dir / "quirks.json")
    m = serve_mirror(sites_dir, quirks, base_ip=a.base_ip, port=a.port)
    try:
        print(f"serving {sites_dir} ({len(m.hosts)} sites); Ctrl-C to stop")
        for sd, h in m.hosts.items():
            idx = "index.html" if (sites_dir / sd / "index.html").is_file() else ""
            print(f"  {sd:10s} http://{h}/{idx}")
        tmpl = demo_dir / "sites.csv.in"
        if tmpl.is_file():
            reg = m.render_registry(tmpl)
            if a.registry_out:
                a.registry_out.write_text(reg, encoding="utf-8")
                print(f"registry written to {a.registry_out}")
            else:
                print("\nregistry (sites.csv):\n" + reg)
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        m.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
